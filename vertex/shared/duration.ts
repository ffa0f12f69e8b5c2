import type { IDuration } from './proto-types.js';
import { fail } from './errors.js';

/** `"3600s"`, `"1.5s"` (the protobuf JSON form), a number of seconds, or `{seconds, nanos}`. */
export type DurationInput = number | string | { seconds: number; nanos?: number };

const DURATION_STRING = /^(\d+)(?:\.(\d{1,9}))?s$/;

/**
 * protobufjs encodes a Duration given as a string ("3600s") as ZERO, so every duration
 * goes through here and leaves as `{seconds, nanos}`.
 */
export function toDuration(input: DurationInput, field: string): IDuration {
  let seconds: number;
  let nanos: number;
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) fail(field, `must be a non-negative number of seconds, got ${input}`);
    seconds = Math.floor(input);
    nanos = Math.round((input - seconds) * 1e9);
  } else if (typeof input === 'string') {
    const match = DURATION_STRING.exec(input);
    if (match === null) fail(field, `must look like "3600s" or "1.5s", got ${JSON.stringify(input)}`);
    seconds = Number(match[1]);
    nanos = match[2] === undefined ? 0 : Number(match[2].padEnd(9, '0'));
  } else {
    seconds = input.seconds;
    nanos = input.nanos ?? 0;
    if (!Number.isSafeInteger(seconds) || seconds < 0) fail(field, `seconds must be a non-negative integer, got ${seconds}`);
    if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) fail(field, `nanos must be an integer in [0, 999999999], got ${nanos}`);
  }
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return nanos === 0 ? { seconds } : { seconds, nanos };
}

/** Seconds (with fraction) of a Duration produced by toDuration. */
export function durationSeconds(duration: IDuration): number {
  return Number(duration.seconds ?? 0) + (duration.nanos ?? 0) / 1e9;
}

export function toPositiveDuration(input: DurationInput, field: string): IDuration {
  const duration = toDuration(input, field);
  if (durationSeconds(duration) <= 0) fail(field, 'must be longer than 0s');
  return duration;
}
