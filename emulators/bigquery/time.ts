// Dates and times as BigQuery writes and reads them, computed on integers (days since the epoch,
// microseconds) so no value passes through a lossy JS Date or float.

const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const pad = (n: number | bigint, width = 2) => n.toString().padStart(width, '0');

export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** HH:MM:SS, with six fractional digits when there is a fraction. */
export function formatTimeOfDay(micros: bigint): string {
  const seconds = micros / MICROS_PER_SECOND;
  const fraction = micros % MICROS_PER_SECOND;
  const base = `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}`;
  return fraction === 0n ? base : `${base}.${pad(fraction, 6)}`;
}

function splitMicros(micros: bigint): { days: number; timeOfDay: bigint } {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  return { days: Number(days), timeOfDay: rest };
}

/** DATETIME in the API's canonical form: 2024-01-02T03:04:05[.ffffff]. */
export function formatDatetime(micros: bigint): string {
  const { days, timeOfDay } = splitMicros(micros);
  return `${formatDate(days)}T${formatTimeOfDay(timeOfDay)}`;
}

/** TIMESTAMP as ISO 8601 in UTC: 2024-01-02T03:04:05[.ffffff]Z. */
export function formatTimestampIso(micros: bigint): string {
  return `${formatDatetime(micros)}Z`;
}

/**
 * TIMESTAMP as float seconds, written the way BigQuery (Java's Double.toString) writes it:
 * "1.7000000001234E9", "12.5", "0.0". Computed from the decimal digits, not through a double.
 */
export function formatFloatSeconds(micros: bigint): string {
  if (micros === 0n) return '0.0';
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = (abs / MICROS_PER_SECOND).toString();
  const frac = pad(abs % MICROS_PER_SECOND, 6).replace(/0+$/, '');
  const sign = negative ? '-' : '';
  const value = Number(abs) / 1e6;
  if (value >= 1e-3 && value < 1e7) return `${sign}${whole}.${frac || '0'}`;
  // Scientific: one digit before the point.
  let digits = (whole === '0' ? '' : whole) + frac;
  let exponent = whole === '0' ? 0 : whole.length - 1;
  if (whole === '0') {
    const lead = frac.length - frac.replace(/^0+/, '').length;
    exponent = -(lead + 1);
    digits = frac.slice(lead);
  }
  const mantissaRest = digits.slice(1).replace(/0+$/, '');
  return `${sign}${digits[0]}.${mantissaRest || '0'}E${exponent}`;
}

// ---- parsing -------------------------------------------------------------------------------

const DATE_RE = /^(-?\d{1,4})-(\d{1,2})-(\d{1,2})$/;
const TIME_RE = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?$/;

export function parseDate(text: string): number | undefined {
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const days = daysFromCivil(year, month, day);
  const back = civilFromDays(days);
  return back.month === month && back.day === day ? days : undefined;
}

export function parseTime(text: string): bigint | undefined {
  const m = TIME_RE.exec(text.trim());
  if (!m) return undefined;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || min > 59 || s > 59) return undefined;
  const fraction = BigInt((m[4] ?? '').padEnd(6, '0').slice(0, 6) || '0');
  return (BigInt(h) * 3600n + BigInt(min) * 60n + BigInt(s)) * MICROS_PER_SECOND + fraction;
}

/** Civil date and optional time: `2024-01-02`, `2024-01-02 03:04:05.123`, `2024-01-02T03:04`. */
export function parseDatetime(text: string): bigint | undefined {
  const m = /^([^ T]+)(?:[ T](.+))?$/.exec(text.trim());
  if (!m) return undefined;
  const days = parseDate(m[1]!);
  if (days === undefined) return undefined;
  const time = m[2] === undefined ? 0n : parseTime(m[2]);
  if (time === undefined) return undefined;
  return BigInt(days) * MICROS_PER_DAY + time;
}

/** An absolute timestamp: a civil date-time with an optional zone (Z, UTC, +hh[:mm]); UTC if none. */
export function parseTimestamp(text: string): bigint | undefined {
  const m = /^(-?\d{1,4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d{1,9})?)?)?)\s*(Z|UTC|[+-]\d{1,2}(?::?\d{2})?)?$/i.exec(text.trim());
  if (!m) return undefined;
  const local = parseDatetime(m[1]!);
  if (local === undefined) return undefined;
  const zone = m[2]?.toUpperCase();
  if (!zone || zone === 'Z' || zone === 'UTC') return local;
  const z = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)!;
  const offset = (BigInt(Number(z[2])) * 3600n + BigInt(Number(z[3] ?? 0)) * 60n) * MICROS_PER_SECOND;
  return z[1] === '+' ? local - offset : local + offset;
}

/** Seconds since the epoch as a decimal string ("1700000000.5") → microseconds, exactly. */
export function parseEpochSeconds(text: string): bigint | undefined {
  const m = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  if (m[4] !== undefined) {
    const value = Number(text);
    return Number.isFinite(value) ? BigInt(Math.round(value * 1e6)) : undefined;
  }
  const micros = BigInt(m[2]!) * MICROS_PER_SECOND + BigInt((m[3] ?? '').padEnd(6, '0').slice(0, 6) || '0');
  return m[1] === '-' ? -micros : micros;
}
