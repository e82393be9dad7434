// A stubbed Pasarela server for the widget suites: `fetch` and `EventSource` on window are
// replaced by fakes that answer from route handlers and record every request.
import type { ServerConfig, Session } from '../../../widget/types.js';

export interface StubRequest {
  method: string;
  /** The full URL, to check which server was asked. */
  url: string;
  /** The path under the stub's mount point (`/api/config`). */
  path: string;
  headers: Headers;
  body: unknown;
}

type Handler = (request: StubRequest) => Response | Promise<Response>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function errorResponse(status: number, code: string, message: string, headers = {}): Response {
  return json({ error: { code, message } }, status, headers);
}

/** An EventSource that never touches the network; tests push events into it. */
export class FakeEventSource extends EventTarget {
  static instances: FakeEventSource[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readonly url: string;
  readyState = 0;

  constructor(url: string | URL) {
    super();
    this.url = String(url);
    FakeEventSource.instances.push(this);
  }

  static get latest(): FakeEventSource | undefined {
    return FakeEventSource.instances.at(-1);
  }

  get closed(): boolean {
    return this.readyState === 2;
  }

  /** Sends an `event: status` with the session, as the server does. */
  status(session: Session): void {
    this.readyState = 1;
    this.dispatchEvent(new MessageEvent('status', { data: JSON.stringify(session) }));
  }

  /** The connection failed for good (an HTTP error, or a proxy that breaks streams). */
  fail(): void {
    this.readyState = 2;
    this.dispatchEvent(new Event('error'));
  }

  close(): void {
    this.readyState = 2;
  }
}

export class StubServer {
  readonly requests: StubRequest[] = [];
  /** The path the server is mounted at (`/pay`), or empty for the root; outside it, every path is a 404. */
  private readonly mount: string;
  private readonly routes: { method: string; path: string | RegExp; handler: Handler }[] = [];
  private originalFetch = window.fetch;
  private originalEventSource = window.EventSource;

  constructor(mount = '') {
    this.mount = mount;
  }

  on(method: string, path: string | RegExp, handler: Handler): this {
    // Newest first, so a test can override a default route.
    this.routes.unshift({ method, path, handler });
    return this;
  }

  /** Requests to one route, e.g. `requestsTo('POST', '/api/sessions')`. */
  requestsTo(method: string, path: string | RegExp): StubRequest[] {
    return this.requests.filter((r) => r.method === method && matches(path, r.path));
  }

  install(): this {
    this.originalFetch = window.fetch;
    this.originalEventSource = window.EventSource;
    window.fetch = (input, init) => this.fetch(new Request(input, init));
    window.EventSource = FakeEventSource as unknown as typeof EventSource;
    FakeEventSource.instances = [];
    return this;
  }

  restore(): void {
    window.fetch = this.originalFetch;
    window.EventSource = this.originalEventSource;
  }

  private async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const mounted = url.pathname.startsWith(`${this.mount}/`);
    const path = mounted ? url.pathname.slice(this.mount.length) : url.pathname;
    const text = request.method === 'GET' ? '' : await request.text();
    const stubRequest: StubRequest = {
      method: request.method,
      url: url.href,
      path,
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    this.requests.push(stubRequest);
    if (request.signal.aborted) throw new DOMException('aborted', 'AbortError');
    const route = mounted && this.routes.find((r) => r.method === request.method && matches(r.path, path));
    if (!route) return errorResponse(404, 'not_found', `no stub for ${request.method} ${url.pathname}`);
    return route.handler(stubRequest);
  }
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}

/** A picker mark as the server's built-in providers give it: a `data:` URL of a rounded square. */
export function svgMark(colour: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="${colour}"/></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

export const etpayInfo = {
  id: 'etpay',
  name: 'ETpay',
  currency: 'CLP',
  country: 'CL',
  flow: 'redirect',
  mark: svgMark('#1f4fa3'),
} as const;
export const tpagaInfo = {
  id: 'tpaga',
  name: 'Tpaga',
  currency: 'COP',
  country: 'CO',
  flow: 'wallet',
  mark: svgMark('#0f7d6e'),
} as const;

export function config(...providers: ServerConfig['providers']): ServerConfig {
  return { providers: providers.length ? providers : [etpayInfo, tpagaInfo], sandbox: true };
}

let sessionCount = 0;

export function session(overrides: Partial<Session> & Pick<Session, 'provider'>): Session {
  sessionCount += 1;
  const id = `ps_${String(sessionCount).padStart(22, '0')}`;
  const tpaga = overrides.provider === 'tpaga';
  return {
    id,
    status: 'pending',
    amount: 12000,
    currency: tpaga ? 'COP' : 'CLP',
    orderId: '348820',
    description: 'Pedido 348820',
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    expiresAt: null,
    action: tpaga
      ? { type: 'wallet', url: `https://wallet.example/pay/${id}`, qr: '/test/widget/fixtures/qr.svg' }
      : { type: 'redirect', url: `https://etpay.example/session/${id}` },
    ...overrides,
  };
}

/** An order token as the merchant's backend would sign it (the widget only reads the payload). */
export function orderToken(claims: Record<string, unknown> = { amount: 12000, currency: 'CLP' }): string {
  const encode = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ order_id: '348820', exp: 1e10, ...claims })}.c2ln`;
}
