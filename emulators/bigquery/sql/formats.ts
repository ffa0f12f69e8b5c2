// BigQuery's format elements (FORMAT_TIMESTAMP, PARSE_DATE, ...) to DuckDB strftime/strptime.
// https://cloud.google.com/bigquery/docs/reference/standard-sql/format-elements
import { SqlError } from './sql-error.js';

const DIRECT: Record<string, string> = {
  F: '%Y-%m-%d',
  D: '%m/%d/%y',
  R: '%H:%M',
  T: '%H:%M:%S',
  k: '%-H',
  l: '%-I',
  e: '%-d',
  h: '%b',
  n: '\n',
  t: '\t',
};

const PASS = new Set([...'aAbBcdHIjmMpSuUwWyYVGzZxX%']);

/**
 * Rewrites a BigQuery format string for DuckDB. `utc` says the value is shown in UTC, so the
 * numeric zone elements can be written out literally (DuckDB prints `+00` where BigQuery prints
 * `+0000`).
 */
export function translateFormat(format: string, utc: boolean): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const next = format[i + 1];
    if (next === undefined) throw new SqlError(`Invalid format string: "${format}" ends in %`);
    if (next === 'E') {
      const m = /^%E(\*|[0-9])S|^%E(z)|^%E4Y/.exec(format.slice(i));
      if (!m) throw new SqlError(`Unsupported format element in "${format}"`);
      if (m[2] === 'z') out += utc ? '+00:00' : '%z';
      else if (m[0] === '%E4Y') out += '%Y';
      else if (m[1] === '0') out += '%S';
      else if (m[1] === '1' || m[1] === '2' || m[1] === '3') out += '%S.%g';
      else out += '%S.%f';
      i += m[0].length - 1;
      continue;
    }
    if (next === 'z' && utc) out += '+0000';
    else if (next in DIRECT) out += DIRECT[next]!;
    else if (PASS.has(next)) out += `%${next}`;
    else throw new SqlError(`Unsupported format element %${next} in "${format}"`);
    i++;
  }
  return out;
}
