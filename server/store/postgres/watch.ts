import pg from 'pg';

export interface WatchOptions extends pg.ClientConfig {
  channel: string;
  /** Each notification: `<session id> <updatedAt>`. */
  changed: (sessionId: string, updatedAt: string) => void;
  /** The listening connection was lost and is back: notifications in between were missed. */
  resumed: () => void;
}

/**
 * LISTENs on one dedicated connection (a pooled one would be handed to other queries), and
 * reconnects with backoff (0.2 s doubling to 5 s) when it is lost, say while PostgreSQL restarts.
 * Returns a function that stops it.
 */
export function watchChanges(options: WatchOptions): () => void {
  const { channel, changed, resumed, ...connection } = options;
  let stopped = false;
  let client: pg.Client | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = 200;
  let everConnected = false;

  const retry = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void listen();
    }, delay);
    timer.unref?.();
    delay = Math.min(delay * 2, 5_000);
  };

  async function listen(): Promise<void> {
    if (stopped) return;
    const next = new pg.Client(connection);
    client = next;
    next.on('error', () => {
      void next.end().catch(() => undefined);
      if (client === next) retry();
    });
    next.on('end', () => {
      if (client === next) retry();
    });
    next.on('notification', (message) => {
      if (message.channel !== channel || !message.payload) return;
      const [sessionId, updatedAt] = message.payload.split(' ');
      if (sessionId && updatedAt) changed(sessionId, updatedAt);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch {
      void next.end().catch(() => undefined);
      if (client === next) retry();
      return;
    }
    if (stopped) {
      void next.end().catch(() => undefined);
      return;
    }
    delay = 200;
    if (everConnected) resumed();
    everConnected = true;
  }

  void listen();
  return () => {
    stopped = true;
    clearTimeout(timer);
    void client?.end().catch(() => undefined);
  };
}
