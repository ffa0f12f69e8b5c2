import { fail } from './errors.js';

// Google Cloud label rules: at most 64 labels; keys 1-63 characters starting with a
// lowercase letter; keys and values use lowercase letters, digits, `_` and `-`
// (international lowercase letters allowed); values may be empty. Lengths count code points.
const MAX_LABELS = 64;
const KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

/** Every broken label rule, as (field suffix, problem); empty when the labels are fine. */
export function labelProblems(labels: Readonly<Record<string, unknown>>): { key: string | undefined; problem: string }[] {
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) return [{ key: undefined, problem: `at most ${MAX_LABELS} labels are allowed, got ${entries.length}` }];
  const problems: { key: string | undefined; problem: string }[] = [];
  for (const [key, value] of entries) {
    if (!KEY.test(key)) {
      problems.push({ key, problem: 'label keys must be 1-63 characters, start with a lowercase letter and use only lowercase letters, digits, "_" and "-"' });
    } else if (typeof value !== 'string' || !VALUE.test(value)) {
      problems.push({ key, problem: `label values must be 0-63 lowercase letters, digits, "_" or "-", got ${JSON.stringify(value)}` });
    }
  }
  return problems;
}

/** Returns a copy of `labels` after checking Google's label rules; undefined stays undefined. */
export function validateLabels(labels: Readonly<Record<string, string>> | undefined, field = 'labels'): Record<string, string> | undefined {
  if (labels === undefined) return undefined;
  const first = labelProblems(labels)[0];
  if (first !== undefined) fail(first.key === undefined ? field : `${field}.${first.key}`, first.problem);
  return { ...labels };
}

/** Lowercases and replaces disallowed characters, for turning free text into a label value. */
export function toLabelValue(text: string): string {
  return text.toLowerCase().replace(/[^\p{Ll}\p{Lo}\p{N}_-]+/gu, '-').slice(0, 63);
}
