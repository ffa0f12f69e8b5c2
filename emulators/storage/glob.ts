// `matchGlob` for object listing, as Cloud Storage defines it: `*` (not across '/'), `**` (across
// '/'; `**/` also matches no directory), `?`, `[abc]`, `[!abc]`, `[a-z]`, `{a,b}`, `\` escapes.
import { badRequest } from '../kit/google-error.js';

export function globToRegExp(glob: string): RegExp {
  let out = '';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') {
      const next = glob[++i];
      if (next === undefined) throw invalid(glob, 'trailing backslash');
      out += escape(next);
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else {
          out += '.*';
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) throw invalid(glob, "unclosed '['");
      let body = glob.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else if (c === '{') {
      braceDepth++;
      out += '(?:';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      out += ')';
    } else if (c === ',' && braceDepth > 0) {
      out += '|';
    } else {
      out += escape(c);
    }
  }
  if (braceDepth > 0) throw invalid(glob, "unclosed '{'");
  return new RegExp(`^${out}$`, 's');
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function invalid(glob: string, why: string) {
  return badRequest(`Invalid matchGlob '${glob}': ${why}`, { location: 'matchGlob' });
}
