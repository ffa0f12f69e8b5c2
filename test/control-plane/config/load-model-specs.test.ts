import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Environment, ModelSpec } from '../../../control-plane/config/load-model-specs.js';
import {
  loadModelSpecs,
  ModelCatalog,
  ModelNotFoundError,
  ModelSpecError,
  modelSpecsDir,
  parseEnvironment,
  parseModelSpec,
  resolveForEnvironment,
} from '../../../control-plane/config/load-model-specs.js';
import { edited, SHIPPED_FILE, shippedText } from './support.js';

const dirs: string[] = [];
function specDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'model-specs-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The shipped spec renamed to `name`. */
function renamed(name: string): string {
  return edited('name: flight-delay', `name: ${name}`);
}

describe('loadModelSpecs', () => {
  it('loads the specs the repository ships', () => {
    const specs = loadModelSpecs(path.resolve('models'));
    expect(specs.map((s) => s.name)).toContain('flight-delay');
  });

  it('reads every .yaml and .yml file, sorted by name, and nothing else', () => {
    const dir = specDir({ 'zeta.yaml': renamed('zeta'), 'alpha.yml': renamed('alpha'), 'mid.yaml': renamed('mid'), 'notes.txt': 'not a spec', 'README.md': '# no' });
    expect(loadModelSpecs(dir).map((s) => s.name)).toEqual(['alpha', 'mid', 'zeta']);
  });

  it('refuses two files declaring one model', () => {
    const dir = specDir({ 'flight-delay.yaml': shippedText, 'flight-delay.yml': shippedText });
    expect(() => loadModelSpecs(dir)).toThrow(ModelSpecError);
    expect(() => loadModelSpecs(dir)).toThrow(/flight-delay\.yml: name: model "flight-delay" is also declared in .*flight-delay\.yaml/);
  });

  it('refuses a file whose name differs from the model it declares, naming that file', () => {
    const dir = specDir({ 'flight-delay.yaml': shippedText, 'other.yaml': shippedText });
    try {
      loadModelSpecs(dir);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ModelSpecError);
      expect((error as ModelSpecError).file).toBe(path.join(dir, 'other.yaml'));
      expect((error as ModelSpecError).field).toBe('name');
    }
  });

  it('names a missing directory and how to point elsewhere', () => {
    expect(() => loadModelSpecs(path.join(tmpdir(), 'no-such-specs-dir'))).toThrow(/MLOPS_MODEL_SPECS_DIR/);
  });
});

describe('modelSpecsDir', () => {
  it('is MLOPS_MODEL_SPECS_DIR when set, else models/ in the working directory', () => {
    expect(modelSpecsDir({ MLOPS_MODEL_SPECS_DIR: '/srv/specs' })).toBe('/srv/specs');
    expect(modelSpecsDir({ MLOPS_MODEL_SPECS_DIR: 'specs' })).toBe(path.resolve('specs'));
    expect(modelSpecsDir({})).toBe(path.join(process.cwd(), 'models'));
    expect(modelSpecsDir({ MLOPS_MODEL_SPECS_DIR: '' })).toBe(path.join(process.cwd(), 'models'));
  });
});

describe('resolveForEnvironment', () => {
  const spec = parseModelSpec(shippedText, SHIPPED_FILE);

  it('applies each environment of the shipped spec', () => {
    expect(resolveForEnvironment(spec, 'local').durations).toEqual({ retrainCooldown: 300, rolloutAnalysisWindow: 12, rolloutAnalysisInterval: 2, rolloutScaleDownDelay: 5, rolloutDeployTimeout: 120, driftWindow: 20, maxModelAge: 86_400 });
    expect(resolveForEnvironment(spec, 'local').approvals).toEqual({ deployment: 'none', approvers: ['ml-lead@example.com'] });
    expect(resolveForEnvironment(spec, 'dev').durations).toEqual({ retrainCooldown: 3600, rolloutAnalysisWindow: 600, rolloutAnalysisInterval: 60, rolloutScaleDownDelay: 3600, rolloutDeployTimeout: 1800, driftWindow: 86_400, maxModelAge: 30 * 86_400 });
    // prod: hours, and an approval before the first step.
    expect(resolveForEnvironment(spec, 'prod').durations).toEqual({ retrainCooldown: 86_400, rolloutAnalysisWindow: 7200, rolloutAnalysisInterval: 600, rolloutScaleDownDelay: 21_600, rolloutDeployTimeout: 1800, driftWindow: 86_400, maxModelAge: 30 * 86_400 });
    expect(resolveForEnvironment(spec, 'prod').approvals).toEqual({ deployment: 'required', approvers: ['ml-lead@example.com'] });
    expect(resolveForEnvironment(spec, 'prod').environment).toBe('prod');
    expect(resolveForEnvironment(spec, 'prod')).not.toHaveProperty('environments');
  });

  it('keeps the base values an environment does not override', () => {
    const withoutDev = parseModelSpec(edited('  dev:\n    durations:\n      retrainCooldown: 1h\n      rolloutAnalysisWindow: 10m\n      rolloutAnalysisInterval: 1m\n', ''), SHIPPED_FILE);
    expect(resolveForEnvironment(withoutDev, 'dev').durations).toEqual({ retrainCooldown: 6 * 3600, rolloutAnalysisWindow: 3600, rolloutAnalysisInterval: 300, rolloutScaleDownDelay: 3600, rolloutDeployTimeout: 1800, driftWindow: 86_400, maxModelAge: 30 * 86_400 });
  });

  const durationText = fc.tuple(fc.nat({ max: 30 }), fc.nat({ max: 23 }), fc.nat({ max: 59 })).map(([d, h, m]) => ({ text: `${d}d${h}h${m}m`, seconds: d * 86_400 + h * 3600 + m * 60 }));
  const override = fc.record(
    { durations: fc.record({ retrainCooldown: durationText }, { requiredKeys: [] }), approvals: fc.record({ deployment: fc.constantFrom('required', 'none') }, { requiredKeys: [] }) },
    { requiredKeys: [] },
  );

  it('changes only durations and approvals, whatever the overrides (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom<Environment>('local', 'dev', 'prod'), override, (env, o) => {
        const overrideYaml = {
          ...(o.durations ? { durations: Object.fromEntries(Object.entries(o.durations).map(([k, v]) => [k, v.text])) } : {}),
          ...(o.approvals ? { approvals: o.approvals } : {}),
        };
        const text = shippedText.replace(/\nenvironments:[\s\S]*$/, `\nenvironments:\n  ${env}: ${JSON.stringify(overrideYaml)}\n`);
        const parsed: ModelSpec = parseModelSpec(text, SHIPPED_FILE);
        const resolved = resolveForEnvironment(parsed, env);
        const { environments, durations: baseDurations, approvals: baseApprovals, ...structure } = parsed;
        const { environment, durations, approvals, ...resolvedStructure } = resolved;
        expect(environment).toBe(env);
        expect(environments[env]).toBeDefined();
        expect(resolvedStructure).toEqual(structure);
        expect(durations.retrainCooldown).toBe(o.durations?.retrainCooldown?.seconds ?? baseDurations.retrainCooldown);
        expect(approvals.deployment).toBe(o.approvals?.deployment ?? baseApprovals.deployment);
      }),
      { numRuns: 60 },
    );
  });
});

describe('ModelCatalog', () => {
  const flightDelay = parseModelSpec(shippedText, SHIPPED_FILE);
  const other = parseModelSpec(renamed('taxi-fare'), 'models/taxi-fare.yaml');

  it('holds the specs of one environment, by name', () => {
    const catalog = new ModelCatalog([other, flightDelay], 'prod');
    expect(catalog.names()).toEqual(['flight-delay', 'taxi-fare']);
    expect(catalog.list().map((s) => s.environment)).toEqual(['prod', 'prod']);
    expect(catalog.get('flight-delay')?.approvals.deployment).toBe('required');
    expect(catalog.get('nope')).toBeUndefined();
    expect(catalog.require('taxi-fare').name).toBe('taxi-fare');
  });

  it('answers an unknown model with NOT_FOUND and the closest name', () => {
    const catalog = new ModelCatalog([flightDelay], 'local');
    const attempt = () => catalog.require('flight-dely');
    expect(attempt).toThrow(ModelNotFoundError);
    expect(attempt).toThrow(`model "flight-dely" not found (did you mean 'flight-delay'?)`);
    try {
      catalog.require('flight-dely');
    } catch (error) {
      expect(error).toMatchObject({ status: 'NOT_FOUND', httpCode: 404, model: 'flight-dely', suggestion: 'flight-delay' });
    }
    expect(() => catalog.require('churn')).toThrow(/^model "churn" not found$/);
  });

  it('refuses one model given twice', () => {
    expect(() => new ModelCatalog([flightDelay, flightDelay], 'dev')).toThrow(/declared twice/);
  });

  it('loads from a directory', () => {
    const dir = specDir({ 'flight-delay.yaml': shippedText });
    expect(ModelCatalog.load('local', dir).require('flight-delay').durations.retrainCooldown).toBe(300);
  });
});

describe('parseEnvironment', () => {
  it('accepts local, dev and prod and suggests the closest otherwise', () => {
    expect(parseEnvironment('prod')).toBe('prod');
    expect(() => parseEnvironment('prdo', 'MLOPS_ENVIRONMENT')).toThrow(/^MLOPS_ENVIRONMENT: must be one of local, dev, prod, got "prdo" \(did you mean 'prod'\?\)$/);
  });
});
