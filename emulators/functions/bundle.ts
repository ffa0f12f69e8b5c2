// The deployable Cloud Functions source: functions/index.ts bundled by esbuild into one ESM file,
// the Google client libraries (which read their protos from disk) left external and listed in a
// generated package.json, the model specs beside it. `npm run build:functions` writes it; the
// local functions runtime serves the same directory, so what runs locally is what deploys.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { build } from 'esbuild';
import { externalPackages, forbiddenContent, packagesResolvedAtRunTime } from './bundle-contents.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Packages left external: they load files at run time relative to their own install (protos, JSON descriptors). */
const RUNTIME_EXTERNALS = ['@google-cloud/*', '@grpc/*', 'google-gax', 'google-gax/*', 'google-auth-library', 'protobufjs', 'protobufjs/*'];
/**
 * Imported by bundled code only inside a try, which does without it: vega-canvas tries `canvas` (a
 * native addon) and the tuning plots, SVG, need none. Not a dependency of the deployed functions.
 */
export const OPTIONAL_AT_RUNTIME: ReadonlySet<string> = new Set(['canvas']);
/** Kept external only so that an import shows in the metafile and fails the build. */
const NEVER_SHIPPED = ['@duckdb/*'];
/** Bumped when the build's own rules change, so an older bundle counts as stale. */
const BUILD_RULES_VERSION = '1';
/** Files in the bundle directory that are not part of the deployed source. */
const INPUTS_RECORD = '.build-inputs.json';
const BUILD_ID_FILE = 'BUILD_ID';
const GCLOUDIGNORE = `# Written by npm run build:functions: not part of the deployed source.\n.gcloudignore\n${INPUTS_RECORD}\nnode_modules/\n`;

export interface FunctionsBundleOptions {
  /** Entry module (default functions/index.ts). */
  readonly entry?: string;
  /** Output directory (default dist/functions). Keep it under the repo so Node resolves the externals from its node_modules. */
  readonly outDir?: string;
  /** Model specs copied into `<outDir>/models/` (default models/; a missing folder copies nothing). */
  readonly modelsDir?: string;
  /** Repo folders whose files must not be bundled (default emulators/, scripts/, test/). */
  readonly forbiddenFolders?: readonly string[];
}

export interface FunctionsBundle {
  readonly outDir: string;
  /** sha256 over the deployed files (paths and contents): names the uploaded source object. */
  readonly buildId: string;
  readonly bundleBytes: number;
  /** All deployed files together. */
  readonly totalBytes: number;
  /** The generated package.json's dependencies: exactly the external packages imported (or require.resolve'd), at their locked versions. */
  readonly dependencies: Readonly<Record<string, string>>;
  readonly models: readonly string[];
}

interface ResolvedOptions {
  readonly entry: string;
  readonly outDir: string;
  readonly modelsDir: string;
  readonly forbiddenFolders: readonly string[];
}

function resolveOptions(options: FunctionsBundleOptions): ResolvedOptions {
  return {
    entry: resolve(REPO_ROOT, options.entry ?? 'functions/index.ts'),
    outDir: resolve(REPO_ROOT, options.outDir ?? 'dist/functions'),
    modelsDir: resolve(REPO_ROOT, options.modelsDir ?? 'models'),
    forbiddenFolders: options.forbiddenFolders ?? ['emulators/', 'scripts/', 'test/'],
  };
}

export class FunctionsBundleError extends Error {
  override readonly name = 'FunctionsBundleError';
}

interface RootPackage {
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Each external at the version package-lock.json installed (the range from package.json if the lock lacks it). */
function lockedVersions(names: readonly string[], root: RootPackage): Record<string, string> {
  const lock = readJson<{ packages?: Record<string, { version?: string }> }>(join(REPO_ROOT, 'package-lock.json'));
  const versions: Record<string, string> = {};
  for (const name of names) {
    const declared = root.dependencies?.[name];
    if (declared === undefined) {
      const dev = root.devDependencies?.[name] !== undefined ? ' (it is only a dev dependency)' : '';
      throw new FunctionsBundleError(`the functions import ${name}, which package.json does not list in dependencies${dev}`);
    }
    versions[name] = lock.packages?.[`node_modules/${name}`]?.version ?? declared;
  }
  return versions;
}

function modelSpecFiles(modelsDir: string): string[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Deployed files (relative, sorted): everything but what .gcloudignore leaves out and BUILD_ID itself. */
function deployedFiles(dir: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') files.push(...deployedFiles(dir, rel));
    } else if (![INPUTS_RECORD, BUILD_ID_FILE, '.gcloudignore'].includes(rel)) {
      files.push(rel);
    }
  }
  return files.sort();
}

function contentHash(dir: string, files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(readFileSync(join(dir, file))).update('\0');
  return hash.digest('hex');
}

/** What a bundle was built from: each input's hash, so that a later start can tell whether it is stale. */
interface InputsRecord {
  readonly rules: string;
  readonly entry: string;
  readonly inputs: Readonly<Record<string, string>>;
}

function inputsRecord(options: ResolvedOptions, metafile: Metafile): InputsRecord {
  const inputs: Record<string, string> = {};
  const files = [...Object.keys(metafile.inputs), 'package.json', 'package-lock.json'];
  for (const file of files) inputs[file] = sha256File(join(REPO_ROOT, file));
  for (const spec of modelSpecFiles(options.modelsDir)) {
    const path = relative(REPO_ROOT, join(options.modelsDir, spec));
    inputs[path] = sha256File(join(REPO_ROOT, path));
  }
  return { rules: BUILD_RULES_VERSION, entry: relative(REPO_ROOT, options.entry), inputs };
}

/** True when `outDir` holds a bundle built from exactly the current inputs and model specs. */
export function functionsBundleIsCurrent(options: FunctionsBundleOptions = {}): boolean {
  const resolved = resolveOptions(options);
  const recordPath = join(resolved.outDir, INPUTS_RECORD);
  if (!existsSync(recordPath) || !existsSync(join(resolved.outDir, 'index.js')) || !existsSync(join(resolved.outDir, 'package.json'))) return false;
  let record: InputsRecord;
  try {
    record = readJson<InputsRecord>(recordPath);
  } catch {
    return false;
  }
  if (record.rules !== BUILD_RULES_VERSION || record.entry !== relative(REPO_ROOT, resolved.entry)) return false;
  const specs = modelSpecFiles(resolved.modelsDir).map((f) => relative(REPO_ROOT, join(resolved.modelsDir, f)));
  const recordedSpecs = Object.keys(record.inputs).filter((p) => p.startsWith(`${relative(REPO_ROOT, resolved.modelsDir)}/`));
  if (specs.join('\n') !== recordedSpecs.sort().join('\n')) return false;
  return Object.entries(record.inputs).every(([file, hash]) => existsSync(join(REPO_ROOT, file)) && sha256File(join(REPO_ROOT, file)) === hash);
}

/**
 * Build the bundle into a sibling folder and swap it in, so that a reader never sees a half-written
 * one. Fails (nothing replaced) when the metafile shows emulator, script or DuckDB code.
 */
export async function buildFunctionsBundle(options: FunctionsBundleOptions = {}): Promise<FunctionsBundle> {
  const resolved = resolveOptions(options);
  const root = readJson<RootPackage>(join(REPO_ROOT, 'package.json'));
  const staging = `${resolved.outDir}.building-${process.pid}-${Date.now()}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const result = await build({
      absWorkingDir: REPO_ROOT,
      entryPoints: [resolved.entry],
      outdir: staging,
      entryNames: 'index',
      // Dynamic imports (the control plane loads each Google client on first use) become chunks of
      // their own, so a client library is loaded when a request needs it, not at every cold start.
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node24',
      sourcemap: 'linked',
      sourcesContent: false,
      metafile: true,
      logLevel: 'silent',
      external: [...RUNTIME_EXTERNALS, ...NEVER_SHIPPED],
      // Bundled CommonJS code may still call require() for Node's builtins; ESM has no require of its own.
      banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module';\nconst require = __bundleCreateRequire(import.meta.url);" },
    });
    const problems = forbiddenContent(result.metafile, {
      folders: resolved.forbiddenFolders,
      packagePrefixes: NEVER_SHIPPED.map((p) => p.replace(/\*$/, '')),
      devDependencies: Object.keys(root.devDependencies ?? {}),
    });
    if (problems.length) throw new FunctionsBundleError(`the functions bundle would ship code it must not:\n  ${problems.join('\n  ')}`);
    const code = deployedFiles(staging).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(staging, f), 'utf8')).join('\n');
    const runtimePackages = new Set([...externalPackages(result.metafile), ...packagesResolvedAtRunTime(code)].filter((name) => !OPTIONAL_AT_RUNTIME.has(name)));
    const dependencies = lockedVersions([...runtimePackages].sort(), root);
    const pkg = { name: 'mlops-functions', version: root.version ?? '0.0.0', private: true, type: 'module', main: 'index.js', engines: { node: '24' }, dependencies };
    writeFileSync(join(staging, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    writeFileSync(join(staging, '.gcloudignore'), GCLOUDIGNORE);
    const models = modelSpecFiles(resolved.modelsDir);
    if (models.length) {
      mkdirSync(join(staging, 'models'));
      for (const spec of models) copyFileSync(join(resolved.modelsDir, spec), join(staging, 'models', spec));
    }
    const files = deployedFiles(staging);
    const buildId = contentHash(staging, files);
    writeFileSync(join(staging, BUILD_ID_FILE), `${buildId}\n`);
    writeFileSync(join(staging, INPUTS_RECORD), `${JSON.stringify(inputsRecord(resolved, result.metafile), null, 2)}\n`);
    swapIn(staging, resolved.outDir);
    return {
      outDir: resolved.outDir,
      buildId,
      bundleBytes: statSync(join(resolved.outDir, 'index.js')).size,
      totalBytes: files.reduce((sum, f) => sum + statSync(join(resolved.outDir, f)).size, 0),
      dependencies,
      models,
    };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (err instanceof FunctionsBundleError) throw err;
    throw new FunctionsBundleError(`building the functions bundle from ${relative(REPO_ROOT, resolved.entry)} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function swapIn(staging: string, outDir: string): void {
  const previous = `${outDir}.previous-${process.pid}-${Date.now()}`;
  if (existsSync(outDir)) renameSync(outDir, previous);
  try {
    renameSync(staging, outDir);
  } catch (err) {
    // Another process swapped its build in meanwhile: built from the same inputs, it serves as well.
    if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    rmSync(staging, { recursive: true, force: true });
  }
  rmSync(previous, { recursive: true, force: true });
}

const builds = new Map<string, Promise<string>>();

/** The bundle in `outDir`, built first when missing or stale (one build at a time per directory); returns the directory. */
export function ensureFunctionsBundle(options: FunctionsBundleOptions = {}): Promise<string> {
  const outDir = resolveOptions(options).outDir;
  const running = builds.get(outDir);
  if (running) return running;
  const next = (async () => (functionsBundleIsCurrent(options) ? outDir : (await buildFunctionsBundle(options)).outDir))().finally(() => builds.delete(outDir));
  builds.set(outDir, next);
  return next;
}
