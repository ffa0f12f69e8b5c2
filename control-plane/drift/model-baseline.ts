// A model version's drift baseline: `baseline_statistics.json` and `input_schema.json` beside its
// serving artifacts (written by the training pipeline's export step). Versions are immutable, so a
// version's baseline is read once per instance and kept.
import { parseGcsUri } from '../../vertex/shared/storage-uris.js';
import { failedPrecondition, httpStatus } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { BaselineStatistics } from './baseline.js';
import { parseBaseline } from './baseline.js';

export interface VersionBaseline {
  readonly baseline: BaselineStatistics;
  /** The served instance layout (derived features, positions); undefined when the version has none. */
  readonly inputSchema: unknown;
}

const cache = new Map<string, Promise<VersionBaseline>>();
const MAX_CACHED = 64;

async function readJson(ctx: ControlPlaneContext, uri: string): Promise<unknown> {
  const location = parseGcsUri(uri);
  if (!location?.object) throw failedPrecondition(`${uri} is not a Cloud Storage object`);
  const { downloadObject } = await import('../../google-clients/download-object.js');
  let bytes: Buffer;
  try {
    bytes = await downloadObject(location.bucket, location.object, { ce: ctx.ce, storage: await ctx.clients.mediaStorage() });
  } catch (err) {
    if (httpStatus(err) === 404) return undefined;
    throw err;
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw failedPrecondition(`${uri} is not JSON`);
  }
}

async function load(ctx: ControlPlaneContext, version: string): Promise<VersionBaseline> {
  const [model] = await (await ctx.clients.models()).getModel({ name: version });
  const base = (model.artifactUri ?? '').replace(/\/+$/, '');
  if (base === '') throw failedPrecondition(`${version} has no artifactUri: there is no baseline to compare with`);
  const [statistics, inputSchema] = await Promise.all([readJson(ctx, `${base}/baseline_statistics.json`), readJson(ctx, `${base}/input_schema.json`)]);
  if (statistics === undefined) throw failedPrecondition(`${version} has no ${base}/baseline_statistics.json: it was not exported by the training pipeline`);
  return { baseline: parseBaseline(statistics), inputSchema };
}

/** The version's baseline (`projects/.../models/m@N`); a failed read is not kept. */
export function versionBaseline(ctx: ControlPlaneContext, version: string): Promise<VersionBaseline> {
  let entry = cache.get(version);
  if (entry === undefined) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    entry = load(ctx, version);
    entry.catch(() => cache.delete(version));
    cache.set(version, entry);
  }
  return entry;
}
