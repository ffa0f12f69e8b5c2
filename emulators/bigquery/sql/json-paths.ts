// JSON_VALUE calls that read the same column share one parse. DuckDB's JSON functions parse their
// input on every call, so N keys of one payload cost N parses (and the validity and type checks
// more). Every call on a column instead extracts the whole list of the statement's literal paths on
// that column — `json_extract(x, ['$.a', '$.b'])`, one parse — and takes its own element: the list
// expression is then the same text in each call, and DuckDB's common-subexpression pass computes
// it once per row for a SELECT list.
import type { Token } from './tokenizer.js';
import { isOp, kw } from './tokenizer.js';

const SCALAR_FUNCTIONS = new Set(['JSON_VALUE', 'JSON_EXTRACT_SCALAR']);

/**
 * The key of an argument that is a plain column path (`p`, `log.payload`, `` `t`.c ``), the only
 * arguments grouped: deterministic, and translated to the same SQL wherever they appear.
 */
export function columnKey(tokens: readonly Token[]): string | undefined {
  if (tokens.length === 0 || tokens.length % 2 === 0) return undefined;
  const parts: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (k % 2 === 1) {
      if (!isOp(t, '.')) return undefined;
    } else if (t.kind === 'ident' || t.kind === 'quoted') parts.push(t.value.toLowerCase());
    else return undefined;
  }
  return parts.join('.');
}

/**
 * A path extracted in a group: a literal JSONPath into members and positions (`$`, `$.a.b`,
 * `$[0]`); wildcards and recursive descent make a list per path, so they keep their own call.
 */
export function groupablePath(path: string): boolean {
  return path.startsWith('$') && !path.includes('*') && !path.includes('..');
}

/** Column key → the sorted literal paths of every JSON_VALUE / JSON_EXTRACT_SCALAR on it. */
export function jsonPathGroups(tokens: readonly Token[], close: (open: number) => number): Map<string, string[]> {
  const groups = new Map<string, Set<string>>();
  for (let i = 0; i + 1 < tokens.length; i++) {
    if (!SCALAR_FUNCTIONS.has(kw(tokens[i])) || !isOp(tokens[i + 1], '(')) continue;
    const end = close(i + 1);
    let comma = i + 2;
    while (comma < end && !isOp(tokens[comma], ',')) comma++;
    const key = columnKey(tokens.slice(i + 2, comma));
    if (key === undefined) continue;
    let path: string | undefined;
    if (comma === end) path = '$';
    else if (end === comma + 2 && tokens[comma + 1]!.kind === 'string') path = tokens[comma + 1]!.value;
    if (path === undefined || !groupablePath(path)) continue;
    const paths = groups.get(key) ?? new Set<string>();
    paths.add(path);
    groups.set(key, paths);
  }
  return new Map([...groups].map(([key, paths]) => [key, [...paths].sort()]));
}
