// `npm run build:functions`'s builder: the deployable source holds the bundled functions, a
// package.json whose dependencies are exactly what the bundle imports, the model specs, and
// never emulator, script, DuckDB or dev-dependency code.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionsBundle } from '../../../emulators/functions/bundle.js';
import { buildFunctionsBundle, functionsBundleIsCurrent, FunctionsBundleError, OPTIONAL_AT_RUNTIME, REPO_ROOT } from '../../../emulators/functions/bundle.js';
import { packageNameOf } from '../../../emulators/functions/bundle-contents.js';

const scratch = join(REPO_ROOT, 'dist', `test-functions-bundle-${process.pid}`);
const outDir = join(scratch, 'functions');
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };

/** Bare specifiers the bundle imports, read from its text (independently of esbuild's metafile). */
function importedPackages(code: string): string[] {
  const specifiers = [...code.matchAll(/^import\s[^'"]*?from\s*["']([^"']+)["']|^import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return [...new Set(specifiers.filter((s) => !s.startsWith('.') && !isBuiltin(s)).map(packageNameOf))].sort();
}

describe('functions bundle', () => {
  let modelsDir: string;
  let bundle: FunctionsBundle;

  beforeAll(async () => {
    modelsDir = mkdtempSync(join(tmpdir(), 'bundle-models-'));
    writeFileSync(join(modelsDir, 'demo-model.yaml'), 'name: demo-model\n');
    writeFileSync(join(modelsDir, 'README.md'), 'not a spec\n');
    bundle = await buildFunctionsBundle({ outDir, modelsDir });
  }, 60_000);

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(modelsDir, { recursive: true, force: true });
  });

  /** The entry and its chunks (dynamic imports are split into chunks/). */
  const allCode = () =>
    [join(outDir, 'index.js'), ...readdirSync(join(outDir, 'chunks')).filter((f) => f.endsWith('.js')).map((f) => join(outDir, 'chunks', f))]
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');

  it('loads each Google client library lazily: the entry imports none of them, its chunks do', () => {
    const entry = readFileSync(join(outDir, 'index.js'), 'utf8');
    // Only aiplatform's small Struct helpers (no client, no protos) may load with the entry.
    const specifiers = [...entry.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    expect(specifiers.filter((s) => s.startsWith('@google-cloud/') && s !== '@google-cloud/functions-framework' && s !== '@google-cloud/aiplatform/build/src/helpers.js')).toEqual([]);
    expect(importedPackages(allCode())).toEqual(expect.arrayContaining(['@google-cloud/aiplatform', '@google-cloud/storage', '@google-cloud/pubsub', '@google-cloud/bigquery']));
  });

  it('writes an ESM package whose dependencies are exactly the packages the bundle imports, at their locked versions', () => {
    const pkg = JSON.parse(readFileSync(join(outDir, 'package.json'), 'utf8')) as { type: string; main: string; engines: { node: string }; dependencies: Record<string, string> };
    expect(pkg).toMatchObject({ type: 'module', main: 'index.js', engines: { node: '24' } });
    // Less what bundled code only tries to load (vega-canvas's optional `canvas`, in a try).
    const imported = importedPackages(allCode()).filter((name) => !OPTIONAL_AT_RUNTIME.has(name));
    expect(imported).toContain('@google-cloud/functions-framework');
    expect(Object.keys(pkg.dependencies).sort()).toEqual(imported);
    for (const [name, version] of Object.entries(pkg.dependencies)) expect(version).toBe(lock.packages[`node_modules/${name}`]!.version);
    expect(bundle.dependencies).toEqual(pkg.dependencies);
  });

  it('bundles no emulator, script or DuckDB code', () => {
    const code = allCode();
    // esbuild heads each bundled module with a `// <path>` comment.
    const modules = [...code.matchAll(/^\/\/ (\S+\.[cm]?[jt]s)$/gm)].map((m) => m[1]!);
    expect(modules).toContain('functions/index.ts');
    expect(modules.filter((m) => /^(emulators|scripts|test)\//.test(m) || m.includes('@duckdb'))).toEqual([]);
    expect(code).not.toMatch(/@duckdb/);
  });

  it('copies the model specs, writes .gcloudignore, and names the deployed files by their content hash', () => {
    expect(readdirSync(join(outDir, 'models'))).toEqual(['demo-model.yaml']);
    expect(readFileSync(join(outDir, '.gcloudignore'), 'utf8')).toContain('.build-inputs.json');
    const chunks = readdirSync(join(outDir, 'chunks')).sort().map((f) => `chunks/${f}`);
    const deployed = [...chunks, 'index.js', 'index.js.map', 'models/demo-model.yaml', 'package.json'];
    const hash = createHash('sha256');
    for (const file of deployed) hash.update(file).update('\0').update(readFileSync(join(outDir, file))).update('\0');
    expect(readFileSync(join(outDir, 'BUILD_ID'), 'utf8').trim()).toBe(hash.digest('hex'));
    expect(bundle.buildId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is current until a model spec changes, and a rebuild then changes BUILD_ID', async () => {
    expect(functionsBundleIsCurrent({ outDir, modelsDir })).toBe(true);
    writeFileSync(join(modelsDir, 'demo-model.yaml'), 'name: demo-model\nschedule: changed\n');
    expect(functionsBundleIsCurrent({ outDir, modelsDir })).toBe(false);
    const rebuilt = await buildFunctionsBundle({ outDir, modelsDir });
    expect(rebuilt.buildId).not.toBe(bundle.buildId);
    expect(functionsBundleIsCurrent({ outDir, modelsDir })).toBe(true);
    writeFileSync(join(modelsDir, 'second.yaml'), 'name: second\n');
    expect(functionsBundleIsCurrent({ outDir, modelsDir })).toBe(false);
  });

  describe('refuses to ship', () => {
    const entries = join(scratch, 'entries');
    const attempt = (name: string, source: string) => {
      mkdirSync(entries, { recursive: true });
      writeFileSync(join(entries, `${name}.ts`), source);
      return buildFunctionsBundle({ entry: join(entries, `${name}.ts`), outDir: join(scratch, `out-${name}`), modelsDir });
    };

    it('emulator code, naming the file', async () => {
      const failure = attempt('emulator', "import { freePort } from '../../../emulators/kit/free-port.js';\nexport const f = freePort;\n");
      await expect(failure).rejects.toThrow(FunctionsBundleError);
      await expect(failure).rejects.toThrow(/emulators\/kit\/free-port\.ts is bundled/);
    });

    it('DuckDB', async () => {
      await expect(attempt('duckdb', "import { DuckDBInstance } from '@duckdb/node-api';\nexport const d = DuckDBInstance;\n")).rejects.toThrow(/imports @duckdb\/node-api/);
    });

    it('a dev dependency', async () => {
      await expect(attempt('devdep', "import fc from 'fast-check';\nexport const g = fc.integer;\n")).rejects.toThrow(/fast-check is a dev dependency/);
    });

    it('and leaves the last good bundle in place', () => {
      expect(readdirSync(scratch).filter((d) => d.includes('.building-'))).toEqual([]);
      expect(functionsBundleIsCurrent({ outDir, modelsDir })).toBe(false);
      expect(readFileSync(join(outDir, 'index.js'), 'utf8')).toContain('functions/index.ts');
    });
  });
});
