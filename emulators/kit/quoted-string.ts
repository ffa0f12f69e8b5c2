// Quoted strings as Google's filter languages (Monitoring, Logging) write them: the opening quote
// closes the string, and backslash escapes only the characters both languages document.
const ESCAPES: Partial<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r', "'": "'" };

/** Reports a syntax error at a position in the filter; each language throws its own error type. */
export type SyntaxFailure = (message: string, pos: number) => never;

/** Reads the string whose opening quote is at `open`: its decoded text and the index after the closing quote. */
export function readQuotedString(filter: string, open: number, fail: SyntaxFailure): [string, number] {
  const quote = filter[open]!;
  let out = '';
  let i = open + 1;
  while (i < filter.length) {
    const c = filter[i]!;
    if (c === quote) return [out, i + 1];
    if (c === '\\') {
      const e = filter[i + 1];
      const decoded = e === undefined ? undefined : ESCAPES[e];
      if (decoded === undefined) fail('invalid escape sequence in string', i);
      out += decoded;
      i += 2;
    } else {
      out += c;
      i += 1;
    }
  }
  return fail('unterminated string', open);
}
