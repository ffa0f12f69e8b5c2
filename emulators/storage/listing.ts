// Object listing over the bucket directory: a walk in Cloud Storage's order (UTF-8 byte order of
// names) that prunes subtrees outside the requested range, then prefix/delimiter collapsing,
// offsets, matchGlob and paging with opaque tokens.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { badRequest } from '../kit/google-error.js';
import { isErrno } from '../kit/fs-atomic.js';
import { decodePageToken as decodeCursor, encodePageToken as encodeCursor } from '../kit/page-token.js';
import { globToRegExp } from './glob.js';
import { compareNames, parseObjectName } from './names.js';

export interface ListObjectsOptions {
  prefix?: string | undefined;
  delimiter?: string | undefined;
  pageToken?: string | undefined;
  /** Items and prefixes together, as Cloud Storage counts them; default and maximum 1000. */
  maxResults?: number | undefined;
  /** Inclusive lower bound on names. */
  startOffset?: string | undefined;
  /** Exclusive upper bound on names. */
  endOffset?: string | undefined;
  matchGlob?: string | undefined;
  /** Also list objects that end in the delimiter (folder placeholders) as items. */
  includeTrailingDelimiter?: boolean | undefined;
}

export interface Candidate {
  name: string;
  folder: boolean;
}

export type ListEntry = { kind: 'item'; name: string } | { kind: 'prefix'; prefix: string };

const DEFAULT_MAX_RESULTS = 1000;

interface PageToken {
  /** Last name or prefix returned. */
  k: string;
  /** Whether `k` was a prefix: every name under it was covered. */
  p: boolean;
}

function encodePageToken(token: PageToken): string {
  return encodeCursor(token);
}

function decodePageToken(text: string): PageToken {
  const token = decodeCursor(text, (value) => {
    const v = value as Partial<PageToken> | null;
    return v && typeof v === 'object' && typeof v.k === 'string' && typeof v.p === 'boolean' ? { k: v.k, p: v.p } : undefined;
  });
  if (!token) throw badRequest(`Invalid pageToken '${text}'`, { location: 'pageToken' });
  return token;
}

/**
 * Candidate object names under `bucketDir`, in listing order. `enter(dirKey)` decides whether a
 * directory (key = its name prefix ending in '/') is walked; `isFolder(name)` whether a directory
 * is itself a folder placeholder object.
 */
export async function* walkBucket(bucketDir: string, enter: (dirKey: string) => boolean, isFolder: (name: string) => Promise<boolean>, rel = ''): AsyncGenerator<Candidate> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(bucketDir, rel), { withFileTypes: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return;
    throw err;
  }
  const keyed: { key: string; dir: boolean }[] = [];
  for (const entry of entries) {
    // Symbolic links and special files are not objects (a link could lead outside the root).
    if (!entry.isFile() && !entry.isDirectory()) continue;
    const key = rel + entry.name + (entry.isDirectory() ? '/' : '');
    if (!isListableName(key)) continue;
    keyed.push({ key, dir: entry.isDirectory() });
  }
  keyed.sort((a, b) => compareNames(a.key, b.key));
  for (const { key, dir } of keyed) {
    if (!dir) {
      yield { name: key, folder: false };
      continue;
    }
    if (!enter(key)) continue;
    if (await isFolder(key)) yield { name: key, folder: true };
    yield* walkBucket(bucketDir, enter, isFolder, key);
  }
}

/** Whether a walk yields anything at all (it is stopped after the first candidate). */
export async function hasCandidates(candidates: AsyncGenerator<Candidate>): Promise<boolean> {
  const first = await candidates.next();
  await candidates.return(undefined);
  return first.done !== true;
}

/** Files dropped into the data directory may have names no API call could create: skip them. */
function isListableName(name: string): boolean {
  try {
    parseObjectName(name);
    return true;
  } catch {
    return false;
  }
}

/** The listing plan: which subtrees to walk, which names to keep, how to collapse and page. */
export class ListingPlan {
  readonly prefix: string;
  readonly delimiter: string | undefined;
  readonly maxResults: number;
  private readonly after: PageToken | undefined;
  private readonly glob: RegExp | undefined;
  /** The last prefix emitted: names under it need no walk, they would collapse into it again. */
  private collapsed: string | undefined;

  constructor(private readonly options: ListObjectsOptions) {
    this.prefix = options.prefix ?? '';
    this.delimiter = options.delimiter || undefined;
    const max = options.maxResults ?? DEFAULT_MAX_RESULTS;
    if (!Number.isInteger(max) || max < 1) throw badRequest(`Invalid maxResults: ${max}`, { location: 'maxResults' });
    this.maxResults = Math.min(max, DEFAULT_MAX_RESULTS);
    this.after = options.pageToken ? decodePageToken(options.pageToken) : undefined;
    this.glob = options.matchGlob ? globToRegExp(options.matchGlob) : undefined;
  }

  /** Walk a directory only if some name under it could be listed. */
  enter = (dirKey: string): boolean => {
    if (!(dirKey.startsWith(this.prefix) || this.prefix.startsWith(dirKey))) return false;
    if (this.collapsed !== undefined && dirKey.startsWith(this.collapsed)) return false;
    if (this.wholeSubtreeBefore(dirKey, this.options.startOffset)) return false;
    if (this.after) {
      if (this.after.p && dirKey.startsWith(this.after.k)) return false;
      if (this.wholeSubtreeBefore(dirKey, this.after.k)) return false;
    }
    if (this.options.endOffset !== undefined && compareNames(dirKey, this.options.endOffset) >= 0) return false;
    return true;
  };

  /** Every name starting with `dirKey` sorts before `bound`. */
  private wholeSubtreeBefore(dirKey: string, bound: string | undefined): boolean {
    return bound !== undefined && compareNames(dirKey, bound) < 0 && !bound.startsWith(dirKey);
  }

  /** True once no later name (in listing order) can match: the walk can stop. */
  pastEnd(name: string): boolean {
    if (this.options.endOffset !== undefined && compareNames(name, this.options.endOffset) >= 0) return true;
    return !name.startsWith(this.prefix) && compareNames(name, this.prefix) > 0;
  }

  /** Turn candidate names (in order) into entries: filtered, collapsed, deduplicated. */
  async *entries(candidates: AsyncIterable<Candidate>): AsyncGenerator<ListEntry> {
    for await (const { name } of candidates) {
      if (this.pastEnd(name)) return;
      if (!name.startsWith(this.prefix)) continue;
      if (this.options.startOffset !== undefined && compareNames(name, this.options.startOffset) < 0) continue;
      if (this.after && (compareNames(name, this.after.k) <= 0 || (this.after.p && name.startsWith(this.after.k)))) continue;
      if (this.glob && !this.glob.test(name)) continue;
      if (this.delimiter) {
        const rest = name.slice(this.prefix.length);
        const at = rest.indexOf(this.delimiter);
        if (at >= 0) {
          const prefix = this.prefix + rest.slice(0, at + this.delimiter.length);
          if (prefix !== this.collapsed) {
            this.collapsed = prefix;
            yield { kind: 'prefix', prefix };
          }
          const isTrailing = at + this.delimiter.length === rest.length;
          if (!(isTrailing && this.options.includeTrailingDelimiter)) continue;
        }
      }
      yield { kind: 'item', name };
    }
  }

  tokenAfter(entry: ListEntry): string {
    return encodePageToken(entry.kind === 'prefix' ? { k: entry.prefix, p: true } : { k: entry.name, p: false });
  }
}
