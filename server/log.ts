/**
 * Structured JSON logs, one object per line, with secrets redacted on the way out: values under
 * secret-sounding keys, and anything that looks like a JWT, a Basic/Bearer credential or a
 * provider's payment token (a short prefix, `-` and 32 or more hex digits, as in a webhook path)
 * wherever it appears (messages, URLs, nested objects, errors).
 */
import { pino } from 'pino';

export const LogLevel = { debug: 'debug', info: 'info', warn: 'warn', error: 'error' } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** Where each line goes (stdout by default). */
  write?: (line: string) => void;
  /** The least severe level written; `info` by default. */
  level?: LogLevel;
  now?: () => number;
}

export const redacted = '[redacted]';

const secretKey = /token|secret|passw(or)?d|authorization|signature|jwt|cookie|api[_-]?key|credential/i;

// The scheme word is case-insensitive in HTTP, so "basic <word>" in prose is masked too: a
// harmless cost next to letting a credential through.
const authScheme = /\b(Basic|Bearer)(\s+)[\w+/=.~-]+/gi;
const paymentToken = /\b([a-z]{1,8}-)[0-9a-f]{32,}/gi;
const urlPassword = /(\/\/[^\s/?#@:]*):[^\s/?#@]*@/g;
// `key=value` pairs in query strings, form bodies and prose, and `"key": "value"` in JSON text. Key
// lengths are bounded so a long run of letters cannot make the scan quadratic.
const keyValue =
  /((?:^|[?&;\s])[\w.-]{0,64}(?:token|secret|passw(?:or)?d|signature|jwt|api[_-]?key)[\w.-]{0,64}=)[^&#\s"']+/gi;
const jsonMember =
  /("[\w-]{0,64}(?:token|secret|passw(?:or)?d|authorization|signature|jwt|cookie|api[_-]?key)[\w-]{0,64}"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

// Each mask below needs one of these in the text: a JWT header's `eyJ`/`eyA`, a scheme word, a
// payment token's `-` and hex run, a URL's `@`, a query's `=`, a JSON member's `"`. Most log strings (paths,
// ids, methods) have none, and skip the six passes.
const maybeSecret = /ey[JA]|basic|bearer|-[0-9a-f]{32}|@|=|"/i;

/** Masks credentials inside free text: messages, URLs, provider error bodies. */
export function redactString(value: string): string {
  if (!maybeSecret.test(value)) return value;
  return maskJwts(value)
    .replace(authScheme, `$1$2${redacted}`)
    .replace(paymentToken, `$1${redacted}`)
    .replace(urlPassword, `$1:${redacted}@`)
    .replace(keyValue, `$1${redacted}`)
    .replace(jsonMember, `$1"${redacted}"`);
}

// A JWT's header is JSON, so its base64url starts with "eyJ" (`{"`) or "eyA" (`{ `) and runs at least
// 18 characters: that keeps host names and dotted identifiers out of reach. The scan is one pass
// over each run of base64url characters and dots (a regex would go quadratic on "eyJeyJeyJ…"),
// and a token glued to other text is still masked.
const base64urlRun = /[\w.-]{20,}/g;
const minHeaderLength = 18;

function maskJwts(text: string): string {
  return text.replace(base64urlRun, (run) => {
    const segments = run.split('.');
    let offset = 0;
    for (let i = 0; i < segments.length - 2; i++) {
      const segment = segments[i]!;
      const start = firstHeaderStart(segment);
      if (start !== -1 && segment.length - start >= minHeaderLength) {
        return `${run.slice(0, offset + start)}${redacted}`;
      }
      offset += segment.length + 1;
    }
    return run;
  });
}

function firstHeaderStart(segment: string): number {
  const json = segment.indexOf('eyJ');
  const spaced = segment.indexOf('eyA');
  if (json === -1) return spaced;
  return spaced === -1 ? json : Math.min(json, spaced);
}

const maxDepth = 8;

/** A JSON-safe copy of `value` with every secret masked. */
export function redact(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet());
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= maxDepth) return '[nested]';
  seen.add(value);
  try {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (value instanceof URL) return redactString(value.href);
    if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
    if (value instanceof Map) {
      const entries = Array.from(value, ([key, item]): [string, unknown] => [String(key), item]);
      return redactEntries(entries, depth, seen);
    }
    if (value instanceof Set) return [...value].map((item) => redactValue(item, depth + 1, seen));
    if (value instanceof Error) {
      // name, message, stack and cause are not enumerable, so they are copied by hand.
      const { name, message, stack, cause } = value;
      return redactEntries(
        [['name', name], ['message', message], ...Object.entries(value), ['stack', stack], ['cause', cause]],
        depth,
        seen,
      );
    }
    return redactEntries(Object.entries(value), depth, seen);
  } finally {
    seen.delete(value);
  }
}

function redactEntries(entries: [string, unknown][], depth: number, seen: WeakSet<object>) {
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    if (item === undefined) continue;
    out[key] = secretKey.test(key) ? redacted : redactValue(item, depth + 1, seen);
  }
  return out;
}

const reserved = new Set(['time', 'level', 'msg']);
/** A field may not pass for the line's own time, level or message. */
const fieldName = (key: string) => (reserved.has(key) ? `field_${key}` : key);

// Field names and messages repeat (the request log's five fields and its message on every request):
// each is tested and written as JSON once, up to a thousand of each.
const secretKeys = new Map<string, boolean>();
function isSecretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    secret = secretKey.test(key);
    if (secretKeys.size < 1_000) secretKeys.set(key, secret);
  }
  return secret;
}

/** `,"key":` as a line holds it, or with the masked value already in it for a secret key. */
const fieldHeads = new Map<string, { head: string; secret: boolean }>();
function fieldHead(key: string): { head: string; secret: boolean } {
  let field = fieldHeads.get(key);
  if (field === undefined) {
    const secret = isSecretKey(key);
    const head = `,${JSON.stringify(fieldName(key))}:`;
    field = { head: secret ? `${head}"${redacted}"` : head, secret };
    if (fieldHeads.size < 1_000) fieldHeads.set(key, field);
  }
  return field;
}

/** A line's end: `,"msg":"…"}` and its newline, the message masked. */
const messageTails = new Map<string, string>();
function messageTail(message: string): string {
  let tail = messageTails.get(message);
  if (tail === undefined) {
    tail = `,"msg":${JSON.stringify(redactString(message))}}\n`;
    if (messageTails.size < 1_000) messageTails.set(message, tail);
  }
  return tail;
}

/**
 * Standard output through pino's asynchronous destination, lines gathered into one write of at
 * least 64 KB (or whatever is there after 100 ms). The gathering is done here, in an array joined
 * once per write: the destination's own (`minLength`) appends each line to a string whose byte
 * length it measures again on every line, which cost a status read about 2 µs under load. Each
 * asynchronous write is a round trip through libuv's thread pool (about 50 µs of CPU, two thread
 * wake-ups, on the server's core): at 4 KB a write that was 6 % of the main thread's time under
 * 4,000 status reads a second (bench/profile-deployed.ts); at 64 KB it is a sixteenth of that.
 */
const batchLength = 64 * 1024;
function batchedStdout(): { write(line: string): void; flushSync(): void } {
  const target = pino.destination({ dest: 1, sync: false });
  let lines: string[] = [];
  let length = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (length === 0) return;
    const text = lines.length === 1 ? lines[0]! : lines.join('');
    lines = [];
    length = 0;
    target.write(text);
  };
  const flushSync = () => {
    flush();
    target.flushSync();
  };
  onExit(flushSync);
  return {
    write(line) {
      lines.push(line);
      length += line.length;
      if (length >= batchLength) flush();
      else timer ??= unref(setTimeout(flush, 100));
    },
    flushSync,
  };
}

// What is still gathered goes out when the process exits (pino does the same for its destination).
const atExit = new Set<() => void>();
function onExit(flushSync: () => void): void {
  // `process` is Node's (and Bun's and Deno's); elsewhere the 100 ms timer is the only flush.
  if (atExit.size === 0 && typeof globalThis.process?.once === 'function') {
    process.once('exit', () => {
      for (const flush of atExit) {
        try {
          flush();
        } catch {
          // stdout already gone: nothing to keep.
        }
      }
    });
  }
  atExit.add(flushSync);
}

/**
 * A logger on pino: levels checked before any work, lines written by pino's asynchronous
 * destination (a pipe is synchronous on Linux: a write per request held the event loop), flushed
 * by `flush()` at shutdown. What goes in is masked first by `redactValue`, by key at any depth and
 * inside free text (JWTs, credentials, URLs, provider bodies): pino's own `redact` matches fixed
 * paths only, so it cannot promise that.
 */
export function createLogger(options: LoggerOptions = {}): Logger & { flush(): void } {
  const now = options.now ?? Date.now;
  const destination = options.write
    ? { write: (line: string) => options.write!(line.endsWith('\n') ? line.slice(0, -1) : line) }
    : batchedStdout();
  // One ISO string per millisecond: under load most lines share it.
  let stampedAt = Number.NaN;
  let stamp = '';
  const timestamp = () => {
    const at = now();
    if (at !== stampedAt) {
      stampedAt = at;
      stamp = `,"time":"${new Date(at).toISOString()}"`;
    }
    return stamp;
  };
  const logger = pino(
    {
      level: options.level ?? LogLevel.info,
      base: undefined,
      messageKey: 'msg',
      timestamp,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const log =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}): void => {
      if (!logger.isLevelEnabled(level)) return;
      // Flat fields (strings, numbers, booleans: every request-log line) are written here, in
      // pino's own line format, without pino's generic serializer: a third of a log line's cost.
      let flat = `{"level":"${level}"${timestamp()}`;
      for (const key in fields) {
        const value = fields[key];
        if (value === undefined) continue;
        const field = fieldHead(key);
        if (field.secret) {
          flat += field.head;
          continue;
        }
        const type = typeof value;
        let text: string;
        if (type === 'string') text = JSON.stringify(redactString(value as string));
        else if (type === 'number') text = Number.isFinite(value) ? String(value) : 'null';
        else if (type === 'boolean') text = value ? 'true' : 'false';
        else if (value === null) text = 'null';
        else {
          flat = '';
          break;
        }
        flat += field.head + text;
      }
      if (flat) {
        destination.write(flat + messageTail(message));
        return;
      }
      const entry: Record<string, unknown> = {};
      for (const key in fields) {
        const value = fields[key];
        if (value === undefined) continue;
        entry[fieldName(key)] = isSecretKey(key) ? redacted : redactValue(value, 1, new WeakSet());
      }
      logger[level](entry, redactString(message));
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    flush: () => {
      if ('flushSync' in destination) {
        try {
          destination.flushSync();
        } catch {
          // Nothing buffered, or stdout already gone: nothing to keep.
        }
      }
    },
  };
}

/** A logger that drops everything (for tests and benchmarks). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A timer that does not keep the process alive, where timers are objects that can say so. */
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
