import { Hono } from 'hono';
import type { Config } from '../config.js';
import { sessionsPage } from './sessions-page.js';
import type { SandboxBaseOptions, SandboxModule } from './shared/module.js';
import type { Sandbox, SandboxState } from './shared/types.js';

export interface MountedSandboxesOptions {
  /** The external base URL of the app the sandboxes are mounted in (no `/sandbox`). */
  publicUrl: string;
  /** Each sandbox's own options, by id (`{ <id>: { sessionLifetimeMs } }`). */
  options?: Readonly<Record<string, object | undefined>>;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (line: string) => void;
}

/** Sandboxes mounted together under `/sandbox` (the registry in `index.ts` says which). */
export interface MountedSandboxes {
  /** Routes under `/sandbox`: the sessions page and `/sandbox/<id>/*`. */
  app: Hono;
  /** A sandbox by its provider's id. */
  get(id: string): Sandbox | undefined;
  /** Points each sandbox at this server for the providers `config` enables (`SandboxModule.connect`). */
  connect(config: Config): void;
  close(): Promise<void>;
  /** Every sandbox's sessions by id, to keep across a restart (`npm start` keeps them in ./data). */
  snapshot(): Record<string, SandboxState>;
  restore(state: Readonly<Record<string, SandboxState | undefined>>): void;
}

export function mountSandboxes(
  modules: readonly SandboxModule<Sandbox, SandboxBaseOptions>[],
  options: MountedSandboxesOptions,
): MountedSandboxes {
  const base = options.publicUrl.replace(/\/+$/, '');
  const shared = {
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.now && { now: options.now }),
    ...(options.log && { log: options.log }),
  };
  const mounted = modules.map((module) => ({
    module,
    sandbox: module.create({
      ...shared,
      ...options.options?.[module.id],
      publicUrl: `${base}/sandbox/${module.id}`,
    }),
  }));

  const app = new Hono();
  for (const { module, sandbox } of mounted) app.route(`/sandbox/${module.id}`, sandbox.app);
  app.route(
    '/sandbox',
    sessionsPage(
      '/sandbox',
      mounted.map(({ module, sandbox }) => ({
        id: module.id,
        name: module.label,
        sandbox,
        decisions: module.decisions(sandbox),
      })),
    ),
  );

  return {
    app,
    get: (id) => mounted.find(({ module }) => module.id === id)?.sandbox,
    connect: (config) => {
      for (const { module, sandbox } of mounted) {
        if (!Object.hasOwn(config.providers, module.id)) continue;
        module.connect?.(sandbox, config.providers[module.id], `${config.publicUrl}/webhooks/${module.id}`);
      }
    },
    close: async () => {
      await Promise.all(mounted.map(({ sandbox }) => sandbox.close()));
    },
    snapshot: () => Object.fromEntries(mounted.map(({ module, sandbox }) => [module.id, sandbox.snapshot()])),
    restore: (state) => {
      for (const { module, sandbox } of mounted) {
        const saved = state[module.id];
        if (saved?.version === 1) sandbox.restore(saved);
      }
    },
  };
}
