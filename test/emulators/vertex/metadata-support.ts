// Shared by the ML Metadata tests: the official MetadataServiceClient pointed at a test emulator,
// and conversions between plain JSON and the Struct/Timestamp objects the client sends and decodes.
import { MetadataServiceClient } from '../../../google-clients/vertex.js';
import { vertexClientOptions } from '../../../google-clients/index.js';
import { toStruct } from '../../../vertex/shared/struct.js';
import type { JsonObject } from '../../../vertex/shared/struct.js';
import { LOCATION, PARENT, PROJECT } from './support.js';

export const STORE = `${PARENT}/metadataStores/default`;

export function metadataClient(port: number): MetadataServiceClient {
  return new MetadataServiceClient(vertexClientOptions(LOCATION, { projectId: PROJECT, env: { VERTEX_EMULATOR_HOST: `127.0.0.1:${port}` } }));
}

/** A plain object as the protobuf Struct the client sends. */
export function struct(value: JsonObject) {
  return toStruct(value, 'metadata');
}

type DecodedValue = { numberValue?: number; stringValue?: string; boolValue?: boolean; structValue?: DecodedStruct; listValue?: { values?: DecodedValue[] } };
type DecodedStruct = { fields?: Record<string, DecodedValue> };

function plainValue(v: DecodedValue): unknown {
  if (v.structValue) return plain(v.structValue);
  if (v.listValue) return (v.listValue.values ?? []).map(plainValue);
  return v.numberValue ?? v.stringValue ?? v.boolValue ?? null;
}

/** A Struct the client decoded, as a plain object. */
export function plain(value: unknown): Record<string, unknown> | undefined {
  if (!value) return undefined;
  return Object.fromEntries(Object.entries((value as DecodedStruct).fields ?? {}).map(([k, v]) => [k, plainValue(v)]));
}

/** A Timestamp the client decoded, in milliseconds. */
export function millis(value: unknown): number {
  const t = value as { seconds?: string | number; nanos?: number };
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

