// The README tells the truth: every command it shows is one the tests or CI run, the Python
// order-signing snippet signs tokens the server accepts, the Python notification receiver accepts
// what the server signs and nothing else, every configuration variable is in its table, and its
// screenshots exist.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { signWebhook } from '../../server/index.js';
import { verifyOrder } from '../../server/orders.js';
import { builtInProviders } from '../../server/providers/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** Each command the README may show, and the file that runs it (which must say so). */
const runners: { command: RegExp; file: string; runs: string }[] = [
  // CI installs with `npm ci`: the same locked versions a first `npm install` gets, and it fails
  // where the lock file does not fit package.json instead of rewriting it.
  { command: /^npm install && npm start$/, file: '.ci/run', runs: 'npm ci' },
  { command: /^npm install && npm start$/, file: 'test/e2e/demo-process.ts', runs: "['start'" },
  { command: /^npm start$/, file: 'test/e2e/demo-process.ts', runs: "['start'" },
  { command: /^npm test$/, file: '.ci/run', runs: 'npm test' },
  { command: /^npm run build$/, file: 'demo/build.ts', runs: "['run', 'build'" },
  {
    command: /^(PASARELA_SANDBOX=1 )?npm run serve$/,
    file: 'test/e2e/commands.test.ts',
    runs: "['run', 'serve'",
  },
  { command: /^npm run backup -- \S+$/, file: 'test/e2e/commands.test.ts', runs: "['run', 'backup'" },
  { command: /^npm run bench$/, file: 'test/e2e/commands.test.ts', runs: "['run', 'bench'" },
  {
    command: /^npm run migrate-store -- --from sqlite:\S+ --to postgres:\/\/\S+$/,
    file: 'test/server/migrate-store.test.ts',
    runs: "['run', 'migrate-store'",
  },
];

function codeBlocks(language: string): string[] {
  return [...readme.matchAll(new RegExp(`^\\s*\`\`\`${language}\\n([\\s\\S]*?)^\\s*\`\`\``, 'gm'))].map(
    (m) => m[1]!,
  );
}

/** The one `language` block that contains `marker` (so blocks may be added or moved). */
function codeBlock(language: string, marker: string): string {
  const found = codeBlocks(language).filter((block) => block.includes(marker));
  expect(found, `one \`\`\`${language} block containing "${marker}"`).toHaveLength(1);
  return found[0]!;
}

let receiver: ChildProcess | undefined;
afterEach(() => {
  receiver?.kill();
  receiver = undefined;
});

/** Runs the README's Python receiver on an ephemeral port; resolves once it listens. */
async function startPythonReceiver(secret: string) {
  const proc = spawn('python3', ['-c', codeBlock('python', 'def verify_webhook')], {
    env: { ...process.env, PASARELA_WEBHOOK_SECRET: secret, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  receiver = proc;
  const lines: string[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => lines.push(line));
  let stderr = '';
  proc.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('error', (error) => reject(new Error(`python3 must be installed for this test: ${error}`)));
    proc.once('exit', (code) => reject(new Error(`the receiver exited (${code}): ${stderr}`)));
    const wait = setInterval(() => {
      const listening = lines.map((line) => /^Receiving on (http:\S+)$/.exec(line)?.[1]).find(Boolean);
      if (listening) {
        clearInterval(wait);
        resolve(listening);
      }
    }, 20);
  });
  lines.length = 0;
  return { url, lines };
}

async function waitFor(predicate: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A notification as Pasarela's dispatcher sends it: the body, and its Standard Webhooks headers. */
function notification(type: string, orderId: string) {
  const at = new Date().toISOString();
  const data = {
    id: 'ps_4GmT0aQz8Lr2WcKx7NvB1e',
    provider: 'tpaga',
    status: type.slice('session.'.length),
    amount: 38_000,
    currency: 'COP',
    orderId,
    description: 'Café de Huila',
    createdAt: at,
    updatedAt: at,
    expiresAt: null,
    action: { type: 'wallet', url: 'https://example.test/w/1', qr: '/api/sessions/ps_x/qr.svg' },
  };
  return {
    id: `evt_${randomBytes(11).toString('hex')}`,
    body: JSON.stringify({ type, timestamp: at, data }),
  };
}

async function post(
  url: string,
  { id, body }: { id: string; body: string },
  sign: { secrets: string | string[]; body?: string; timestamp?: number },
) {
  const timestamp = sign.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': await signWebhook(id, timestamp, sign.body ?? body, sign.secrets),
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}

describe('README', () => {
  it('shows only commands the tests or CI run', () => {
    const commands = [
      ...codeBlocks('sh').flatMap((block) => block.split('\n').map((line) => line.trim())),
      ...[...readme.matchAll(/`((?:[A-Z_]+=\S+ )?npm [^`]+)`/g)].map((m) => m[1]!.trim()),
    ]
      .map((command) => command.replace(/ FILE$/, ' /tmp/x.db'))
      .filter((line) => line && !line.startsWith('#'));
    expect(commands.length).toBeGreaterThan(8);
    for (const command of commands) {
      const found = runners.filter((r) => r.command.test(command));
      expect(found.length, `README command "${command}"`).toBeGreaterThan(0);
      for (const runner of found) {
        expect(read(runner.file), `${runner.file} runs "${command}"`).toContain(runner.runs);
      }
    }
    // And the essentials are there.
    expect(commands).toContain('npm install && npm start');
    expect(commands).toContain('npm test');
  });

  it('signs, in its Python snippet, an order token the server accepts', () => {
    const python = codeBlock('python', 'def sign_order');
    const secret = 'readme-python-secret-of-at-least-32-bytes';
    const result = spawnSync('python3', ['-c', python], {
      encoding: 'utf8',
      env: { ...process.env, PASARELA_ORDER_SECRET: secret },
    });
    expect(result.error, 'python3 must be installed for this test').toBeUndefined();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    return verifyOrder(result.stdout.trim(), secret).then((order) => {
      expect(order).toMatchObject({
        orderId: 'OC-1002',
        amount: 38_000,
        currency: 'COP',
        description: 'Café de Huila',
      });
    });
  });

  it('rejects, through the same snippet, a token signed with another secret', async () => {
    const python = codeBlock('python', 'def sign_order');
    const result = spawnSync('python3', ['-c', python], {
      encoding: 'utf8',
      env: { ...process.env, PASARELA_ORDER_SECRET: 'some-other-secret-of-at-least-32-bytes!!' },
    });
    expect(result.status).toBe(0);
    await expect(
      verifyOrder(result.stdout.trim(), 'readme-python-secret-of-at-least-32-bytes'),
    ).rejects.toThrow();
  });

  it('receives, in its Python snippet, notifications the server signs, each once', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const { url, lines } = await startPythonReceiver(secret);
    const paid = notification('session.paid', 'OC-1002');
    expect(await post(url, paid, { secrets: secret })).toEqual({ status: 204, text: '' });
    await waitFor(() => lines.length > 0);
    expect(lines).toEqual([`session.paid OC-1002 ${paid.id}`]);

    // A retry of the same event is acknowledged and not recorded twice; during a secret rotation
    // one matching signature among several is enough.
    expect((await post(url, paid, { secrets: secret })).status).toBe(204);
    const refunded = notification('session.refunded', 'OC-1002');
    const rotation = [`whsec_${randomBytes(32).toString('base64')}`, secret];
    expect((await post(url, refunded, { secrets: rotation })).status).toBe(204);
    await waitFor(() => lines.length > 1);
    expect(lines).toEqual([`session.paid OC-1002 ${paid.id}`, `session.refunded OC-1002 ${refunded.id}`]);
  });

  it('verifies, with its Python function imported into a view, a text body with headers in any case', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const paid = notification('session.paid', 'OC-1004');
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'Webhook-Id': paid.id,
      'Webhook-Timestamp': String(timestamp),
      'Webhook-Signature': await signWebhook(paid.id, timestamp, paid.body, secret),
    };
    // As `from pasarela_webhooks import verify_webhook` would: the receiver below it does not start.
    const view = [
      'import json, os, sys',
      "module = {'__name__': 'pasarela_webhooks'}",
      "exec(os.environ['SNIPPET'], module)",
      "body = sys.stdin.buffer.read().decode('utf-8')",
      "event = module['verify_webhook'](body, json.loads(os.environ['HEADERS']), os.environ['SECRET'])",
      "print(event['type'], event['data']['description'] == 'Café de Huila')",
    ].join('\n');
    const result = spawnSync('python3', ['-c', view], {
      input: paid.body,
      encoding: 'utf8',
      env: {
        ...process.env,
        SNIPPET: codeBlock('python', 'def verify_webhook'),
        HEADERS: JSON.stringify(headers),
        SECRET: secret,
      },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('session.paid True\n');
  });

  it('refuses, in its Python snippet, a tampered body, another secret and a stale timestamp', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const { url, lines } = await startPythonReceiver(secret);
    const paid = notification('session.paid', 'OC-1003');
    const tampered = { ...paid, body: paid.body.replace('38000', '380') };
    expect(tampered.body).not.toBe(paid.body);
    const refusals = [
      await post(url, tampered, { secrets: secret, body: paid.body }),
      await post(url, paid, { secrets: `whsec_${randomBytes(32).toString('base64')}` }),
      await post(url, paid, { secrets: secret, timestamp: Math.floor(Date.now() / 1000) - 600 }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([400, 400, 400]);
    expect(refusals[0]!.text).toMatch(/^no signature matches this secret/);
    expect(refusals[1]!.text).toMatch(/^no signature matches this secret/);
    expect(refusals[2]!.text).toMatch(/^webhook-timestamp is more than 300 s from this clock/);
    const unsigned = await fetch(url, { method: 'POST', body: paid.body });
    expect(unsigned.status).toBe(400);
    // The same notification, untouched, still goes through: only the forgeries were refused.
    expect((await post(url, paid, { secrets: secret })).status).toBe(204);
    await waitFor(() => lines.length > 0);
    expect(lines).toEqual([`session.paid OC-1003 ${paid.id}`]);
  });

  it('lists every configuration variable the server reads', () => {
    const variables = [
      ...[...read('server/config.ts').matchAll(/read\('([A-Z_]+)'/g)].map((m) => m[1]!),
      ...builtInProviders.flatMap((module) => Object.keys(module.configuration?.variables ?? {})),
    ];
    expect(variables.length).toBeGreaterThan(15);
    for (const name of new Set(variables)) expect(readme, name).toContain(`\`${name}\``);
  });

  it('shows screenshots that exist', () => {
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(images.length).toBeGreaterThanOrEqual(3);
    for (const image of images) expect(existsSync(join(root, image)), image).toBe(true);
  });
});
