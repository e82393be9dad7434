import type { Sandbox } from './types.js';

/** What every sandbox is built with; a sandbox module's own options add to it. */
export interface SandboxBaseOptions {
  /** External base URL including the mount prefix (`<PUBLIC_URL>/sandbox/<id>`). */
  publicUrl: string;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (line: string) => void;
}

/**
 * A provider's built-in sandbox as one module, beside its provider module (same `id`): mounted at
 * `/sandbox/<id>` and listed on the sessions page. The registry (`sandbox/index.ts`) lists them.
 */
export interface SandboxModule<
  S extends Sandbox = Sandbox,
  Options extends SandboxBaseOptions = SandboxBaseOptions,
> {
  readonly id: string;
  /** The sessions page's heading: the provider's name and country. */
  readonly label: string;
  create(options: Options): S;
  /** Buttons that decide a session without the buyer's page (they notify like the provider). */
  decisions(sandbox: S): Array<{ label: string; run: (token: string) => Promise<unknown> }>;
  /**
   * Tells the sandbox what a merchant tells the real provider by hand, from the provider's
   * settings: where its notifications go (`<PUBLIC_URL>/webhooks/<id>`).
   */
  connect?(sandbox: S, settings: unknown, webhookUrl: string): void;
}
