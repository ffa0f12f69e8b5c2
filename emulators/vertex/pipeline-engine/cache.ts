// Execution cache: a task whose component, executor and resolved inputs match an earlier
// successful execution reuses that execution's outputs instead of running.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../kit/fs-atomic.js';
import type { ComponentSpec, ContainerSpec } from '../../../pipelines/ir/index.js';
import type { IOValues, RuntimeArtifact } from './runtime.js';
import type { JsonValue } from '../../../pipelines/ir/index.js';

export interface FingerprintParts {
  /** `projects/P/locations/L`: Vertex's cache lives in a project's metadata store. */
  parent: string;
  component: ComponentSpec;
  container: ContainerSpec;
  inputs: IOValues;
  /** `cachingOptions.cacheKey`: when set, it replaces the computed key (KFP semantics). */
  cacheKey?: string;
}

/** JSON with sorted keys: equal content, equal text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function cacheFingerprint(p: FingerprintParts): string {
  const key =
    p.cacheKey !== undefined && p.cacheKey !== ''
      ? { v: 1, parent: p.parent, cacheKey: p.cacheKey }
      : {
          v: 1,
          parent: p.parent,
          // Labels (comp-x-2, exec-x-2) differ between pipelines; the interface and container do not.
          inputDefinitions: p.component.inputDefinitions ?? {},
          outputDefinitions: p.component.outputDefinitions ?? {},
          container: { image: p.container.image, command: p.container.command ?? [], args: p.container.args ?? [], env: p.container.env ?? [] },
          parameters: Object.fromEntries(p.inputs.parameters),
          artifacts: Object.fromEntries([...p.inputs.artifacts].map(([k, list]) => [k, list.map((a) => ({ uri: a.uri, schemaTitle: a.schemaTitle }))])),
        };
  return createHash('sha256').update(canonical(key)).digest('hex');
}

const artifactSchema = z.object({
  name: z.string(),
  uri: z.string(),
  schemaTitle: z.string(),
  schemaVersion: z.string(),
  metadata: z.record(z.string(), z.json()),
});

const recordSchema = z.object({
  version: z.literal(1),
  fingerprint: z.string(),
  createTime: z.string(),
  producer: z.object({ job: z.string(), task: z.string() }),
  parameters: z.record(z.string(), z.json()),
  artifacts: z.record(z.string(), z.array(artifactSchema)),
});

export interface CacheHit {
  outputs: IOValues;
  producer: { job: string; task: string };
}

const fileOf = (dir: string, fingerprint: string) => join(dir, `${fingerprint}.json`);

/** The cached outputs, or undefined (absent or unreadable records are misses). */
export async function readCache(dir: string, fingerprint: string): Promise<CacheHit | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(fileOf(dir, fingerprint), 'utf8'));
  } catch {
    return undefined;
  }
  const parsed = recordSchema.safeParse(raw);
  if (!parsed.success || parsed.data.fingerprint !== fingerprint) return undefined;
  const r = parsed.data;
  return {
    producer: r.producer,
    outputs: {
      parameters: new Map(Object.entries(r.parameters as Record<string, JsonValue>)),
      artifacts: new Map(Object.entries(r.artifacts).map(([k, list]) => [k, list.map((a) => ({ ...a, metadata: a.metadata }))])),
    },
  };
}

export async function writeCache(dir: string, fingerprint: string, outputs: IOValues, producer: { job: string; task: string }): Promise<void> {
  const record = {
    version: 1,
    fingerprint,
    createTime: new Date().toISOString(),
    producer,
    parameters: Object.fromEntries(outputs.parameters),
    artifacts: Object.fromEntries(outputs.artifacts) as Record<string, RuntimeArtifact[]>,
  };
  // Readers of another job may look at the same key right now: publish whole files only.
  await writeFileAtomic(fileOf(dir, fingerprint), JSON.stringify(record, null, 2), dir);
}
