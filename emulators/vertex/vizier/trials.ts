// Vizier Trials (google.cloud.aiplatform.v1.Trial) of a study: `…/studies/S/trials/{1, 2, …}`,
// created by suggestions (ACTIVE, for a client) or by the caller (REQUESTED until a suggestion hands
// it to a client), measured, completed (with a final measurement, the one
// measurement_selection_type picks, or as infeasible), stopped and deleted. As in Vizier, only an
// ACTIVE or STOPPING trial is measured or completed, and only an ACTIVE one stopped (STOPPING again
// is a no-op); anything else is FAILED_PRECONDITION. Metric values must be finite, and a caller's
// trial must hold every parameter active in it once and nothing else.
import { failedPrecondition, invalidArgument, notFound } from '../api/errors.js';
import { nowTimestamp } from '../api/ids.js';
import type { QueryValues } from '../api/query.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject, text } from '../api/wire-json.js';
import type { ParameterSpec, ParameterValue } from '../hyperparameter-tuning-jobs/study-spec.js';
import { assignmentProblem, valueFits } from './assignment-check.js';
import type { Assignment } from '../hyperparameter-tuning-jobs/suggestions.js';
import type { JsonStore } from '../state/json-store.js';
import type { TrialParameters } from './designer.js';
import type { WireMeasurement } from './measurements.js';
import { assertFiniteMetrics, metricOf, selectFinalMeasurement } from './measurements.js';
import { pageOf } from './paging.js';
import type { TrialHistory } from './suggest.js';
import type { VizierStudies } from './studies.js';

export type TrialState = 'REQUESTED' | 'ACTIVE' | 'STOPPING' | 'SUCCEEDED' | 'INFEASIBLE';

/** A Trial as stored and answered (canonical JSON). */
export interface StoredTrial {
  name: string;
  id: string;
  state: TrialState;
  parameters: { parameterId: string; value: ParameterValue }[];
  finalMeasurement?: WireMeasurement;
  measurements?: WireMeasurement[];
  startTime: string;
  endTime?: string;
  clientId?: string;
  infeasibleReason?: string;
}

const DONE: readonly TrialState[] = ['SUCCEEDED', 'INFEASIBLE'];
const RUNNING: readonly TrialState[] = ['ACTIVE', 'STOPPING'];
const TRIAL_NAME = /^(projects\/[^/]+\/locations\/[^/]+\/studies\/[^/]+)\/trials\/[^/]+$/;

// Every Measurement and Trial.Parameter field is OUTPUT_ONLY in the proto, yet these requests carry them.
const CALLER_MEASUREMENT = { acceptOutputOnly: ['measurement', 'finalMeasurement'] };
const CALLER_TRIAL = { acceptOutputOnly: ['trial.parameters', 'trial.measurements', 'trial.finalMeasurement'] };

export const studyOfTrial = (name: string): string => TRIAL_NAME.exec(name)?.[1] ?? '';

export class VizierTrials {
  constructor(
    private readonly store: JsonStore<StoredTrial>,
    private readonly studies: VizierStudies,
  ) {}

  /** The study's trials in id order. */
  of(study: string): StoredTrial[] {
    return this.store
      .values()
      .filter((t) => studyOfTrial(t.name) === study)
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** The trials in the terms suggestions need (the objective of each completed one). */
  history(study: string): TrialHistory[] {
    const { metricId } = this.studies.spec(study);
    return this.of(study).map((t) => ({
      parameters: parametersOf(t),
      status: t.state === 'SUCCEEDED' ? 'completed' : t.state === 'INFEASIBLE' ? 'infeasible' : 'pending',
      ...(t.state === 'SUCCEEDED' ? { value: metricOf(t.finalMeasurement, metricId) } : {}),
    }));
  }

  /** A suggested trial: ACTIVE, for `clientId`. */
  async addSuggested(study: string, assignment: readonly Assignment[], clientId: string): Promise<StoredTrial> {
    const id = await this.studies.allocateTrialId(study);
    this.studies.assertExists(study); // deleted meanwhile: no orphan trial
    const trial: StoredTrial = {
      name: `${study}/trials/${id}`,
      id,
      state: 'ACTIVE',
      parameters: assignment.map((a) => ({ parameterId: a.parameterId, value: a.value })),
      startTime: nowTimestamp(),
      clientId,
    };
    await this.store.put(trial.name, trial);
    return structuredClone(trial);
  }

  /** A REQUESTED trial handed to `clientId` by a suggestion: ACTIVE from now; undefined when it is no longer REQUESTED (or gone). */
  async assign(name: string, clientId: string): Promise<StoredTrial | undefined> {
    const trial = this.store.get(name);
    if (trial?.state !== 'REQUESTED') return undefined;
    trial.state = 'ACTIVE';
    trial.clientId = clientId;
    trial.startTime = nowTimestamp();
    await this.store.put(name, trial);
    return structuredClone(trial);
  }

  /** CreateTrial: the caller's parameters (checked against the spec); with a final measurement the trial is already SUCCEEDED. */
  async create(study: string, body: unknown): Promise<JsonObject> {
    assertValidWireRequest('CreateTrialRequest', { parent: study, trial: body }, CALLER_TRIAL);
    const spec = this.studies.spec(study);
    const given = canonical('Trial', body);
    const rawParameters = Array.isArray(given.parameters) ? given.parameters.filter(isPlainObject) : [];
    const parameters = rawParameters.map((p, i) => ({ parameterId: text(p.parameterId), value: checkValue(spec.parameters, p, `trial.parameters[${i}]`) }));
    checkTrialParameters(spec.parameters, parameters);
    const final = isPlainObject(given.finalMeasurement) ? (given.finalMeasurement as WireMeasurement) : undefined;
    assertFiniteMetrics(final, 'trial.final_measurement');
    const measurements = Array.isArray(given.measurements) ? (given.measurements as WireMeasurement[]) : undefined;
    measurements?.forEach((m, i) => assertFiniteMetrics(m, `trial.measurements[${i}]`));
    const id = await this.studies.allocateTrialId(study);
    this.studies.assertExists(study); // deleted meanwhile: no orphan trial
    const now = nowTimestamp();
    const trial: StoredTrial = {
      name: `${study}/trials/${id}`,
      id,
      state: final ? 'SUCCEEDED' : 'REQUESTED',
      parameters,
      ...(measurements ? { measurements } : {}),
      ...(final ? { finalMeasurement: final, endTime: now } : {}),
      startTime: now,
    };
    await this.store.put(trial.name, trial);
    return structuredClone(trial) as unknown as JsonObject;
  }

  get(name: string): StoredTrial {
    return structuredClone(this.find(name));
  }

  list(study: string, params: QueryValues): JsonObject {
    this.studies.spec(study); // NOT_FOUND for a missing study
    return pageOf(this.of(study) as unknown as JsonObject[], params, 'trials', `trials:${study}`);
  }

  async delete(name: string): Promise<JsonObject> {
    this.find(name);
    await this.store.delete(name);
    return {};
  }

  async deleteAll(study: string): Promise<void> {
    for (const t of this.of(study)) await this.store.delete(t.name);
  }

  async addMeasurement(name: string, body: unknown): Promise<StoredTrial> {
    const request = isPlainObject(body) ? body : {};
    assertValidWireRequest('AddTrialMeasurementRequest', { ...request, trialName: name }, CALLER_MEASUREMENT);
    const measurement = canonical('Measurement', request.measurement);
    assertFiniteMetrics(measurement, 'measurement');
    const trial = this.find(name);
    if (!RUNNING.includes(trial.state)) throw failedPrecondition(`Trial ${name} is ${trial.state}: measurements can only be added to an ACTIVE or STOPPING trial.`);
    trial.measurements = [...(trial.measurements ?? []), measurement];
    await this.store.put(name, trial);
    return structuredClone(trial);
  }

  async complete(name: string, body: unknown): Promise<StoredTrial> {
    const request = isPlainObject(body) ? body : {};
    assertValidWireRequest('CompleteTrialRequest', { ...request, name }, CALLER_MEASUREMENT);
    const given = canonical('CompleteTrialRequest', request);
    if (isPlainObject(given.finalMeasurement)) assertFiniteMetrics(given.finalMeasurement, 'final_measurement');
    const trial = this.find(name);
    if (!RUNNING.includes(trial.state)) throw failedPrecondition(`Trial ${name} is ${trial.state}: only an ACTIVE or STOPPING trial can be completed.`);
    if (given.trialInfeasible === true) {
      trial.state = 'INFEASIBLE';
      trial.infeasibleReason = text(given.infeasibleReason);
      if (isPlainObject(given.finalMeasurement)) trial.finalMeasurement = given.finalMeasurement;
    } else {
      if (given.infeasibleReason !== undefined) throw invalidArgument('infeasible_reason is set but trial_infeasible is not.', 'infeasible_reason');
      const final = isPlainObject(given.finalMeasurement) ? (given.finalMeasurement as WireMeasurement) : selectFinalMeasurement(trial.measurements, this.studies.spec(studyOfTrial(name)));
      if (final === undefined) {
        throw invalidArgument(`Trial ${name} has no measurements: set final_measurement, or trial_infeasible to complete it as infeasible.`, 'final_measurement');
      }
      trial.state = 'SUCCEEDED';
      trial.finalMeasurement = final;
    }
    trial.endTime = nowTimestamp();
    await this.store.put(name, trial);
    return structuredClone(trial);
  }

  async stop(name: string, body: unknown): Promise<StoredTrial> {
    assertValidWireRequest('StopTrialRequest', { ...(isPlainObject(body) ? body : {}), name });
    const trial = this.find(name);
    if (DONE.includes(trial.state)) throw failedPrecondition(`Trial ${name} is already ${trial.state}.`);
    // As OSS Vizier: a REQUESTED trial runs nowhere yet, so there is nothing to stop.
    if (trial.state === 'REQUESTED') throw failedPrecondition(`Trial ${name} is REQUESTED: only an ACTIVE trial can be stopped.`);
    if (trial.state === 'STOPPING') return structuredClone(trial);
    trial.state = 'STOPPING';
    await this.store.put(name, trial);
    return structuredClone(trial);
  }

  /** NOT_FOUND names the trial (or its study, when that is what is missing). */
  find(name: string): StoredTrial {
    const study = studyOfTrial(name);
    if (study === '') throw invalidArgument(`Invalid Trial name "${name}": expected projects/{project}/locations/{location}/studies/{study}/trials/{trial}.`, 'name');
    this.studies.spec(study);
    const found = this.store.get(name);
    if (!found) throw notFound(`Trial ${name} not found.`);
    return found;
  }
}

export function parametersOf(trial: Pick<StoredTrial, 'parameters'>): TrialParameters {
  return Object.fromEntries(trial.parameters.map((p) => [p.parameterId, p.value]));
}

/** A caller's parameter value must name a study parameter and fit its spec. */
function checkValue(specs: readonly ParameterSpec[], raw: JsonObject, at: string): ParameterValue {
  const id = text(raw.parameterId);
  const spec = findSpec(specs, id);
  if (spec === undefined) throw invalidArgument(`${at}.parameter_id "${id}" is not a parameter of the study.`, `${at}.parameter_id`);
  const value = raw.value;
  if (spec.kind === 'categorical') {
    if (typeof value !== 'string' || !spec.values.includes(value)) throw invalidArgument(`${at}.value must be one of ${JSON.stringify(spec.values)} for "${id}".`, `${at}.value`);
    return value;
  }
  if (!valueFits(spec, value)) throw invalidArgument(`${at}.value ${JSON.stringify(value)} does not fit the ${spec.kind} parameter "${id}".`, `${at}.value`);
  return value;
}

/** Every parameter active in the trial exactly once, nothing inactive (assignment-check.ts, the rule the Designer's answers follow too). */
function checkTrialParameters(specs: readonly ParameterSpec[], parameters: readonly { parameterId: string; value: ParameterValue }[]): void {
  const found = assignmentProblem(specs, parameters);
  if (found === undefined) return;
  switch (found.problem) {
    case 'missing':
      throw invalidArgument(`trial.parameters has no value for "${found.parameterId}", which is active in this trial: give every active parameter once.`, 'trial.parameters');
    case 'duplicate':
      throw invalidArgument(`trial.parameters[${found.index}] gives "${found.parameterId}" a second time.`, `trial.parameters[${found.index}]`);
    case 'inactive':
      throw invalidArgument(`trial.parameters[${found.index}] "${found.parameterId}" is not active in this trial: its parent parameter's value does not enable it.`, `trial.parameters[${found.index}]`);
    case 'outOfSpec':
      // checkValue has already refused any value outside its parameter's spec.
      throw invalidArgument(`trial.parameters[${found.index}].value does not fit the parameter "${found.parameterId}".`, `trial.parameters[${found.index}].value`);
  }
}

function findSpec(specs: readonly ParameterSpec[], id: string): ParameterSpec | undefined {
  for (const spec of specs) {
    if (spec.id === id) return spec;
    const child = findSpec(spec.children.map((c) => c.spec), id);
    if (child) return child;
  }
  return undefined;
}
