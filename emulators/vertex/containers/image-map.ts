// Which local command stands in for a container image: the entries of image-map.json, validated
// and matched in file order (first match wins).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The one mapping file every launch consults. */
export const DEFAULT_IMAGE_MAP_FILE = fileURLToPath(new URL('./image-map.json', import.meta.url));
/** Repository root, substituted for `${REPO_ROOT}` in entrypoints and env values. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

/**
 * - `python3`: the command runs on the host; a leading `python`/`python3[.X]` becomes /usr/bin/python3.
 * - `shell`: the command runs on the host as written (the image's tools are assumed present).
 * - `exec`: the image is emulated by `entrypoint`; the container's command and args follow it.
 */
export type RunMode = 'python3' | 'shell' | 'exec';

const entrySchema = z
  .strictObject({
    pattern: z.string().min(1),
    run: z.enum(['python3', 'shell', 'exec']),
    description: z.string().min(1),
    entrypoint: z.array(z.string().min(1)).min(1).optional(),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
  })
  .refine((e) => e.run !== 'exec' || e.entrypoint !== undefined, { message: "run 'exec' needs an entrypoint", path: ['entrypoint'] });

const mapSchema = z.array(entrySchema);

export interface ImageMapping {
  readonly pattern: string;
  readonly run: RunMode;
  readonly description: string;
  readonly entrypoint?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export class ImageMapError extends Error {
  override readonly name = 'ImageMapError';
}

/** The message names the image and the file to edit, so whoever sees a failed task knows the fix. */
export class UnmappedImageError extends Error {
  override readonly name = 'UnmappedImageError';
  constructor(
    readonly image: string,
    readonly mapFile: string,
  ) {
    super(`Container image '${image}' has no local mapping: add an entry whose pattern matches it to ${mapFile}`);
  }
}

export class ImageMap {
  private constructor(
    readonly file: string,
    private readonly entries: readonly { mapping: ImageMapping; matcher: RegExp }[],
  ) {}

  /** Read and validate a map file (default: image-map.json next to this module). */
  static load(file: string = DEFAULT_IMAGE_MAP_FILE, repoRoot: string = REPO_ROOT): ImageMap {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ImageMapError(`Cannot read image map ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return ImageMap.fromJson(raw, file, repoRoot);
  }

  /** Validate already-parsed map content; `file` is only used in messages. */
  static fromJson(raw: unknown, file: string, repoRoot: string = REPO_ROOT): ImageMap {
    const parsed = mapSchema.safeParse(raw);
    if (!parsed.success) throw new ImageMapError(`Invalid image map ${file}:\n${z.prettifyError(parsed.error)}`);
    const expand = (s: string) => s.replaceAll('${REPO_ROOT}', repoRoot);
    const entries = parsed.data.map((e, i) => {
      let matcher: RegExp;
      try {
        matcher = patternToRegExp(e.pattern);
      } catch (err) {
        throw new ImageMapError(`Invalid image map ${file}: entry ${i} pattern '${e.pattern}': ${err instanceof Error ? err.message : String(err)}`);
      }
      const mapping: ImageMapping = {
        pattern: e.pattern,
        run: e.run,
        description: e.description,
        env: Object.fromEntries(Object.entries(e.env ?? {}).map(([k, v]) => [k, expand(v)])),
        ...(e.entrypoint ? { entrypoint: e.entrypoint.map(expand) } : {}),
      };
      return { mapping, matcher };
    });
    return new ImageMap(file, entries);
  }

  /** The first entry matching the image (Docker Hub prefixes ignored), if any. */
  resolve(image: string): ImageMapping | undefined {
    const name = normalizeImage(image);
    return this.entries.find((e) => e.matcher.test(name))?.mapping;
  }

  /** Like `resolve`, but an unmapped image is an error naming the map file. */
  require(image: string): ImageMapping {
    const mapping = this.resolve(image);
    if (!mapping) throw new UnmappedImageError(image, this.file);
    return mapping;
  }
}

/** `docker.io/library/alpine:3` and `alpine:3` are the same image. */
function normalizeImage(image: string): string {
  return image.trim().replace(/^(?:index\.)?docker\.io\/(?:library\/)?/, '');
}

/**
 * `/.../` is a regular expression (used as written); anything else a glob anchored at both ends:
 * `*` any run of characters, `?` one character, `{a,b}` alternatives.
 */
function patternToRegExp(pattern: string): RegExp {
  if (pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/')) return new RegExp(pattern.slice(1, -1));
  let out = '';
  let depth = 0;
  for (const ch of pattern) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if (ch === '{') {
      depth++;
      out += '(?:';
    } else if (ch === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (ch === ',' && depth > 0) out += '|';
    else out += ch.replace(/[.+^$()|[\]\\/{}]/g, '\\$&');
  }
  if (depth !== 0) throw new Error("unbalanced '{' in glob");
  return new RegExp(`^${out}$`);
}
