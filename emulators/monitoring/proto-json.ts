// Proto3 JSON scalars as Google's REST surface reads and writes them: RFC 3339 timestamps with up
// to nanosecond precision, durations like "60s", int64 as decimal strings, doubles with "NaN".
// Time is kept as bigint nanoseconds since the epoch so that no precision is lost on a round trip.

const NS_PER_MS = 1_000_000n;
export const NS_PER_SECOND = 1_000_000_000n;

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;
// google.protobuf.Timestamp spans 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z.
const MIN_SECONDS = -62_135_596_800n;
const MAX_SECONDS = 253_402_300_799n;

/** Parses an RFC 3339 timestamp to epoch nanoseconds, or undefined when it is not one. */
export function parseTimestamp(text: string): bigint | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  // Reject dates that JS silently rolls over (Feb 30, hour 24, second 60 ...).
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  if (date.getUTCHours() !== hour || date.getUTCMinutes() !== minute || date.getUTCSeconds() !== second) return undefined;
  let seconds = BigInt(date.getTime()) / 1000n;
  const zone = m[8]!;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const [zh, zm] = zone.slice(1).split(':').map(Number) as [number, number];
    if (zh > 23 || zm > 59) return undefined;
    seconds -= sign * BigInt(zh * 3600 + zm * 60);
  }
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) return undefined;
  const nanos = BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  return seconds * NS_PER_SECOND + nanos;
}

/** Formats epoch nanoseconds the way Google does: 0, 3, 6 or 9 fractional digits, always `Z`. */
export function formatTimestamp(ns: bigint): string {
  let seconds = ns / NS_PER_SECOND;
  let nanos = ns % NS_PER_SECOND;
  if (nanos < 0n) {
    nanos += NS_PER_SECOND;
    seconds -= 1n;
  }
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${base}${fraction(nanos)}Z`;
}

function fraction(nanos: bigint): string {
  if (nanos === 0n) return '';
  const digits = nanos.toString().padStart(9, '0');
  if (nanos % NS_PER_MS === 0n) return `.${digits.slice(0, 3)}`;
  if (nanos % 1000n === 0n) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

const DURATION = /^(-)?(\d{1,12})(?:\.(\d{1,9}))?s$/;

/** Parses a proto3 JSON duration ("60s", "1.5s") to nanoseconds. */
export function parseDuration(text: string): bigint | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const value = BigInt(m[2]!) * NS_PER_SECOND + BigInt((m[3] ?? '').padEnd(9, '0') || '0');
  return m[1] ? -value : value;
}

export function formatDuration(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  return `${sign}${abs / NS_PER_SECOND}${fraction(abs % NS_PER_SECOND)}s`;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** int64 arrives as a decimal string (what the Node client sends) or as a JSON number. */
export function parseInt64(raw: unknown): bigint | undefined {
  let value: bigint;
  if (typeof raw === 'string' && /^-?\d{1,19}$/.test(raw)) value = BigInt(raw);
  else if (typeof raw === 'number' && Number.isSafeInteger(raw)) value = BigInt(raw);
  else return undefined;
  return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
}

/** int32 accepts numbers and numeric strings, as the JSON mapping does. */
export function parseInt32(raw: unknown): number | undefined {
  const value = typeof raw === 'string' && /^-?\d{1,10}$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value)) return undefined;
  return value >= -(2 ** 31) && value < 2 ** 31 ? value : undefined;
}

/** Doubles accept numbers, numeric strings and the special strings "NaN", "Infinity", "-Infinity". */
export function parseDouble(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string') return undefined;
  if (raw === 'NaN') return Number.NaN;
  if (raw === 'Infinity') return Number.POSITIVE_INFINITY;
  if (raw === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (raw.trim() === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) return undefined;
  return Number(raw);
}

/** JSON cannot carry NaN or infinities: proto3 JSON spells them as strings. */
export function formatDouble(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

export function nowNs(): bigint {
  return BigInt(Date.now()) * NS_PER_MS;
}
