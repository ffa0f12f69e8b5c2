import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { ModelSpecError, parseModelSpec } from '../../../control-plane/config/load-model-specs.js';
import { pipelineDefinition, specPipelineParameters } from '../../../control-plane/config/pipeline-parameters.js';
import { edited, expectSpecError, SHIPPED_FILE, shippedText } from './support.js';

describe('the shipped flight-delay spec', () => {
  const spec = parseModelSpec(shippedText, SHIPPED_FILE);

  it('reads the seeded flights sample with a parameterized 1% query', () => {
    expect(spec.name).toBe('flight-delay');
    expect(spec.task).toBe('regression');
    expect(spec.source.kind).toBe('query');
    if (spec.source.kind !== 'query') return;
    expect(spec.source.query).toMatch(/FROM `samples\.flights`/);
    expect(spec.source.query).toMatch(/RAND\(\) < @sample_fraction/);
    expect(spec.source.parameters).toEqual({ sample_fraction: { type: 'FLOAT64', value: 0.01 }, since: { type: 'TIMESTAMP', value: '2001-01-01T00:00:00Z' } });
    expect(spec.source.target).toBe('delay');
    expect(spec.source.features).toEqual(['date', 'distance', 'origin', 'destination']);
  });

  it('trains a ridge model, gates on r2 and rmse, and compares on rmse', () => {
    expect(spec.pipeline).toEqual({ name: 'training-pipeline', parameters: { model_type: 'ridge', split_strategy: 'random', hyperparameters: {} }, enableCaching: false });
    expect(spec.evaluation.thresholds).toEqual({ r2: { min: -0.05 }, rmse: { max: 60 } });
    expect(spec.evaluation.championChallenger).toEqual({ metric: 'rmse', minImprovement: 0, confidence: 0.95, bootstrapSamples: 1000, automaticRetrainMaxDegradation: 0.02 });
    expect(spec.schedule).toEqual({ cron: '0 3 * * 1', timeZone: 'Etc/UTC', enabled: true });
  });

  it('serves on the flight-delay endpoint, logging to serving_logs.flight_delay', () => {
    expect(spec.endpoint).toEqual({
      displayName: 'flight-delay',
      machineType: 'n1-standard-2',
      minReplicaCount: 1,
      maxReplicaCount: 1,
      requestResponseLogging: { samplingRate: 1, bigqueryTable: { datasetId: 'serving_logs', tableId: 'flight_delay' } },
    });
  });

  it('gives the pipeline the parameters the spec fixes, derived fields included, and only those it declares', () => {
    const values = specPipelineParameters(spec);
    expect(values).toMatchObject({
      model_type: 'ridge',
      split_strategy: 'random',
      hyperparameters: {},
      target_column: 'delay',
      task_type: 'regression',
      time_column: 'date',
      thresholds: { r2: { min: -0.05 }, rmse: { max: 60 } },
    });
    const declared = pipelineDefinition('training-pipeline').inputs;
    for (const name of Object.keys(values)) expect(declared).toHaveProperty(name);
    // The champion comparison's inputs, where the pipeline has them.
    if ('comparison_metric' in declared) expect(values).toMatchObject({ comparison_metric: 'rmse', min_improvement: 0, confidence: 0.95, bootstrap_samples: 1000 });
  });
});

describe('defaults', () => {
  const minimal = `
name: tiny
displayName: Tiny
source: { table: d.t, target: y, features: [x] }
task: classification
pipeline: { name: training-pipeline }
evaluation: { championChallenger: { metric: accuracy } }
endpoint: { displayName: tiny }
`;

  it('fill in what a minimal spec leaves out', () => {
    const spec = parseModelSpec(minimal, 'models/tiny.yaml');
    expect(spec.description).toBe('');
    expect(spec.source).toEqual({ kind: 'table', table: { datasetId: 'd', tableId: 't' }, target: 'y', features: ['x'] });
    expect(spec.pipeline).toEqual({ name: 'training-pipeline', parameters: {}, enableCaching: false });
    expect(spec.schedule).toBeUndefined();
    expect(spec.evaluation).toEqual({ thresholds: {}, championChallenger: { metric: 'accuracy', minImprovement: 0, confidence: 0.95, bootstrapSamples: 1000 } });
    expect(spec.endpoint).toEqual({ displayName: 'tiny', machineType: 'n1-standard-2', minReplicaCount: 1, maxReplicaCount: 1 });
    expect(spec.durations).toEqual({ retrainCooldown: 6 * 3600, rolloutAnalysisWindow: 3600, rolloutAnalysisInterval: 300, rolloutScaleDownDelay: 3600, rolloutDeployTimeout: 1800, driftWindow: 86_400, maxModelAge: 30 * 86_400 });
    expect(spec.approvals).toEqual({ deployment: 'none', approvers: [] });
    // Our users' default canary: 5% → 20% → 50% with analysis after each, then 100%.
    expect(spec.rollout.steps).toEqual([{ setWeight: 5 }, { analysis: {} }, { setWeight: 20 }, { analysis: {} }, { setWeight: 50 }, { analysis: {} }]);
    expect(spec.rollout.analysis).toMatchObject({ maxErrorRateRatio: 2, maxLatencyP95Ratio: 1.5, maxQualityDegradation: 0.05, failureLimit: 0, consecutiveErrorLimit: 4 });
    expect(spec.rollout.groundTruth).toBeUndefined();
    expect(spec.rollout.onManualTrafficChange).toBe('pause');
    expect(spec.environments).toEqual({});
  });

  it('take a schedule time zone of Etc/UTC, maxReplicaCount from min, and a table sample', () => {
    const spec = parseModelSpec(
      edited('endpoint: { displayName: tiny }', 'endpoint: { displayName: tiny, minReplicaCount: 2 }\nschedule: { cron: "*/15 * * * *" }', minimal).replace(
        'table: d.t,',
        'table: other-project1.d.t, sampleFraction: 0.25,',
      ),
      'models/tiny.yaml',
    );
    expect(spec.schedule).toEqual({ cron: '*/15 * * * *', timeZone: 'Etc/UTC', enabled: true });
    expect(spec.endpoint.maxReplicaCount).toBe(2);
    expect(spec.source).toMatchObject({ kind: 'table', table: { projectId: 'other-project1', datasetId: 'd', tableId: 't' }, sampleFraction: 0.25 });
  });
});

describe('mistakes fail with the file, the field and a did-you-mean', () => {
  const cases: { what: string; from: string; to: string; field: string; message: RegExp }[] = [
    // unknown keys at several depths
    { what: 'unknown top-level field', from: 'task: regression', to: 'task: regression\ntsk: 1', field: 'tsk', message: /unknown field \(did you mean 'task'\?\)/ },
    { what: 'unknown pipeline field', from: '  parameters:\n    model_type', to: '  paramters:\n    model_type', field: 'pipeline.paramters', message: /unknown field \(did you mean 'parameters'\?\)/ },
    { what: 'unknown field three deep', from: '    minImprovement: 0', to: '    minImprovment: 0', field: 'evaluation.championChallenger.minImprovment', message: /did you mean 'minImprovement'/ },
    { what: 'unknown field in a query parameter', from: '{ type: FLOAT64, value: 0.01 }', to: '{ type: FLOAT64, valeu: 0.01 }', field: 'source.parameters.sample_fraction.valeu', message: /did you mean 'value'/ },
    { what: 'unknown field in an environment override', from: '      retrainCooldown: 5m', to: '      retrainCooldwn: 5m', field: 'environments.local.durations.retrainCooldwn', message: /did you mean 'retrainCooldown'/ },
    { what: 'unknown environment', from: '  dev:', to: '  prd:', field: 'environments.prd', message: /must be one of local, dev, prod.*did you mean 'prod'/ },
    { what: 'an unknown tuning field', from: '  maxTrials: 12', to: '  maxTrails: 12', field: 'tuning.maxTrails', message: /did you mean 'maxTrials'/ },
    { what: 'a per-feature drift threshold for an unwatched feature', from: '  threshold: 0.3\n', to: '  threshold: 0.3\n  features: [distance, origin]\n', field: 'drift.thresholds.destination', message: /not a watched feature/ },
    { what: 'a performance metric of another task', from: '  performance: { metric: r2,', to: '  performance: { metric: accuracy,', field: 'drift.performance.metric', message: /not a regression metric/ },
    { what: 'a performance check without a bound', from: '  performance: { metric: r2, min: -0.05,', to: '  performance: { metric: r2,', field: 'drift.performance', message: /must set `min`/ },
    { what: 'a drift retrain parameter the query does not declare', from: 'sourceParameters: { since: "2001-06-01T00:00:00Z", sample_fraction: 0.06 }', to: 'sourceParameters: { since: "2001-06-01T00:00:00Z", sample_fractoin: 0.06 }', field: 'drift.retrain.sourceParameters.sample_fractoin', message: /did you mean 'sample_fraction'/ },
    { what: 'a drift retrain parameter of the wrong type', from: 'sourceParameters: { since: "2001-06-01T00:00:00Z", sample_fraction: 0.06 }', to: 'sourceParameters: { since: "June", sample_fraction: 0.06 }', field: 'drift.retrain.sourceParameters.since', message: /TIMESTAMP/ },
    { what: 'too many distinct drift thresholds', from: 'thresholds: { origin: 0.1, destination: 0.1 }', to: 'thresholds: { origin: 0.1, destination: 0.15, distance: 0.2, date_hour: 0.25, date_month: 0.35 }', field: 'drift.thresholds', message: /allows 6 conditions/ },
    // rollouts
    { what: 'falling canary weights', from: '    - setWeight: 20', to: '    - setWeight: 3', field: 'rollout.steps[2].setWeight', message: /above the previous weight \(5\)/ },
    { what: 'analysis before any weight', from: '    - setWeight: 5\n', to: '', field: 'rollout.steps[0]', message: /before any setWeight/ },
    { what: 'unknown analysis criterion', from: '    maxErrorRateRatio: 2', to: '    maxErorRateRatio: 2', field: 'rollout.analysis.maxErorRateRatio', message: /did you mean 'maxErrorRateRatio'/ },
    { what: 'unknown step kind', from: '    - setWeight: 20', to: '    - setWeigth: 20', field: 'rollout.steps[2].setWeigth', message: /unknown field/ },
    { what: 'ground truth scored by a classification metric', from: '    labelColumn: delay\n    metric: mae', to: '    labelColumn: delay\n    metric: accuracy', field: 'rollout.groundTruth.metric', message: /not a regression metric a rollout can score/ },
    { what: 'required approvals without approvers', from: '  approvers: [ml-lead@example.com]', to: '  approvers: []', field: 'environments.prod.approvals', message: /approvers must list at least one email/ },
    { what: 'an approver that is not an email', from: '  approvers: [ml-lead@example.com]', to: '  approvers: [ml-lead]', field: 'approvals.approvers[0]', message: /email/ },
    // closed sets
    { what: 'wrong task', from: 'task: regression', to: 'task: regresion', field: 'task', message: /must be one of regression, classification, got "regresion" \(did you mean 'regression'\?\)/ },
    { what: 'wrong champion metric', from: 'metric: rmse', to: 'metric: rmsee', field: 'evaluation.championChallenger.metric', message: /must be one of mse, rmse, mae.*\(did you mean 'rmse'\?\)/ },
    { what: 'classification metric on a regression model', from: '    r2: { min: -0.05 }', to: '    accuracy: { min: 0.5 }', field: 'evaluation.thresholds.accuracy', message: /is not a regression metric/ },
    { what: 'unknown threshold metric', from: '    r2: { min: -0.05 }', to: '    r3: { min: -0.05 }', field: 'evaluation.thresholds.r3', message: /is not a metric.*did you mean 'r2'/ },
    { what: 'wrong pipeline', from: 'name: training-pipeline', to: 'name: training-pipline', field: 'pipeline.name', message: /did you mean 'training-pipeline'/ },
    { what: 'wrong approval mode', from: '      deployment: required', to: '      deployment: requird', field: 'environments.prod.approvals.deployment', message: /must be one of required, none.*did you mean 'required'/ },
    { what: 'wrong query parameter type', from: 'type: FLOAT64', to: 'type: FLOAT', field: 'source.parameters.sample_fraction.type', message: /did you mean 'FLOAT64'/ },
    // pipeline parameters against the pipeline definition
    { what: 'bad model_type', from: 'model_type: ridge', to: 'model_type: ridg', field: 'pipeline.parameters.model_type', message: /must be one of random_forest, gradient_boosting, ridge, xgboost, got "ridg" \(did you mean 'ridge'\?\)/ },
    { what: 'unknown pipeline parameter', from: 'split_strategy: random', to: 'split_stratgy: random', field: 'pipeline.parameters.split_stratgy', message: /is not a parameter of training-pipeline \(did you mean 'split_strategy'\?\)/ },
    { what: 'parameter of the wrong type', from: '    hyperparameters: {}', to: '    hyperparameters: []', field: 'pipeline.parameters.hyperparameters', message: /expects an object/ },
    { what: 'parameter the control plane sets', from: '    hyperparameters: {}', to: '    hyperparameters: {}\n    training_data_uri: gs://b/x', field: 'pipeline.parameters.training_data_uri', message: /set by the control plane/ },
    { what: 'parameter another field sets', from: '    hyperparameters: {}', to: '    hyperparameters: {}\n    target_column: delay', field: 'pipeline.parameters.target_column', message: /set from source\.target/ },
    { what: 'a champion comparison input', from: '    hyperparameters: {}', to: '    hyperparameters: {}\n    comparison_metric: mae', field: 'pipeline.parameters.comparison_metric', message: /set from evaluation\.championChallenger\.metric/ },
    { what: 'a tuning-only parameter on the plain pipeline', from: '    hyperparameters: {}', to: '    max_trial_count: 4', field: 'pipeline.parameters.max_trial_count', message: /is not a parameter of training-pipeline/ },
    // schedule
    { what: 'cron with a seconds field', from: 'cron: "0 3 * * 1"', to: 'cron: "0 0 3 * * 1"', field: 'schedule.cron', message: /5 fields/ },
    { what: 'cron out of range', from: 'cron: "0 3 * * 1"', to: 'cron: "61 3 * * 1"', field: 'schedule.cron', message: /minute/ },
    { what: 'cron extension unix-cron lacks', from: 'cron: "0 3 * * 1"', to: 'cron: "0 3 L * *"', field: 'schedule.cron', message: /not unix-cron/ },
    { what: 'cron nickname', from: 'cron: "0 3 * * 1"', to: 'cron: "@weekly"', field: 'schedule.cron', message: /5 fields/ },
    { what: 'misspelled time zone', from: 'timeZone: Etc/UTC', to: 'timeZone: Europe/Pari', field: 'schedule.timeZone', message: /did you mean 'Europe\/Paris'/ },
    { what: 'time zone in the wrong case', from: 'timeZone: Etc/UTC', to: 'timeZone: america/new_york', field: 'schedule.timeZone', message: /case-sensitive.*did you mean 'America\/New_York'/ },
    // source
    { what: 'undeclared query parameter', from: 'AND RAND() < @sample_fraction', to: 'AND RAND() < @sample_fractio', field: 'source.query', message: /uses @sample_fractio, which `parameters` does not declare \(did you mean 'sample_fraction'\?\)/ },
    { what: 'declared parameter the query does not use', from: '    sample_fraction: { type: FLOAT64, value: 0.01 }', to: '    sample_fraction: { type: FLOAT64, value: 0.01 }\n    origin: { type: STRING, value: SFO }', field: 'source.parameters.origin', message: /query does not use @origin/ },
    { what: 'parameter value of the wrong type', from: 'value: 0.01', to: 'value: "1%"', field: 'source.parameters.sample_fraction.value', message: /must be a number for a FLOAT64 parameter/ },
    { what: 'two statements', from: 'AND RAND() < @sample_fraction', to: 'AND RAND() < @sample_fraction; DROP TABLE samples.flights', field: 'source.query', message: /single statement/ },
    { what: 'not a query', from: '    SELECT date, delay', to: '    DELETE date, delay', field: 'source.query', message: /must be a query/ },
    { what: 'bad column name', from: '  target: delay', to: '  target: "delay`; --"', field: 'source.target', message: /must be a column name/ },
    { what: 'bad feature name', from: '[date, distance, origin, destination]', to: '[date, distance, "origin airport", destination]', field: 'source.features[2]', message: /must be a column name/ },
    { what: 'target among the features', from: '[date, distance, origin, destination]', to: '[date, delay, origin]', field: 'source.features', message: /must not include the target/ },
    { what: 'table and query at once', from: '  target: delay', to: '  table: samples.flights\n  target: delay', field: 'source.query', message: /not both/ },
    { what: 'sampleFraction on a query', from: '  target: delay', to: '  sampleFraction: 0.01\n  target: delay', field: 'source.sampleFraction', message: /table.*only.*RAND/ },
    { what: 'bad table identifier', from: 'bigqueryTable: serving_logs.flight_delay', to: 'bigqueryTable: "serving_logs.flight delay"', field: 'endpoint.requestResponseLogging.bigqueryTable', message: /table id "flight delay"/ },
    { what: 'table without a dataset', from: 'bigqueryTable: serving_logs.flight_delay', to: 'bigqueryTable: flight_delay', field: 'endpoint.requestResponseLogging.bigqueryTable', message: /"dataset\.table"/ },
    // environments
    { what: 'environment overriding structure', from: '  prod:\n', to: '  prod:\n    endpoint: { machineType: n1-standard-8 }\n', field: 'environments.prod.endpoint', message: /environments may override only durations and approvals/ },
    { what: 'environment overriding the pipeline', from: '  local:\n', to: '  local:\n    pipeline: { name: training-pipeline }\n', field: 'environments.local.pipeline', message: /may override only durations and approvals/ },
    { what: 'duration without a unit', from: '      retrainCooldown: 5m', to: '      retrainCooldown: 30', field: 'environments.local.durations.retrainCooldown', message: /unit/ },
    { what: 'malformed duration', from: 'retrainCooldown: 6h', to: 'retrainCooldown: 6 hours', field: 'durations.retrainCooldown', message: /must be a duration/ },
    // the rest
    { what: 'name that is not an id', from: 'name: flight-delay', to: 'name: Flight_Delay', field: 'name', message: /lowercase id/ },
    { what: 'name other than the file name', from: 'name: flight-delay', to: 'name: flight-delays', field: 'name', message: /must equal the file's name "flight-delay"/ },
    { what: 'unknown machine type', from: 'machineType: n1-standard-2', to: 'machineType: n1-standrd-2', field: 'endpoint.machineType', message: /did you mean 'n1-standard-2'/ },
    { what: 'fewer max replicas than min', from: '  maxReplicaCount: 1', to: '  maxReplicaCount: 0', field: 'endpoint.maxReplicaCount', message: /at least 1/ },
    { what: 'confidence out of range', from: 'confidence: 0.95', to: 'confidence: 1', field: 'evaluation.championChallenger.confidence', message: /at most 0\.999/ },
    { what: 'negative minimum improvement', from: 'minImprovement: 0', to: 'minImprovement: -1', field: 'evaluation.championChallenger.minImprovement', message: /at least 0/ },
    { what: 'threshold without bounds', from: '    rmse: { max: 60 }', to: '    rmse: {}', field: 'evaluation.thresholds.rmse', message: /min.*max/ },
    { what: 'missing required field', from: 'displayName: Flight delay\n', to: '', field: 'displayName', message: /is required/ },
    { what: 'bad service account', from: '  name: training-pipeline\n', to: '  name: training-pipeline\n  serviceAccount: trainer\n', field: 'pipeline.serviceAccount', message: /service account email/ },
  ];

  it.each(cases)('$what → $field', ({ from, to, field, message }) => {
    expectSpecError(edited(from, to), field, message);
  });

  it('a time split needs a time column (and is fine with one)', () => {
    const timeSplit = edited('split_strategy: random', 'split_strategy: time');
    expect(parseModelSpec(timeSplit, SHIPPED_FILE).pipeline.parameters.split_strategy).toBe('time');
    expectSpecError(edited('  timeColumn: date\n', '', timeSplit), 'pipeline.parameters.split_strategy', /needs source\.timeColumn/);
  });

  it('reports each unknown field of one object on its own, with its own suggestion and line', () => {
    const error = expectSpecError(edited('  cron: "0 3 * * 1"', '  crn: "0 3 * * 1"\n  enabld: true'), 'schedule.crn', /did you mean 'cron'/);
    expectSpecError(edited('  cron: "0 3 * * 1"', '  crn: "0 3 * * 1"\n  enabld: true'), 'schedule.enabld', /did you mean 'enabled'/);
    const line = (field: string) => error.problems.find((p) => p.field === field)?.line;
    const crnLine = shippedText.split('\n').findIndex((l) => l.startsWith('  cron:')) + 1;
    expect(line('schedule.crn')).toBe(crnLine);
    expect(line('schedule.enabld')).toBe(crnLine + 1);
    expect(error.problems.map((p) => p.field)).toEqual(['schedule.cron', 'schedule.crn', 'schedule.enabld']);
  });

  it('gives the line of the field', () => {
    const error = expectSpecError(edited('metric: rmse', 'metric: rmsee'), 'evaluation.championChallenger.metric', /rmse/);
    const line = shippedText.split('\n').findIndex((l) => l.includes('metric: rmse')) + 1;
    expect(error.problems[0]!.line).toBe(line);
    expect(error.message).toContain(`(line ${line})`);
  });

  it('reports every problem, one per line, and `field` is the first', () => {
    const error = expectSpecError(edited('task: regression', 'task: regresion').replace('model_type: ridge', 'model_type: ridg'), 'task', /regression/);
    expect(error.problems.map((p) => p.field)).toEqual(['task', 'pipeline.parameters.model_type']);
    expect(error.field).toBe('task');
    expect(error.message.split('\n')).toHaveLength(2);
  });

  it('refuses YAML that is not a spec: bad syntax, duplicate keys, a list', () => {
    for (const [text, message] of [
      ['name: [unclosed', /not valid YAML/],
      [edited('task: regression', 'task: regression\ntask: classification'), /not valid YAML.*unique/],
      ['- a\n- b\n', /must be a YAML map/],
      ['', /must be a YAML map/],
    ] as const) {
      expect(() => parseModelSpec(text, SHIPPED_FILE)).toThrow(ModelSpecError);
      expect(() => parseModelSpec(text, SHIPPED_FILE)).toThrow(message);
      expect(() => parseModelSpec(text, SHIPPED_FILE)).toThrow(/^models\/flight-delay\.yaml: /);
    }
  });
});

describe('fuzzed specs', () => {
  /** The spec as written (before parsing), so that each mutation starts from valid input. */
  const written = parse(shippedText) as Record<string, unknown>;

  /** Every path to a field in `value`. */
  function paths(value: unknown, prefix: string[] = []): string[][] {
    if (value === null || typeof value !== 'object') return [prefix];
    return [prefix, ...Object.entries(value).flatMap(([key, child]) => paths(child, [...prefix, key]))];
  }

  it('either parse or fail with a ModelSpecError naming the file and a field', () => {
    const targets = paths(written).filter((p) => p.length > 0);
    fc.assert(
      fc.property(fc.constantFrom(...targets), fc.jsonValue(), (path, value) => {
        const mutated = structuredClone(written);
        let node = mutated;
        for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
        node[path.at(-1)!] = value;
        try {
          parseModelSpec(stringify(mutated), SHIPPED_FILE);
        } catch (error) {
          expect(error).toBeInstanceOf(ModelSpecError);
          const specError = error as ModelSpecError;
          expect(specError.problems.length).toBeGreaterThan(0);
          for (const line of specError.message.split('\n')) expect(line.startsWith(`${SHIPPED_FILE}: `)).toBe(true);
          expect(specError.field).not.toBe('');
        }
      }),
      { numRuns: 300 },
    );
  });
});
