// What a functions bundle is made of, read from esbuild's metafile: the packages left external
// (the deployed package.json's dependencies) and the inputs that must never be bundled.
import { isBuiltin } from 'node:module';
import type { Metafile } from 'esbuild';

/** `@scope/name/deep/path` or `name/deep` → the package name. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Package names imported but left external, sorted (Node's builtins excluded). */
export function externalPackages(metafile: Metafile): string[] {
  const names = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imported of input.imports) {
      if (!imported.external || isBuiltin(imported.path)) continue;
      names.add(packageNameOf(imported.path));
    }
  }
  return [...names].sort();
}

/**
 * Packages the bundled code finds at run time with `require.resolve('<package>/...')` (e.g. the
 * Vertex proto descriptor inside @google-cloud/aiplatform): no import shows them in the metafile,
 * yet the deployed function needs them installed.
 */
export function packagesResolvedAtRunTime(bundledCode: string): string[] {
  const names = new Set<string>();
  for (const match of bundledCode.matchAll(/\brequire\d*\.resolve\(\s*["'`]([^"'`./][^"'`]*)["'`]/g)) {
    const specifier = match[1]!;
    if (!isBuiltin(specifier)) names.add(packageNameOf(specifier));
  }
  return [...names].sort();
}

/** The package an input file belongs to, when it comes from node_modules. */
function bundledPackageOf(inputPath: string): string | undefined {
  const at = inputPath.lastIndexOf('node_modules/');
  return at < 0 ? undefined : packageNameOf(inputPath.slice(at + 'node_modules/'.length));
}

export interface ForbiddenContent {
  /** Repo folders whose files must not be bundled (`emulators/`, `scripts/`, ...). */
  readonly folders: readonly string[];
  /** Packages that must be neither bundled nor imported (`@duckdb/`: a native addon that only the emulators use). */
  readonly packagePrefixes: readonly string[];
  /** Packages that may be bundled only if they are not dev dependencies of the root package. */
  readonly devDependencies: readonly string[];
}

/** Every reason the bundle must not ship, one line each (empty: it may). */
export function forbiddenContent(metafile: Metafile, forbidden: ForbiddenContent): string[] {
  const problems: string[] = [];
  const isForbiddenPackage = (name: string) => forbidden.packagePrefixes.some((prefix) => name.startsWith(prefix));
  for (const [path, input] of Object.entries(metafile.inputs)) {
    const folder = forbidden.folders.find((f) => path.startsWith(f));
    if (folder) problems.push(`${path} is bundled: nothing under ${folder} may reach the deployed functions`);
    const pkg = bundledPackageOf(path);
    if (pkg && isForbiddenPackage(pkg)) problems.push(`${path} is bundled: ${pkg} must not reach the deployed functions`);
    if (pkg && forbidden.devDependencies.includes(pkg)) problems.push(`${path} is bundled: ${pkg} is a dev dependency`);
    for (const imported of input.imports) {
      if (!imported.external || isBuiltin(imported.path)) continue;
      const name = packageNameOf(imported.path);
      if (isForbiddenPackage(name)) problems.push(`${path} imports ${imported.path}: ${name} must not reach the deployed functions`);
    }
  }
  return [...new Set(problems)];
}
