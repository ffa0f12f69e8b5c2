// The official MetadataServiceClient on the local Vertex, seen as real Vertex answers: every
// resource name in a response names the project by NUMBER, requests may use the number or the id,
// and a filter matches stored names in the number form only (as parent_contexts does on Vertex).
import type { MetadataServiceClient } from '../../../google-clients/vertex.js';

export const PROJECT_NUMBER = '123456789012';

type Mapper = (s: string) => string;

/** `value` with every string mapped, prototypes kept (decoded protobuf messages stay messages). */
function deepMap(value: unknown, map: Mapper, seen = new Map<object, unknown>()): unknown {
  if (typeof value === 'string') return map(value);
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return value;
  if (seen.has(value)) return seen.get(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const v of value) out.push(deepMap(v, map, seen));
    return out;
  }
  const out = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
  seen.set(value, out);
  // What the caller wrote in `metadata` comes back as written: only Vertex's own names change.
  for (const [k, v] of Object.entries(value)) out[k] = k === 'metadata' ? v : deepMap(v, map, seen);
  return out;
}

export interface NumberedClient {
  readonly client: MetadataServiceClient;
  /** Calls made through it, by method name. */
  readonly calls: Map<string, number>;
}

/** `inner` as Vertex answers: project `projectId` named by {@link PROJECT_NUMBER} in every response. */
export function projectNumberClient(inner: MetadataServiceClient, projectId: string, fail?: (method: string, request: Record<string, unknown>) => Error | undefined): NumberedClient {
  const byId = `projects/${projectId}/`;
  const byNumber = `projects/${PROJECT_NUMBER}/`;
  const toNumber: Mapper = (s) => s.replaceAll(byId, byNumber);
  const toId: Mapper = (s) => s.replaceAll(byNumber, byId);
  // A filter naming the project by id matches nothing (Vertex stores the number).
  const filterToId: Mapper = (s) => s.replaceAll(byId, 'projects/no-such-project/').replaceAll(byNumber, byId);
  const calls = new Map<string, number>();
  const client = new Proxy(inner, {
    get(target, prop, receiver) {
      const member = Reflect.get(target, prop, receiver) as unknown;
      if (typeof member !== 'function' || typeof prop !== 'string' || prop === 'close' || prop.startsWith('_')) return typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(target) : member;
      return async (request: Record<string, unknown>, ...rest: unknown[]) => {
        calls.set(prop, (calls.get(prop) ?? 0) + 1);
        const failure = fail?.(prop, request ?? {});
        if (failure) throw failure;
        const mapped = Object.fromEntries(Object.entries(request ?? {}).map(([k, v]) => [k, k === 'filter' && typeof v === 'string' ? filterToId(v) : deepMap(v, toId)]));
        const result: unknown = await (member as (...args: unknown[]) => Promise<unknown>).call(target, mapped, ...rest);
        return deepMap(result, toNumber);
      };
    },
  });
  return { client, calls };
}
