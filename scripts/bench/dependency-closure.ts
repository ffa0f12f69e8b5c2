// Which installed packages a set of direct dependencies pulls in, read from package-lock.json
// (lockfileVersion 2/3 `packages`): what `npm install` puts in a deployed function's node_modules.
import { z } from 'zod';

const LockEntry = z.object({
  dependencies: z.record(z.string(), z.string()).optional(),
  optionalDependencies: z.record(z.string(), z.string()).optional(),
  peerDependencies: z.record(z.string(), z.string()).optional(),
  peerDependenciesMeta: z.record(z.string(), z.object({ optional: z.boolean().optional() }).loose()).optional(),
  dev: z.boolean().optional(),
}).loose();

export const PackageLock = z.object({
  lockfileVersion: z.number().int().min(2, 'lockfileVersion: must be 2 or 3 (a `packages` map)'),
  packages: z.record(z.string(), LockEntry),
}).loose();
export type PackageLock = z.infer<typeof PackageLock>;

/**
 * Where Node finds `name` when `from` (a lock key such as `node_modules/a`, or '' for the root)
 * requires it: `from/node_modules/name`, then each enclosing node_modules up to the top.
 */
function resolveFrom(lock: PackageLock, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!base) return undefined;
    const up = base.lastIndexOf('/node_modules/');
    base = up === -1 ? '' : base.slice(0, up);
  }
}

/**
 * Lock keys of every package the `roots` need, the roots included: dependencies, optional
 * dependencies that are installed, and required peer dependencies, followed transitively.
 * A root missing from the lock is an error (it would not install).
 */
export function dependencyClosure(lock: PackageLock, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const pending: string[] = [];
  for (const root of roots) {
    const key = resolveFrom(lock, '', root);
    if (!key) throw new Error(`dependency ${root}: not in package-lock.json`);
    pending.push(key);
  }
  while (pending.length) {
    const key = pending.pop()!;
    if (seen.has(key)) continue;
    seen.add(key);
    const entry = lock.packages[key]!;
    const optionalPeers = new Set(Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional).map(([n]) => n));
    const needed = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((n) => !optionalPeers.has(n)),
    ];
    for (const name of needed) {
      const found = resolveFrom(lock, key, name);
      // One the lock does not hold (an optional one npm left out, a peer nobody provides) is skipped.
      if (found && !seen.has(found)) pending.push(found);
    }
  }
  return [...seen].sort();
}
