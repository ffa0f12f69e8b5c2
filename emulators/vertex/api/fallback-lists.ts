// Lists inside lists back from the Node REST fallback's mangling. google-gax (6.x,
// transcoding.ts deepCopyWithoutMatchedFields) copies every list element with
// `Object.assign({}, element)`, so a list that is itself an element of a list (a
// google.protobuf.Value with `listValue` in PredictRequest.instances, or deeper) reaches the
// server as `{"0": a, "1": b}`. Over gRPC, which production uses, Vertex receives the list;
// the emulator, reached only through the REST fallback, restores it so the model server sees
// what it would see on Google.

import { isPlainObject } from './wire-json.js';

/**
 * `value` with every list element of the form `{"0": a, …, "n-1": z}` (n ≥ 1, exactly those
 * keys) turned back into `[a, …, z]`, at any depth. Only elements of lists that arrived as lists
 * are touched: that is the only place the fallback produces them, so a struct with such keys
 * elsewhere (as a member of a struct or of a restored list) is kept. An empty inner list
 * arrives as `{}` and stays an empty struct: nothing tells the two apart.
 */
export function restoreFallbackLists(value: unknown): unknown {
  if (Array.isArray(value)) {
    // A restored list's entries were copied as an object's members, not as list elements.
    return value.map((element: unknown) => asList(element)?.map(restoreFallbackLists) ?? restoreFallbackLists(element));
  }
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreFallbackLists(v)]));
  return value;
}

/** The list an `Object.assign({}, list)` copy came from, or undefined when it is not one. */
function asList(value: unknown): unknown[] | undefined {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length === 0 || !keys.every((key, i) => key === String(i))) return undefined;
  return keys.map((key) => value[key]);
}
