// Starts `npm start` once for the whole end-to-end suite, on a free port with its data in a
// temporary directory, and stops it afterwards. The suites reach it through `inject('demo')`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startDemo } from './demo-process.js';

export interface DemoServer {
  url: string;
  adminToken: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    demo: DemoServer;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'pasarela-e2e-'));
  const adminToken = randomBytes(24).toString('base64url');
  try {
    const demo = await startDemo({
      port: await freePort(),
      dataDir,
      env: { PASARELA_ADMIN_TOKEN: adminToken },
    });
    project.provide('demo', { url: demo.url, adminToken });
    return async () => {
      await demo.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
