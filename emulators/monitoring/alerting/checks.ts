// Checks shared by channels and policies: Google's rules for user labels and text lengths, and the
// mutation records every write stamps.
import { formatTimestamp } from '../proto-json.js';
import { invalidField } from '../validation.js';
import type { Labels, MutationRecord } from './model.js';

/** Who the records say made a change: the emulator has no signed-in user. */
export const EMULATOR_USER = 'local-emulator@localhost';

const MAX_USER_LABELS = 64;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

/** "Up to 64 entries; keys and values lowercase letters, numerals, underscores and dashes, at most 63 characters; keys begin with a letter." */
export function checkUserLabels(labels: Labels, field: string): void {
  const entries = Object.entries(labels);
  if (entries.length > MAX_USER_LABELS) throw invalidField(field, `At most ${MAX_USER_LABELS} user labels are allowed.`);
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key)) throw invalidField(`${field}[${key}]`, 'Label keys must begin with a lowercase letter and contain at most 63 lowercase letters, numerals, underscores and dashes.', key);
    if (!LABEL_VALUE.test(value)) throw invalidField(`${field}[${key}]`, 'Label values may contain at most 63 lowercase letters, numerals, underscores and dashes.', value);
  }
}

/** Limits counted in Unicode characters (code points), as Google states them. */
export function checkLength(value: string | undefined, max: number, field: string): void {
  if (value !== undefined && [...value].length > max) throw invalidField(field, `The value may not exceed ${max} characters.`, value.length > 80 ? `${value.slice(0, 80)}...` : value);
}

export function checkBytes(value: string | undefined, max: number, field: string): void {
  if (value !== undefined && Buffer.byteLength(value, 'utf8') > max) throw invalidField(field, `The value may not exceed ${max} bytes.`);
}

export function mutationRecord(nowMs: number): MutationRecord {
  return { mutateTime: formatTimestamp(BigInt(nowMs) * 1_000_000n), mutatedBy: EMULATOR_USER };
}

export function required<T>(value: T | undefined, field: string): T {
  if (value === undefined || value === '') throw invalidField(field, 'The field is required.');
  return value;
}
