// `monitoring.regex.full_match` patterns: Google evaluates them with RE2, so they are compiled
// with re2js (RE2 syntax, linear-time matching); a pattern RE2 refuses is a filter syntax error.
import { RE2JS, RE2JSException } from 're2js';
import { FilterSyntaxError } from './lexer.js';

/** A full-match test for an RE2 pattern, or a FilterSyntaxError at `pos` naming what RE2 refused. */
export function compileFullMatch(pattern: string, pos: number): (value: string) => boolean {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    if (!(err instanceof RE2JSException)) throw err;
    throw new FilterSyntaxError(`invalid regular expression ${JSON.stringify(pattern)} (RE2 syntax): ${err.message}`, pos);
  }
  return (value) => re.testExact(value);
}
