// The widget in Node: importing the npm entry during server-side rendering must not throw (no
// `window` or `document` at import time), and the session JSON the widget expects is the one the
// server sends (checked by the type checker).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { PublicSession } from '../../server/core/session.js';
import type { ProviderInfo as ServerProviderInfo } from '../../server/providers/provider.js';
import type { ProviderInfo, Session } from '../../widget/types.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the widget in Node', () => {
  it('imports without touching the DOM', () => {
    // A plain Node process resolves Lit as an SSR framework would (its `node` build).
    const script = `
      if (typeof window !== 'undefined') throw new Error('window exists before the import');
      const widget = await import('./widget/index.ts');
      if (typeof widget.PasarelaCheckout !== 'function') throw new Error('no PasarelaCheckout');
      if (typeof widget.PasarelaStatusEvent !== 'function') throw new Error('no events');
      console.log('ok');
    `;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('ok');
    expect(result.status).toBe(0);
  });

  it('reads the session and config JSON the server sends', () => {
    expectTypeOf<PublicSession>().toExtend<Session>();
    expectTypeOf<Session>().toExtend<PublicSession>();
    expectTypeOf<ServerProviderInfo>().toExtend<ProviderInfo>();
  });
});
