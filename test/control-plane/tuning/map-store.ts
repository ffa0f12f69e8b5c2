// JsonObjectStore's surface over a map (generations, compare-and-swap, prefix listing), for the
// tuning state's unit tests; `fault` may throw before a write to stand in for a crash there.
import type { JsonObjectStore } from '../../../control-plane/state/json-object-store.js';

/** The value (or the throw) as a promise, as the store's calls answer. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}

export class MapStore {
  readonly objects = new Map<string, { value: string; generation: number }>();
  private generation = 0;
  /** Called before each create or replace with the path; throwing stands in for a crash there. */
  fault: ((op: 'create' | 'replace', path: string, value: unknown) => void) | undefined;

  asStore(): JsonObjectStore {
    return {
      read: (path: string, schema: { parse(v: unknown): unknown }) => settle(() => {
        const found = this.objects.get(path);
        return found ? { value: schema.parse(JSON.parse(found.value)), generation: String(found.generation) } : undefined;
      }),
      create: (path: string, value: unknown) => settle(() => {
        this.fault?.('create', path, value);
        if (this.objects.has(path)) return undefined;
        this.objects.set(path, { value: JSON.stringify(value), generation: ++this.generation });
        return String(this.generation);
      }),
      replace: (path: string, value: unknown, generation: string) => settle(() => {
        this.fault?.('replace', path, value);
        const found = this.objects.get(path);
        if (!found || String(found.generation) !== generation) return undefined;
        this.objects.set(path, { value: JSON.stringify(value), generation: ++this.generation });
        return String(this.generation);
      }),
      // As JsonObjectStore.list: newest created first, at most `limit`.
      list: (prefix: string, limit = Number.POSITIVE_INFINITY) => settle(() => [...this.objects.keys()].filter((k) => k.startsWith(prefix)).reverse().slice(0, limit)),
    } as unknown as JsonObjectStore;
  }
}
