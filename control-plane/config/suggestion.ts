// The did-you-mean tail of a model-spec error message, in one spelling for every check.
import { closestName } from '../../common/suggest.js';

/** ` (did you mean 'x'?)`, or nothing when there is no suggestion. */
export function suggestion(match: string | undefined): string {
  return match === undefined ? '' : ` (did you mean '${match}'?)`;
}

/** `must be one of a, b, c, got "x" (did you mean 'y'?)`. */
export function notOneOf(value: unknown, allowed: readonly string[]): string {
  const guess = typeof value === 'string' ? closestName(value, allowed) : undefined;
  return `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}${suggestion(guess)}`;
}

/** The unknown-field message for `key` among `known` fields. */
export function unknownField(key: string, known: readonly string[]): string {
  return `unknown field${suggestion(closestName(key, known))}`;
}
