// Run-time parameters for the engine as plain JSON: `parameterValues` (google.protobuf.Value, plain
// JSON on the wire) and the deprecated `parameters` map of aiplatform Values ({intValue|doubleValue|stringValue}).
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject } from '../api/wire-json.js';

export function plainParameterValues(runtimeConfig: JsonObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (isPlainObject(runtimeConfig.parameters)) {
    for (const [key, value] of Object.entries(runtimeConfig.parameters)) {
      if (!isPlainObject(value)) continue;
      if (value.intValue !== undefined) out[key] = Number(value.intValue);
      else if (value.doubleValue !== undefined) out[key] = Number(value.doubleValue);
      else if (value.stringValue !== undefined) out[key] = value.stringValue;
    }
  }
  if (isPlainObject(runtimeConfig.parameterValues)) Object.assign(out, runtimeConfig.parameterValues);
  return out;
}
