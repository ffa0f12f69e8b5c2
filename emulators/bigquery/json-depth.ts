// How deeply parsed JSON values nest, measured without recursion, so that limits are checked
// before anything recursive (zod, JSON.stringify, structuredClone) could overflow the stack.

/** BigQuery's JSON type: "The JSON data type has a nesting limit of 500." */
export const JSON_MAX_NESTING = 500;

/** Whether arrays and objects in `value` nest more than `limit` levels (`{}` is 1, `{"a": []}` 2). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
