// The formats of TPAGA.md §9: BigDecimal-style costs and Bogotá timestamps.

/** Colombia has no daylight saving time: Bogotá is always UTC−5. */
const bogotaOffsetMs = -5 * 3_600_000;

// Beyond this the digits are no longer a plausible amount; treating them as "not a number" keeps
// a hostile `1e999999` from expanding into a megabyte of zeros.
const maxExponent = 1_000;
const decimalPattern = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A numeric input (`12000`, `"1200.50"`, `"1e3"`) in Ruby BigDecimal's plain notation
 * (`"12000.0"`, `"1200.5"`, `"1000.0"`), or `undefined` when it is not a number.
 */
export function formatDecimal(input: string): string | undefined {
  const found = decimalPattern.exec(input.trim());
  if (!found) return undefined;
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = found;
  if (whole === '' && fraction === '') return undefined;
  const exponent = Number(exponentText);
  if (Math.abs(exponent) > maxExponent) return undefined;
  // Move the decimal point `exponent` places through the digit string.
  const digits = whole + fraction;
  const point = whole.length + exponent;
  const padded = point < 0 ? '0'.repeat(-point) + digits : digits.padEnd(point, '0');
  const at = Math.max(point, 0);
  const integer = padded.slice(0, at).replace(/^0+/, '') || '0';
  const decimals = padded.slice(at).replace(/0+$/, '') || '0';
  const negative = sign === '-' && (integer !== '0' || decimals !== '0');
  return `${negative ? '-' : ''}${integer}.${decimals}`;
}

/** True when a formatted decimal is strictly positive. */
export function isPositiveDecimal(formatted: string): boolean {
  return !formatted.startsWith('-') && formatted !== '0.0';
}

/** An instant as Tpaga writes it: Bogotá time, `-05:00`, milliseconds truncated. */
export function formatTimestamp(ms: number): string {
  return new Date(Math.floor(ms) + bogotaOffsetMs).toISOString().replace('Z', '-05:00');
}

/** `22/11/2025 10:30`, Bogotá time, for the wallet page. */
export function formatBogotaTime(ms: number): string {
  const iso = formatTimestamp(ms);
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 16)}`;
}

const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * An input `expires_at` as epoch milliseconds (sub-millisecond digits truncated), or
 * `undefined` when it is not an ISO 8601 date or date-time. A date alone means 00:00 in Bogotá;
 * a date-time without an offset is Bogotá time.
 */
export function parseExpiresAt(input: string): number | undefined {
  const found = isoPattern.exec(input.trim());
  if (!found) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = found;
  const parts = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = parts;
  const local = Date.UTC(y, mo - 1, d, h, mi, s) + Number(fraction.slice(0, 3).padEnd(3, '0'));
  // Date.UTC rolls 31 February over into March; a real calendar date must survive the trip.
  const check = new Date(local);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  const offset = offsetMs(zone);
  if (check.getUTCFullYear() !== y || offset === undefined) return undefined;
  return local - offset;
}

function offsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined) return bogotaOffsetMs;
  if (zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}
