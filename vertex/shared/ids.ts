import { createHash } from 'node:crypto';

/** Lowercase `[a-z0-9-]` slug: other characters become `-`, runs collapse, ends trimmed. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Hex SHA-256 over the parts; JSON framing keeps ("a","bc") and ("ab","c") apart. */
function stableHash(parts: readonly string[], length = 16): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, length);
}

/**
 * `<slug>-<hash>` no longer than `maxLength`, starting with a letter: readable in the
 * console, unique per input because the hash covers the full, untruncated parts.
 */
export function deterministicId(readable: string, parts: readonly string[], maxLength: number, hashLength = 16): string {
  const hash = stableHash(parts, hashLength);
  let slug = slugify(readable);
  if (!/^[a-z]/.test(slug)) slug = `p-${slug}`.replace(/-+$/, '');
  slug = slug.slice(0, maxLength - hashLength - 1).replace(/-+$/, '');
  return `${slug}-${hash}`;
}
