// The Vizier API (VizierService) on the local Vertex emulator through the official Node client
// (REST fallback): studies and trials, suggestions as long-running operations with Vizier's
// client_id semantics, measurements, completion, early-stopping checks (decay curve through the
// real Designer, median), optimal trials, validation, persistence across a restart, and a short
// Gaussian-process study that improves on its first trials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protos } from '@google-cloud/aiplatform';
import { VizierServiceClient, vertexClientOptions } from '../../../google-clients/index.js';
import type { Designer, SuggestInput } from '../../../emulators/vertex/vizier/designer.js';
import { startDesignerProcess } from '../../../emulators/vertex/vizier/designer-process.js';
import { LOCATION, PARENT, PROJECT, callError, rest, startTestVertex } from '../vertex/support.js';
import type { TestVertex } from '../vertex/support.js';

type IStudySpec = protos.google.cloud.aiplatform.v1.IStudySpec;
type ITrial = protos.google.cloud.aiplatform.v1.ITrial;
type IMeasurement = protos.google.cloud.aiplatform.v1.IMeasurement;

let t: TestVertex;
let vizier: VizierServiceClient;

const connect = (port: number) => new VizierServiceClient(vertexClientOptions(LOCATION, { projectId: PROJECT, env: { VERTEX_EMULATOR_HOST: `127.0.0.1:${port}` } }));

// The real Designer, behind a wrapper that records what each suggestion asked of it.
const engine = startDesignerProcess();
const asked: SuggestInput[] = [];
const designer: Designer = {
  suggest: (input) => {
    asked.push(structuredClone(input));
    return engine.suggest(input);
  },
  decayCurveStop: (input) => engine.decayCurveStop(input),
  close: () => engine.close(),
};

beforeAll(async () => {
  t = await startTestVertex({}, { designer });
  vizier = connect(t.emulator.port);
});
afterAll(async () => {
  await vizier.close();
  await t.stop();
  await engine.close();
});

let studyCount = 0;
async function createStudy(studySpec: IStudySpec, displayName = `study-${++studyCount}`) {
  const [study] = await vizier.createStudy({ parent: PARENT, study: { displayName, studySpec } });
  return study;
}

async function suggest(parent: string, suggestionCount: number, clientId: string) {
  const [operation] = await vizier.suggestTrials({ parent, suggestionCount, clientId });
  const [response, metadata] = await operation.promise();
  return { operation, response, metadata };
}

async function shouldStop(trialName: string): Promise<boolean> {
  const [operation] = await vizier.checkTrialEarlyStoppingState({ trialName });
  const [response] = await operation.promise();
  return response.shouldStop === true;
}

// Operation results are decoded from protobuf Any: enums arrive as numbers there, as from Vertex.
const { Study, Trial } = protos.google.cloud.aiplatform.v1;
const studyState = (s: unknown) => (typeof s === 'number' ? Study.State[s] : s);
const trialState = (s: unknown) => (typeof s === 'number' ? Trial.State[s] : s);
const point = (trial: ITrial | undefined) => [param(trial, 'x'), param(trial, 'y')];

const measurement = (metricId: string, value: number, stepCount: number): IMeasurement => ({ stepCount, metrics: [{ metricId, value }] });
const valueOf = (trial: ITrial | undefined, metricId: string) => trial?.finalMeasurement?.metrics?.find((m) => m.metricId === metricId)?.value ?? 0;
const param = (trial: ITrial | undefined, id: string) => trial?.parameters?.find((p) => p.parameterId === id)?.value?.numberValue ?? Number.NaN;

const XY: IStudySpec['parameters'] = [
  { parameterId: 'x', doubleValueSpec: { minValue: -5, maxValue: 5 } },
  { parameterId: 'y', doubleValueSpec: { minValue: -5, maxValue: 5 } },
];
const quadratic = (x: number, y: number) => (x - 1.5) ** 2 + (y + 2) ** 2;

describe('studies', () => {
  it('creates, gets, looks up, lists and deletes studies; display names are unique', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'loss', goal: 'MINIMIZE' }], parameters: XY, algorithm: 'RANDOM_SEARCH' }, 'lookup-me');
    expect(study.name).toMatch(new RegExp(`^${PARENT}/studies/\\d+$`));
    expect(study.state).toBe('ACTIVE');
    expect(study.createTime).toBeTruthy();
    expect((await vizier.getStudy({ name: study.name! }))[0].displayName).toBe('lookup-me');
    expect((await vizier.lookupStudy({ parent: PARENT, displayName: 'lookup-me' }))[0].name).toBe(study.name);

    const duplicate = await callError(createStudy({ metrics: [{ metricId: 'loss', goal: 'MINIMIZE' }], parameters: XY }, 'lookup-me'));
    expect(duplicate.code).toBe(6); // ALREADY_EXISTS
    expect(duplicate.message).toMatch(/lookup-me/);

    const other = await createStudy({ metrics: [{ metricId: 'loss', goal: 'MINIMIZE' }], parameters: XY });
    const [firstPage, , response] = await vizier.listStudies({ parent: PARENT, pageSize: 1 }, { autoPaginate: false });
    expect(firstPage).toHaveLength(1);
    expect(response?.nextPageToken).toBeTruthy();
    const [all] = await vizier.listStudies({ parent: PARENT });
    expect(all.map((s) => s.name)).toEqual(expect.arrayContaining([study.name, other.name]));

    await suggest(study.name!, 1, 'c');
    await vizier.deleteStudy({ name: study.name! });
    const gone = await callError(vizier.getStudy({ name: study.name! }));
    expect(gone.code).toBe(5);
    expect(gone.message).toContain(study.name!);
    expect((await callError(vizier.listTrials({ parent: study.name! }))).code).toBe(5);
    expect((await callError(vizier.lookupStudy({ parent: PARENT, displayName: 'lookup-me' }))).code).toBe(5);
  });

  it('names the bad field in validation errors', async () => {
    const noName = await callError(vizier.createStudy({ parent: PARENT, study: { studySpec: { metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: XY } } }));
    expect(noName.code).toBe(3);
    expect(noName.message).toMatch(/study\.display_name/);

    const logOverZero = await callError(createStudy({ metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: [{ parameterId: 'lr', scaleType: 'UNIT_LOG_SCALE', doubleValueSpec: { minValue: 0, maxValue: 1 } }] }));
    expect(logOverZero.code).toBe(3);
    expect(logOverZero.message).toMatch(/study\.study_spec\.parameters\[0\]\.scale_type UNIT_LOG_SCALE needs a positive range/);

    const twice = await callError(createStudy({ metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }, { metricId: 'm', goal: 'MINIMIZE' }], parameters: XY }));
    expect(twice.message).toMatch(/study\.study_spec\.metrics\[1\]: metric_id "m" is used twice/);

    const study = await createStudy({ metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: XY, algorithm: 'RANDOM_SEARCH' });
    const zero = await callError(vizier.suggestTrials({ parent: study.name!, suggestionCount: 0, clientId: 'c' }));
    expect(zero.code).toBe(3);
    expect(zero.message).toMatch(/suggestion_count/);
    const tooMany = await callError(vizier.suggestTrials({ parent: study.name!, suggestionCount: 1001, clientId: 'c' }));
    expect(tooMany.code).toBe(3);
    expect(tooMany.message).toMatch(/suggestion_count 1001 is more than the 1000/);
    const anonymous = await callError(vizier.suggestTrials({ parent: study.name!, suggestionCount: 1 }));
    expect(anonymous.code).toBe(3);
    expect(anonymous.message).toMatch(/client_id/);
    const outside = await callError(vizier.createTrial({ parent: study.name!, trial: { parameters: [{ parameterId: 'x', value: { numberValue: 7 } }] } }));
    expect(outside.code).toBe(3);
    expect(outside.message).toMatch(/trial\.parameters\[0\]\.value 7 does not fit the double parameter "x"/);
    const unknown = await callError(vizier.createTrial({ parent: study.name!, trial: { parameters: [{ parameterId: 'z', value: { numberValue: 1 } }] } }));
    expect(unknown.message).toMatch(/trial\.parameters\[0\]\.parameter_id "z"/);
  });
});

describe('trials', () => {
  it('runs the loop: suggest (LRO), measure, complete, list, optimal trials', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'loss', goal: 'MINIMIZE' }], parameters: XY, algorithm: 'RANDOM_SEARCH' });
    const { operation, response, metadata } = await suggest(study.name!, 2, 'worker-1');
    expect(operation.name).toMatch(new RegExp(`^${study.name}/operations/\\d+$`));
    expect(metadata?.clientId).toBe('worker-1');
    expect(studyState(response.studyState)).toBe('ACTIVE');
    expect(response.startTime).toBeTruthy();
    expect(response.endTime).toBeTruthy();
    const trials = response.trials ?? [];
    expect(trials.map((tr) => [tr.id, tr.name, trialState(tr.state), tr.clientId])).toEqual([
      ['1', `${study.name}/trials/1`, 'ACTIVE', 'worker-1'],
      ['2', `${study.name}/trials/2`, 'ACTIVE', 'worker-1'],
    ]);
    for (const tr of trials) {
      expect(tr.parameters?.map((p) => p.parameterId)).toEqual(['x', 'y']);
      for (const p of tr.parameters ?? []) expect(Math.abs(p.value?.numberValue ?? 99)).toBeLessThanOrEqual(5);
    }

    // Trial 1: two measurements, completed without a final one (LAST_MEASUREMENT by default).
    const [first, second] = trials as [ITrial, ITrial];
    const loss1 = quadratic(param(first, 'x'), param(first, 'y'));
    await vizier.addTrialMeasurement({ trialName: first.name!, measurement: measurement('loss', loss1 + 1, 1) });
    const [measured] = await vizier.addTrialMeasurement({ trialName: first.name!, measurement: { ...measurement('loss', loss1, 2), elapsedDuration: { seconds: 3 } } });
    expect(measured.measurements?.map((m) => [m.stepCount, m.metrics?.[0]?.value])).toEqual([['1', loss1 + 1], ['2', loss1]]);
    const [done1] = await vizier.completeTrial({ name: first.name! });
    expect(done1.state).toBe('SUCCEEDED');
    expect(done1.finalMeasurement?.stepCount).toBe('2');
    expect(valueOf(done1, 'loss')).toBeCloseTo(loss1);
    expect(done1.endTime).toBeTruthy();

    const loss2 = quadratic(param(second, 'x'), param(second, 'y'));
    const [done2] = await vizier.completeTrial({ name: second.name!, finalMeasurement: measurement('loss', loss2, 10) });
    expect(valueOf(done2, 'loss')).toBeCloseTo(loss2);

    // A completed trial takes no more measurements, nor a second completion.
    const late = await callError(vizier.addTrialMeasurement({ trialName: first.name!, measurement: measurement('loss', 0, 3) }));
    expect(late.code).toBe(9); // FAILED_PRECONDITION
    expect(late.message).toContain(first.name!);
    expect((await callError(vizier.completeTrial({ name: first.name! }))).code).toBe(9);
    const missing = await callError(vizier.getTrial({ name: `${study.name}/trials/99` }));
    expect(missing.code).toBe(5);
    expect(missing.message).toContain(`${study.name}/trials/99`);

    const [page, , list] = await vizier.listTrials({ parent: study.name!, pageSize: 1 }, { autoPaginate: false });
    expect(page.map((tr) => tr.id)).toEqual(['1']);
    const [rest] = await vizier.listTrials({ parent: study.name!, pageSize: 1, pageToken: list.nextPageToken! }, { autoPaginate: false });
    expect(rest.map((tr) => tr.id)).toEqual(['2']);

    const [optimal] = await vizier.listOptimalTrials({ parent: study.name! });
    expect(optimal.optimalTrials?.map((tr) => tr.id)).toEqual([loss1 <= loss2 ? '1' : '2']);

    // A caller's own trial is REQUESTED (not measurable yet) until a suggestion hands it to a client.
    const [own] = await vizier.createTrial({ parent: study.name!, trial: { parameters: [{ parameterId: 'x', value: { numberValue: 1.5 } }, { parameterId: 'y', value: { numberValue: -2 } }] } });
    expect([own.id, own.state]).toEqual(['3', 'REQUESTED']);
    expect((await callError(vizier.addTrialMeasurement({ trialName: own.name!, measurement: measurement('loss', 0, 1) }))).code).toBe(9);
    const handed = (await suggest(study.name!, 1, 'worker-2')).response.trials ?? [];
    expect(handed.map((tr) => [tr.id, trialState(tr.state), tr.clientId, ...point(tr)])).toEqual([['3', 'ACTIVE', 'worker-2', 1.5, -2]]);
    // Deleting it leaves the ids of the others (and the next id) alone.
    await vizier.deleteTrial({ name: own.name! });
    expect((await callError(vizier.getTrial({ name: own.name! }))).code).toBe(5);
    const next = await suggest(study.name!, 1, 'worker-1');
    expect(next.response.trials?.map((tr) => tr.id)).toEqual(['4']);
  });

  it('completes with the best measurement when the study selects BEST_MEASUREMENT', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: XY, algorithm: 'RANDOM_SEARCH', measurementSelectionType: 'BEST_MEASUREMENT' });
    const [trial] = (await suggest(study.name!, 1, 'c')).response.trials ?? [];
    const values = [3, 5, 4];
    for (const [i, value] of values.entries()) await vizier.addTrialMeasurement({ trialName: trial!.name!, measurement: measurement('m', value, i + 1) });
    const [done] = await vizier.completeTrial({ name: trial!.name! });
    expect([done.finalMeasurement?.stepCount, valueOf(done, 'm')]).toEqual([String(values.indexOf(Math.max(...values)) + 1), Math.max(...values)]);
  });

  it('gives a client its own ACTIVE trials back before new ones', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: XY, algorithm: 'RANDOM_SEARCH' });
    const a1 = (await suggest(study.name!, 1, 'a')).response.trials ?? [];
    expect(a1.map((tr) => tr.id)).toEqual(['1']);
    const a2 = (await suggest(study.name!, 2, 'a')).response.trials ?? [];
    expect(a2.map((tr) => tr.id)).toEqual(['1', '2']);
    expect(point(a2[0])).toEqual(point(a1[0]));
    const b = (await suggest(study.name!, 1, 'b')).response.trials ?? [];
    expect(b.map((tr) => [tr.id, tr.clientId])).toEqual([['3', 'b']]);
    await vizier.completeTrial({ name: a2[0]!.name!, finalMeasurement: measurement('m', 1, 1) });
    await vizier.stopTrial({ name: a2[1]!.name! }); // STOPPING is no longer handed out again either
    const a3 = (await suggest(study.name!, 1, 'a')).response.trials ?? [];
    expect(a3.map((tr) => tr.id)).toEqual(['4']);
  });

  it('stops trials and completes them as infeasible', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: XY });
    const [trial] = (await suggest(study.name!, 1, 'c')).response.trials ?? [];
    const [stopped] = await vizier.stopTrial({ name: trial!.name! });
    expect(stopped.state).toBe('STOPPING');
    expect(await shouldStop(trial!.name!)).toBe(true);
    const [infeasible] = await vizier.completeTrial({ name: trial!.name!, trialInfeasible: true, infeasibleReason: 'out of memory' });
    expect([infeasible.state, infeasible.infeasibleReason]).toEqual(['INFEASIBLE', 'out of memory']);
    expect((await callError(vizier.stopTrial({ name: trial!.name! }))).code).toBe(9);
    // The GP is told of the infeasible trial (as infeasible, not completed nor pending); no optimal trial yet.
    const before = asked.length;
    const [next] = (await suggest(study.name!, 1, 'c')).response.trials ?? [];
    expect(asked).toHaveLength(before + 1);
    const input = asked[before]!;
    expect([input.infeasible, input.completed, input.pending]).toEqual([[{ parameters: { x: param(trial, 'x'), y: param(trial, 'y') } }], [], []]);
    expect(point(next)).not.toEqual(point(trial));
    expect((await vizier.listOptimalTrials({ parent: study.name! }))[0].optimalTrials ?? []).toEqual([]);
    const noMeasurement = await callError(vizier.completeTrial({ name: next!.name! }));
    expect(noMeasurement.code).toBe(3);
    expect(noMeasurement.message).toMatch(/final_measurement/);
  });

  it('refuses metric values that are not finite, naming the field', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: XY, algorithm: 'RANDOM_SEARCH' });
    const [trial] = (await suggest(study.name!, 1, 'c')).response.trials ?? [];
    const nan = await callError(vizier.addTrialMeasurement({ trialName: trial!.name!, measurement: measurement('m', Number.NaN, 1) }));
    expect(nan.code).toBe(3);
    expect(nan.message).toMatch(/measurement\.metrics\[0\]\.value must be a finite number/);
    // What curl sends: proto3 JSON spells them as strings.
    const path = `/v1/${trial!.name!}`;
    const infinite = await rest(t.emulator, 'POST', `${path}:complete`, { finalMeasurement: { metrics: [{ metricId: 'm', value: 1 }, { metricId: 'n', value: 'Infinity' }] } });
    expect(infinite.status).toBe(400);
    expect(JSON.stringify(infinite.json)).toMatch(/final_measurement\.metrics\[1\]\.value must be a finite number, got \\"Infinity\\"/);
    const created = await callError(
      vizier.createTrial({
        parent: study.name!,
        trial: { parameters: [{ parameterId: 'x', value: { numberValue: 0 } }, { parameterId: 'y', value: { numberValue: 0 } }], finalMeasurement: measurement('m', Number.NEGATIVE_INFINITY, 1) },
      }),
    );
    expect(created.message).toMatch(/trial\.final_measurement\.metrics\[0\]\.value/);
    // Nothing was recorded: the trial is still ACTIVE and unmeasured, and no trial was created.
    const [again] = await vizier.getTrial({ name: trial!.name! });
    expect([again.state, again.measurements ?? []]).toEqual(['ACTIVE', []]);
    expect((await vizier.listTrials({ parent: study.name! }))[0].map((tr) => tr.id)).toEqual(['1']);
  });

  it('creates a trial only with every active parameter once and nothing inactive', async () => {
    const study = await createStudy({
      metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }],
      algorithm: 'RANDOM_SEARCH',
      parameters: [
        {
          parameterId: 'model',
          categoricalValueSpec: { values: ['tree', 'linear'] },
          conditionalParameterSpecs: [{ parentCategoricalValues: { values: ['tree'] }, parameterSpec: { parameterId: 'depth', integerValueSpec: { minValue: 1, maxValue: 9 } } }],
        },
        { parameterId: 'x', doubleValueSpec: { minValue: 0, maxValue: 1 } },
      ],
    });
    const model = (v: string) => ({ parameterId: 'model', value: { stringValue: v } });
    const depth = { parameterId: 'depth', value: { numberValue: 3 } };
    const x = { parameterId: 'x', value: { numberValue: 0.5 } };
    const create = (parameters: object[]) => callError(vizier.createTrial({ parent: study.name!, trial: { parameters } }));
    const missing = await create([model('tree'), x]);
    expect([missing.code, missing.message]).toEqual([3, expect.stringMatching(/^trial\.parameters has no value for "depth", which is active in this trial/)]);
    const twice = await create([model('linear'), x, { parameterId: 'x', value: { numberValue: 0.7 } }]);
    expect([twice.code, twice.message]).toEqual([3, expect.stringMatching(/^trial\.parameters\[2\] gives "x" a second time/)]);
    const inactive = await create([model('linear'), depth, x]);
    expect([inactive.code, inactive.message]).toEqual([3, expect.stringMatching(/^trial\.parameters\[1\] "depth" is not active in this trial/)]);
    expect((await vizier.listTrials({ parent: study.name! }))[0]).toEqual([]);
    const [ok] = await vizier.createTrial({ parent: study.name!, trial: { parameters: [model('tree'), depth, x] } });
    expect([ok.id, ok.state]).toEqual(['1', 'REQUESTED']);
    // A REQUESTED trial runs nowhere yet: stopping it is refused, as in OSS Vizier.
    const stop = await callError(vizier.stopTrial({ name: ok.name! }));
    expect([stop.code, stop.message]).toEqual([9, expect.stringMatching(/is REQUESTED: only an ACTIVE trial can be stopped/)]);
  });

  it('hands concurrent clients distinct trials, as many as each asked for', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: XY });
    await vizier.createTrial({ parent: study.name!, trial: { parameters: [{ parameterId: 'x', value: { numberValue: 1 } }, { parameterId: 'y', value: { numberValue: 1 } }] } });
    const [a, b] = await Promise.all([suggest(study.name!, 2, 'client-a'), suggest(study.name!, 3, 'client-b')]);
    const ta = a.response.trials ?? [];
    const tb = b.response.trials ?? [];
    expect([ta.length, tb.length]).toEqual([2, 3]);
    expect(ta.every((tr) => tr.clientId === 'client-a') && tb.every((tr) => tr.clientId === 'client-b')).toBe(true);
    const ids = [...ta, ...tb].map((tr) => Number(tr.id)).sort((p, q) => p - q);
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    const [listed] = await vizier.listTrials({ parent: study.name! });
    expect(listed.map((tr) => [tr.id, tr.state])).toEqual(ids.map((id) => [String(id), 'ACTIVE']));
  });

  it('never repeats a random batch after a trial is deleted', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: XY, algorithm: 'RANDOM_SEARCH' });
    const [first] = (await suggest(study.name!, 1, 'c')).response.trials ?? [];
    await vizier.deleteTrial({ name: first!.name! });
    const [second] = (await suggest(study.name!, 1, 'c')).response.trials ?? [];
    expect(second!.id).toBe('2');
    expect(point(second)).not.toEqual(point(first));
  });

  it('lists the Pareto front of a study with two metrics', async () => {
    const study = await createStudy(
      { metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }, { metricId: 'latency', goal: 'MINIMIZE' }], parameters: XY, algorithm: 'RANDOM_SEARCH' },
    );
    const points = [[0.9, 30], [0.8, 10], [0.7, 20], [0.9, 40], [0.95, 50]] as const; // (0.7, 20) and (0.9, 40) are dominated
    const trials = (await suggest(study.name!, points.length, 'c')).response.trials ?? [];
    for (const [i, [accuracy, latency]] of points.entries()) {
      await vizier.completeTrial({ name: trials[i]!.name!, finalMeasurement: { stepCount: 1, metrics: [{ metricId: 'accuracy', value: accuracy }, { metricId: 'latency', value: latency }] } });
    }
    const [optimal] = await vizier.listOptimalTrials({ parent: study.name! });
    const front = (optimal.optimalTrials ?? []).map((tr) => [valueOf(tr, 'accuracy'), valueOf(tr, 'latency')]);
    const dominated = (p: readonly number[]) => points.some((q) => q[0] >= p[0]! && q[1] <= p[1]! && (q[0] > p[0]! || q[1] < p[1]!));
    expect(front.length).toBeGreaterThan(0);
    expect(front).toEqual(points.filter((p) => !dominated(p)).map((p) => [...p]));
  });
});

describe('early stopping checks', () => {
  // A trial (created, then handed to a client of its own) whose curve is level * (1 - e^(-step/2)) for steps 1..upTo.
  let clients = 0;
  async function curveTrial(study: string, level: number, upTo: number, complete: boolean): Promise<string> {
    const [created] = await vizier.createTrial({ parent: study, trial: { parameters: [{ parameterId: 'x', value: { numberValue: level } }, { parameterId: 'y', value: { numberValue: 0 } }] } });
    const [trial] = (await suggest(study, 1, `curve-${++clients}`)).response.trials ?? [];
    const name = trial!.name!;
    expect(name).toBe(created.name);
    for (let step = 1; step <= upTo; step++) {
      await vizier.addTrialMeasurement({ trialName: name, measurement: measurement('accuracy', level * (1 - Math.exp(-step / 2)), step) });
    }
    if (complete) await vizier.completeTrial({ name });
    return name;
  }

  it('applies the decay-curve rule through the Designer', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }], parameters: XY, decayCurveStoppingSpec: {} });
    const early = await curveTrial(study.name!, 0.2, 3, false);
    expect(await shouldStop(early)).toBe(false); // no completed trials to compare with yet
    for (const level of [0.6, 0.7, 0.8, 0.9]) await curveTrial(study.name!, level, 8, true);
    const good = await curveTrial(study.name!, 0.95, 3, false);
    expect(await shouldStop(good)).toBe(false);
    expect((await vizier.getTrial({ name: good }))[0].state).toBe('ACTIVE');
    expect(await shouldStop(early)).toBe(true);
    // The answer changes nothing: the caller stops or completes the trial.
    expect((await vizier.getTrial({ name: early }))[0].state).toBe('ACTIVE');
    const completed = (await vizier.listTrials({ parent: study.name! }))[0].find((tr) => tr.state === 'SUCCEEDED')!;
    expect((await callError(vizier.checkTrialEarlyStoppingState({ trialName: completed.name! }))).code).toBe(9);
  });

  it('applies the median rule', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }], parameters: XY, algorithm: 'RANDOM_SEARCH', medianAutomatedStoppingSpec: {} });
    for (const level of [0.6, 0.8]) await curveTrial(study.name!, level, 4, true);
    const below = await curveTrial(study.name!, 0.3, 2, false);
    const above = await curveTrial(study.name!, 0.9, 2, false);
    expect(await shouldStop(above)).toBe(false);
    expect(await shouldStop(below)).toBe(true);
  });

  it('never stops without a stopping spec', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }], parameters: XY, algorithm: 'RANDOM_SEARCH' });
    for (const level of [0.6, 0.8]) await curveTrial(study.name!, level, 4, true);
    expect(await shouldStop(await curveTrial(study.name!, 0.1, 2, false))).toBe(false);
  });
});

describe('Gaussian-process suggestions', () => {
  it('starts at the centre and improves on its first trials of a 2-D quadratic', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'loss', goal: 'MINIMIZE' }], parameters: XY });
    const losses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const [trial] = (await suggest(study.name!, 1, 'gp')).response.trials ?? [];
      const [x, y] = [param(trial, 'x'), param(trial, 'y')];
      if (i === 0) expect([x, y]).toEqual([0, 0]);
      losses.push(quadratic(x, y));
      await vizier.completeTrial({ name: trial!.name!, finalMeasurement: measurement('loss', losses[i]!, 1) });
    }
    const firstBest = Math.min(...losses.slice(0, 4));
    const laterBest = Math.min(...losses.slice(4));
    expect(laterBest).toBeLessThan(firstBest);
    expect(laterBest).toBeLessThan(1); // within about a unit of (1.5, -2)
    const [optimal] = await vizier.listOptimalTrials({ parent: study.name! });
    expect(valueOf(optimal.optimalTrials?.[0], 'loss')).toBeCloseTo(Math.min(...losses));
  });

  it('continues a grid where the study left off and completes the study when it runs out', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: [{ parameterId: 'k', integerValueSpec: { minValue: 1, maxValue: 3 } }], algorithm: 'GRID_SEARCH' });
    await vizier.createTrial({ parent: study.name!, trial: { parameters: [{ parameterId: 'k', value: { numberValue: 2 } }] } });
    const { response } = await suggest(study.name!, 3, 'c');
    // The caller's REQUESTED trial first, then the grid without the point that trial holds.
    expect((response.trials ?? []).map((tr) => param(tr, 'k'))).toEqual([2, 1, 3]);
    expect(studyState(response.studyState)).toBe('COMPLETED');
    expect((await vizier.getStudy({ name: study.name! }))[0].state).toBe('COMPLETED');
    const late = await suggest(study.name!, 1, 'd');
    expect([late.response.trials ?? [], studyState(late.response.studyState)]).toEqual([[], 'COMPLETED']);
  });
});

describe('persistence', () => {
  it('keeps studies and trials across a restart', async () => {
    const study = await createStudy({ metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: XY, algorithm: 'RANDOM_SEARCH' }, 'durable');
    const [trial] = (await suggest(study.name!, 1, 'c')).response.trials ?? [];
    await vizier.addTrialMeasurement({ trialName: trial!.name!, measurement: measurement('m', 0.5, 1) });
    await vizier.close();
    await t.stop({ keepData: true });
    t = await t.restart();
    vizier = connect(t.emulator.port);
    expect((await vizier.lookupStudy({ parent: PARENT, displayName: 'durable' }))[0].name).toBe(study.name);
    const [again] = await vizier.getTrial({ name: trial!.name! });
    expect([again.state, point(again), again.measurements?.length]).toEqual(['ACTIVE', point(trial), 1]);
    const { response } = await suggest(study.name!, 2, 'c');
    expect(response.trials?.map((tr) => tr.id)).toEqual(['1', '2']);
  });
});
