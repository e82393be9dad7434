// The default destination (standard output, gathered into large asynchronous writes): in a real
// child process, as `npm run serve` writes it into a pipe. Every line arrives whole and in order,
// a lone line goes out without waiting for more, and what is still gathered at exit is written.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs `body` (module code with `log`, a default logger) in a child Node process; its stdout lines. */
function child(body: string) {
  const script = `import { createLogger } from './server/log.ts';\nconst log = createLogger();\n${body}`;
  const process_ = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let partial = '';
  let resolveFirst: (line: string) => void;
  const firstLine = new Promise<string>((resolve) => {
    resolveFirst = resolve;
  });
  process_.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    if (lines.length) resolveFirst(lines[0]!);
  });
  const exited = new Promise<number | null>((resolve) => process_.once('close', resolve));
  return { lines, firstLine, exited, kill: () => process_.kill('SIGKILL') };
}

describe('the logger on standard output', () => {
  it('writes every line whole and in order across many batches, the last ones at exit', async () => {
    // 3,000 lines of 60 to 600 characters: many 64 KB batches and a part-filled one at the end.
    const run = child(`
      for (let i = 0; i < 3000; i++) log.info('request', { n: i, pad: 'x'.repeat(50 + ((i * 37) % 550)) });
      process.exit(0);
    `);
    expect(await run.exited).toBe(0);
    expect(run.lines).toHaveLength(3000);
    run.lines.forEach((line, i) => {
      const entry = JSON.parse(line) as { n: number; msg: string; pad: string };
      expect(entry).toMatchObject({ n: i, msg: 'request' });
      expect(entry.pad).toHaveLength(50 + ((i * 37) % 550));
    });
  });

  it('sends a lone line without waiting for the batch to fill or the process to end', async () => {
    // The child stays up (a timer) until it is killed: the line cannot owe anything to its exit.
    const run = child(`
      log.warn('one line', { session: 'ps_1' });
      setInterval(() => {}, 1000);
    `);
    try {
      const line = await run.firstLine;
      expect(JSON.parse(line)).toMatchObject({ level: 'warn', msg: 'one line', session: 'ps_1' });
    } finally {
      run.kill();
      await run.exited;
    }
  });
});
