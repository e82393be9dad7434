// Runs Pasarela on a Node listener: configuration from the environment, the store, the sandboxes
// in sandbox mode, and a graceful shutdown (stop accepting, end live streams, finish in-flight
// requests, close the store).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createPasarela, type PasarelaApp, type PasarelaOptions } from './app.js';
import { type Config, ConfigError, describeConfig, loadConfig } from './config.js';
import { createLogger, type Logger } from './log.js';
import { loadWidgetBundle, openStore } from './node/store-and-bundle.js';
import type { WidgetBundle } from './routes/widget.js';
import { createSandboxes, type Sandboxes, type SandboxesState } from './sandbox/index.js';
import type { SandboxBaseOptions, SandboxModule } from './sandbox/shared/module.js';
import type { Sandbox } from './sandbox/shared/types.js';

export interface RunningServer {
  url: string;
  config: Config;
  app: PasarelaApp;
  sandboxes: Sandboxes | undefined;
  close(): Promise<void>;
}

export interface StartOptions extends Partial<Omit<PasarelaOptions, 'config' | 'store'>> {
  env?: Record<string, string | undefined>;
  /** Routes the host adds beside Pasarela's (the demo shop). */
  routes?: (
    app: Hono,
    server: { config: Config; app: PasarelaApp; widget: WidgetBundle | undefined },
  ) => void;
  logger?: Logger;
  /** In sandbox mode, the sandboxes of the merchant's own providers, beside the built-in ones. */
  sandboxes?: readonly SandboxModule<Sandbox, SandboxBaseOptions>[];
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const config = loadConfig(options.env ?? process.env, {
    ...(options.providers && { providers: options.providers }),
  });
  const own = options.logger ? undefined : createLogger({ level: config.logLevel });
  const log = options.logger ?? own!;
  if (config.unknownVariables.length) {
    log.warn('unknown settings ignored (a typo?)', {
      variables: config.unknownVariables.join(', '),
      known: 'see the README, Configuration',
    });
  }
  const store = await openStore(config.databaseUrl).catch((error: unknown) => {
    // A store that cannot be opened, migrated or written stops start-up with one line.
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new ConfigError(`DATABASE_URL: ${message}`);
  });
  const widget = loadWidgetBundle();
  const app = createPasarela({ ...options, config, store, logger: log, ...(widget && { widget }) });

  let sandboxes: Sandboxes | undefined;
  let sandboxState: string | undefined;
  if (config.sandbox) {
    sandboxes = createSandboxes({
      publicUrl: config.publicUrl,
      ...(options.sandboxes && { extra: options.sandboxes }),
    });
    // The simulated providers keep their sessions beside the database, so a restarted demo can
    // still answer about the payments it stored.
    sandboxState = sandboxStateFile(config);
    if (sandboxState) loadSandboxes(sandboxes, sandboxState, log);
    // What a merchant tells a real provider by hand (a webhook base), the sandboxes are told here.
    sandboxes.connect(config);
    app.route('/', sandboxes.app);
  }
  let server: ReturnType<typeof serve>;
  try {
    options.routes?.(app, { config, app, widget });
    server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
      s.once('error', reject);
    });
  } catch (error) {
    await app.close();
    await sandboxes?.close();
    await store.close();
    throw listenError(error, config);
  }
  const address = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${address.port}`;
  log.info('pasarela listening', { url, ...describeConfig(config, options.providers) });
  if (config.orderSecretGenerated) {
    log.warn(
      'sandbox mode made up an order-token key for this process: set PASARELA_ORDER_SECRET to sign orders elsewhere',
    );
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
      await sandboxes?.close();
      if (sandboxes && sandboxState) saveSandboxes(sandboxes, sandboxState, log);
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      // In-flight requests get a few seconds to finish; then the listener is closed regardless.
      const timer = setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), 5_000);
      await stopped;
      clearTimeout(timer);
      await store.close();
      log.info('pasarela stopped', {});
      // Log lines are written asynchronously: the last ones reach stdout before the process exits.
      own?.flush();
    })();
    return closing;
  };
  return { url, config, app, sandboxes, close };
}

/** Where sandbox mode keeps the simulated providers' sessions: beside a SQLite file, if any. */
function sandboxStateFile(config: Config): string | undefined {
  const database = config.databaseUrl;
  if (database.kind !== 'sqlite' || database.path === ':memory:' || database.path === '') return undefined;
  return join(dirname(database.path), 'sandboxes.json');
}

function loadSandboxes(sandboxes: Sandboxes, file: string, log: Logger): void {
  if (!existsSync(file)) return;
  try {
    sandboxes.restore(JSON.parse(readFileSync(file, 'utf8')) as SandboxesState);
  } catch (error) {
    log.warn('sandbox sessions not restored', { file, error: String(error) });
  }
}

/** Written whole, then renamed into place: a crash mid-write leaves the previous file. */
function saveSandboxes(sandboxes: Sandboxes, file: string, log: Logger): void {
  try {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(sandboxes.snapshot()));
    renameSync(temporary, file);
  } catch (error) {
    log.warn('sandbox sessions not saved', { file, error: String(error) });
  }
}

/** A listener that cannot start says why in one line, as a bad setting does. */
function listenError(error: unknown, config: Config): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new ConfigError(
      `PORT ${config.port} is already in use on ${config.host}: stop what uses it, or set PORT to a free port.`,
    );
  }
  if (code === 'EACCES') {
    return new ConfigError(`PORT ${config.port} needs privileges on ${config.host}: use a port above 1023.`);
  }
  if (code === 'EADDRNOTAVAIL') {
    return new ConfigError(
      `HOST ${config.host} is not an address of this machine: use 127.0.0.1 or 0.0.0.0.`,
    );
  }
  return error;
}

/** For CLIs: SIGTERM/SIGINT close the server, then the process exits. */
export function closeOnSignals(server: RunningServer): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void server.close().then(() => process.exit(0));
    });
  }
}
