// UpdateJob's field mask over the stored job: each named field (`schedule`, `retry_config`,
// `http_target.uri`...) is copied from the request's job, or cleared when the request leaves it
// unset. Without a mask, every field the request sets is updated. Setting one target replaces the
// other (they are a oneof).
import { badRequest } from '../kit/google-error.js';
import { didYouMean, snakeToCamel } from '../../common/suggest.js';
import { OUTPUT_ONLY_FIELDS, SUBFIELDS, TARGET_FIELDS, WRITABLE_FIELDS } from './job-schema.js';

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A mask path in JSON names (`retryConfig.retryCount`), checked against Job's writable fields. */
function maskPath(raw: string): string[] {
  const parts = raw.split('.').map((p) => snakeToCamel(p.trim()));
  const [top, sub, ...rest] = parts;
  const invalid = (why: string) => badRequest(`Invalid update_mask: '${raw}' ${why}.`, { location: 'update_mask' });
  if (!top) throw invalid('is empty');
  if ((OUTPUT_ONLY_FIELDS as readonly string[]).includes(top)) throw invalid('names a field that is output only or cannot be changed');
  if (!(WRITABLE_FIELDS as readonly string[]).includes(top)) throw invalid(`is not a field of google.cloud.scheduler.v1.Job${didYouMean(top, WRITABLE_FIELDS)}`);
  if (sub !== undefined) {
    const subfields = SUBFIELDS[top];
    if (!subfields) throw invalid(`names a sub-field of '${top}', which has none`);
    if (!subfields.includes(sub) || rest.length > 0) throw invalid(`is not a field of ${top}${didYouMean(sub, subfields)}`);
  }
  return sub === undefined ? [top] : [top, sub];
}

export function applyUpdateMask(current: JsonObject, patch: JsonObject, mask: readonly string[] | undefined): JsonObject {
  const paths = mask && mask.length > 0 ? mask.map(maskPath) : WRITABLE_FIELDS.filter((f) => patch[f] !== undefined && patch[f] !== null).map((f) => [f]);
  const merged = structuredClone(current);
  for (const [top, sub] of paths as [string, string | undefined][]) {
    if (sub === undefined) {
      if (patch[top] === undefined || patch[top] === null) delete merged[top];
      else merged[top] = structuredClone(patch[top]);
      continue;
    }
    const from = isObject(patch[top]) ? patch[top][sub] : undefined;
    const into = isObject(merged[top]) ? merged[top] : (merged[top] = {});
    if (from === undefined || from === null) delete into[sub];
    else into[sub] = structuredClone(from);
  }
  const touched = new Set(paths.map(([top]) => top));
  const newTarget = TARGET_FIELDS.find((t) => touched.has(t) && merged[t] !== undefined);
  if (newTarget) for (const t of TARGET_FIELDS) if (t !== newTarget) delete merged[t];
  return merged;
}
