/**
 * Structured JSON logs, one object per line, with secrets redacted on the way out: values under
 * secret-sounding keys, and anything that looks like a JWT, a Basic/Bearer credential or a Tpaga
 * payment-request token wherever it appears (messages, URLs, nested objects, errors).
 */
export const LogLevel = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LogLevel;

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** Where lines go (stdout by default). */
  write?: (line: string) => void;
  level?: LogLevel;
  now?: () => number;
}

const secretKey = /token|secret|password|passwd|authorization|signature|jwt|cookie|api[_-]?key|credential/i;
const patterns: Array<[RegExp, string]> = [
  [/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, '[jwt]'],
  [/\b(Basic|Bearer)\s+[\w+/=.~-]+/gi, '$1 [redacted]'],
  [/\bpr-[0-9a-f]{8}[0-9a-f]{64}\b/g, 'pr-[redacted]'],
];

export function redactString(value: string): string {
  let out = value;
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[nested]';
  if (value instanceof Error) return { name: value.name, message: redactString(value.message) };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      secretKey.test(key) && item !== null && item !== undefined ? '[redacted]' : redact(item, depth + 1);
  }
  return out;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => console.log(line));
  const threshold = LogLevel[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  const log =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (LogLevel[level] < threshold) return;
      const entry = {
        time: new Date(now()).toISOString(),
        level,
        msg: redactString(message),
        ...(redact(fields) as LogFields),
      };
      write(JSON.stringify(entry));
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that drops everything (library default in tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
