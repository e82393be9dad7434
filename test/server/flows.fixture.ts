// Buyer steps through the sandboxes' pages, as a browser would (no redirects followed).
import type { TestServer } from './app.fixture.js';

export interface CreatedSession {
  id: string;
  status: string;
  action: { type: string; url: string; qr?: string };
}

export async function created(
  server: TestServer,
  provider: 'etpay' | 'tpaga',
  claims = {},
): Promise<CreatedSession> {
  const response = await server.createSession(provider, claims);
  if (response.status !== 201)
    throw new Error(`create answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as CreatedSession;
}

/** Picks the test bank and approves or rejects in the ETpay funnel; returns the 303 Location. */
export async function etpayFunnel(session: CreatedSession, action: 'approve' | 'reject'): Promise<string> {
  const bank = await fetch(`${session.action.url}/bank`, {
    method: 'POST',
    body: new URLSearchParams({ bank_code: 'ETPAY_BANCOPRUEBA' }),
  });
  if (bank.status !== 200) throw new Error(`bank step answered ${bank.status}`);
  const decision = await fetch(`${session.action.url}/decision`, {
    method: 'POST',
    body: new URLSearchParams({ action, user_rut: '11111111-1' }),
    redirect: 'manual',
  });
  if (decision.status !== 303) throw new Error(`decision answered ${decision.status}`);
  return decision.headers.get('location')!;
}

/** Pays or rejects on the Tpaga wallet page; returns the 303 Location. */
export async function tpagaWallet(session: CreatedSession, action: 'approve' | 'reject'): Promise<string> {
  const response = await fetch(session.action.url, {
    method: 'POST',
    body: new URLSearchParams({ action }),
    redirect: 'manual',
  });
  if (response.status !== 303) throw new Error(`wallet answered ${response.status}`);
  return response.headers.get('location')!;
}

export async function statusOf(server: TestServer, id: string): Promise<string> {
  const response = await fetch(`${server.url}/api/sessions/${id}`);
  return ((await response.json()) as { status: string }).status;
}
