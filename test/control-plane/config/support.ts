import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { ModelSpecError, parseModelSpec } from '../../../control-plane/config/load-model-specs.js';

export const SHIPPED_FILE = 'models/flight-delay.yaml';
export const shippedText = readFileSync(new URL('../../../models/flight-delay.yaml', import.meta.url), 'utf8');

/** The shipped spec with `from` replaced by `to`; fails loudly when `from` is not in it (a stale test). */
export function edited(from: string, to: string, text = shippedText): string {
  expect(text, `the shipped spec no longer contains ${JSON.stringify(from)}`).toContain(from);
  return text.replace(from, to);
}

/** Parses `text` expecting a ModelSpecError on `field`, whose message matches `message`. */
export function expectSpecError(text: string, field: string, message: RegExp, file = SHIPPED_FILE): ModelSpecError {
  let caught: unknown;
  try {
    parseModelSpec(text, file);
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${field} to be refused`).toBeInstanceOf(ModelSpecError);
  const error = caught as ModelSpecError;
  expect(error.file).toBe(file);
  expect(error.problems.map((p) => p.field)).toContain(field);
  const line = error.message.split('\n').find((l) => l.startsWith(`${file}: ${field}: `));
  expect(line, error.message).toBeDefined();
  expect(line).toMatch(message);
  return error;
}
