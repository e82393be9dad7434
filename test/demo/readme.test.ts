// The README tells the truth: every command it shows is one the tests or CI run, the Python
// order-signing snippet signs tokens the server accepts, every configuration variable is in its
// table, and its screenshots exist.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verifyOrder } from '../../server/orders.js';

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
];

function codeBlocks(language: string): string[] {
  return [...readme.matchAll(new RegExp(`^\\s*\`\`\`${language}\\n([\\s\\S]*?)^\\s*\`\`\``, 'gm'))].map(
    (m) => m[1]!,
  );
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
    const [python] = codeBlocks('python');
    expect(python).toBeDefined();
    const secret = 'readme-python-secret-of-at-least-32-bytes';
    const result = spawnSync('python3', ['-c', python!], {
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
    const [python] = codeBlocks('python');
    const result = spawnSync('python3', ['-c', python!], {
      encoding: 'utf8',
      env: { ...process.env, PASARELA_ORDER_SECRET: 'some-other-secret-of-at-least-32-bytes!!' },
    });
    expect(result.status).toBe(0);
    await expect(
      verifyOrder(result.stdout.trim(), 'readme-python-secret-of-at-least-32-bytes'),
    ).rejects.toThrow();
  });

  it('lists every configuration variable the server reads', () => {
    const variables = [...read('server/config.ts').matchAll(/read\('([A-Z_]+)'/g)].map((m) => m[1]!);
    expect(variables.length).toBeGreaterThan(15);
    for (const name of new Set(variables)) expect(readme, name).toContain(`\`${name}\``);
  });

  it('shows screenshots that exist', () => {
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(images.length).toBeGreaterThanOrEqual(3);
    for (const image of images) expect(existsSync(join(root, image)), image).toBe(true);
  });
});
