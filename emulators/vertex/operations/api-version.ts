// Operations as each REST surface renders them: the same operation read under `/v1beta1/` (where
// gcloud's operations client polls, whatever the command's track) carries v1beta1 type URLs.
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject } from '../api/wire-json.js';
import type { Operation } from './operations.js';
import { TYPE_PREFIX, V1 } from './operations.js';

/** The REST versions operations are served under; `ui` is the Node clients' binding of v1. */
export type OperationsApiVersion = 'v1' | 'v1beta1' | 'ui';

const V1_TYPE = `${TYPE_PREFIX}${V1}.`;
const V1BETA1_TYPE = `${TYPE_PREFIX}google.cloud.aiplatform.v1beta1.`;

function retype(any: JsonObject): JsonObject {
  const type = any['@type'];
  return typeof type === 'string' && type.startsWith(V1_TYPE) ? { ...any, '@type': V1BETA1_TYPE + type.slice(V1_TYPE.length) } : any;
}

/** The operation as `version` answers it (v1 and the Node clients' `ui` binding: unchanged). */
export function operationForVersion(op: Operation | JsonObject, version: OperationsApiVersion): JsonObject {
  const out: JsonObject = { ...op };
  if (version !== 'v1beta1') return out;
  if (isPlainObject(out.metadata)) out.metadata = retype(out.metadata);
  if (isPlainObject(out.response)) out.response = retype(out.response);
  return out;
}
