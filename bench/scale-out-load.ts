// The load generator of bench/scale-out.bench.ts, in a process of its own (as clients and a load
// balancer are), so the bench's event loop stays free to time SSE events and stale reads to the
// millisecond while the instances are under load. One JSON command per stdin line, one JSON
// result per stdout line:
//   {"kind":"prime","url":…}  reads every stored session once on that instance (its cache, if on)
//   {"kind":"reads","urls":[…],"connections":30,"seconds":8}  random status reads for that long,
//     connections spread evenly over the instances (autocannon deals them out round-robin)
// The session ids come from the JSON file named by BENCH_IDS_FILE.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

export type LoadCommand =
  | { kind: 'prime'; url: string }
  | { kind: 'reads'; urls: string[]; connections: number; seconds: number };

export interface LoadResult {
  /** Requests answered per second over the run. */
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

const ids = JSON.parse(readFileSync(process.env.BENCH_IDS_FILE!, 'utf8')) as string[];
const pick = () => ids[Math.floor(Math.random() * ids.length)]!;

async function run(command: LoadCommand): Promise<LoadResult> {
  let options: autocannon.Options;
  switch (command.kind) {
    case 'prime': {
      let next = 0;
      options = {
        url: command.url,
        connections: 10,
        amount: ids.length,
        requests: [
          { setupRequest: (request) => ({ ...request, path: `/api/sessions/${ids[next++ % ids.length]}` }) },
        ],
      };
      break;
    }
    case 'reads':
      options = {
        // autocannon takes several URLs (its README: "More than one URL is allowed") and deals
        // the connections out round-robin; its type definitions know only one.
        url: command.urls as unknown as string,
        connections: command.connections,
        duration: command.seconds,
        requests: [{ setupRequest: (request) => ({ ...request, path: `/api/sessions/${pick()}` }) }],
      };
      break;
  }
  const result = await autocannon(options);
  return {
    rps: result.requests.total / result.duration,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

// One command at a time, in order: the bench waits for each result before it sends the next.
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(async () => {
    const result = await run(JSON.parse(line) as LoadCommand);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });
});
process.stdin.on('end', () => void queue.then(() => process.exit(0)));
