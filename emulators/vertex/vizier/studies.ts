// Vizier Studies (google.cloud.aiplatform.v1.Study): `projects/P/locations/L/studies/{numeric id}`,
// display names unique per location, the StudySpec checked as tuning jobs check theirs (several
// metrics allowed). Each stored study keeps the next trial id, so trial ids are never reused.
import { emulatorLog } from '../../kit/log.js';
import { alreadyExists, invalidArgument, notFound } from '../api/errors.js';
import { nowTimestamp, numericId } from '../api/ids.js';
import type { QueryValues } from '../api/query.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject, text } from '../api/wire-json.js';
import type { Study } from '../hyperparameter-tuning-jobs/study-spec.js';
import { parseStudySpec } from '../hyperparameter-tuning-jobs/study-spec.js';
import type { JsonStore } from '../state/json-store.js';
import { pageOf } from './paging.js';

export type StudyState = 'ACTIVE' | 'INACTIVE' | 'COMPLETED';

export interface StoredStudy {
  /** The Study as answered. */
  study: JsonObject;
  /** The id the next trial of the study gets ("1", "2", ...). */
  nextTrialId: number;
}

const STUDY_NAME = /^projects\/[^/]+\/locations\/[^/]+\/studies\/[^/]+$/;

export class VizierStudies {
  /** Parsed StudySpecs by study name (parsing is cheap, but suggestions ask often). */
  private readonly specs = new Map<string, Study>();
  /** Set by the emulator: drops a deleted study's trials. */
  afterDelete: (name: string) => Promise<void> = async () => {};

  constructor(private readonly store: JsonStore<StoredStudy>) {}

  async create(parent: string, body: unknown): Promise<JsonObject> {
    assertValidWireRequest('CreateStudyRequest', { parent, study: body });
    const study = canonical('Study', body);
    const spec = parseStudySpec(isPlainObject(study.studySpec) ? study.studySpec : {}, 'study.study_spec', { multipleMetrics: true });
    const displayName = text(study.displayName);
    if (this.findByDisplayName(parent, displayName)) {
      throw alreadyExists(`A Study with display name "${displayName}" already exists in ${parent}.`);
    }
    const stored: JsonObject = { name: `${parent}/studies/${numericId()}`, ...study, state: 'ACTIVE', createTime: nowTimestamp() };
    await this.store.put(String(stored.name), { study: stored, nextTrialId: 1 });
    if (spec.unsupportedStopping.length > 0) {
      emulatorLog('WARNING', 'vertex: automated stopping spec not implemented locally; checkTrialEarlyStoppingState answers shouldStop false', { service: 'vertex', study: stored.name, specs: spec.unsupportedStopping });
    }
    return structuredClone(stored);
  }

  get(name: string): JsonObject {
    return structuredClone(this.find(name).study);
  }

  /** The study's parsed StudySpec; NOT_FOUND when there is no such study. */
  spec(name: string): Study {
    let spec = this.specs.get(name);
    if (spec === undefined) {
      const { study } = this.find(name);
      spec = parseStudySpec(isPlainObject(study.studySpec) ? study.studySpec : {}, 'study.study_spec', { multipleMetrics: true });
      this.specs.set(name, spec);
    }
    return spec;
  }

  list(parent: string, params: QueryValues): JsonObject {
    const studies = this.store
      .values()
      .filter((s) => String(s.study.name).startsWith(`${parent}/studies/`))
      .map((s) => s.study)
      .sort((a, b) => text(a.createTime).localeCompare(text(b.createTime)) || text(a.name).localeCompare(text(b.name)));
    return pageOf(studies, params, 'studies', `studies:${parent}`);
  }

  async delete(name: string): Promise<JsonObject> {
    this.find(name);
    await this.store.delete(name);
    this.specs.delete(name);
    await this.afterDelete(name);
    return {};
  }

  lookup(parent: string, body: unknown): JsonObject {
    const request = isPlainObject(body) ? body : {};
    assertValidWireRequest('LookupStudyRequest', { ...request, parent });
    const displayName = text(canonical('LookupStudyRequest', request).displayName);
    const found = this.findByDisplayName(parent, displayName);
    if (!found) throw notFound(`Study with display name "${displayName}" not found in ${parent}.`);
    return structuredClone(found.study);
  }

  /** Reserves the next trial id of the study. */
  async allocateTrialId(name: string): Promise<string> {
    const stored = this.find(name);
    const id = stored.nextTrialId;
    stored.nextTrialId = id + 1;
    await this.store.put(name, stored);
    return String(id);
  }

  /** How many trials the study has ever created (deleted ones included); NOT_FOUND when the study is gone. */
  trialsCreated(name: string): number {
    return this.find(name).nextTrialId - 1;
  }

  /** NOT_FOUND when there is no such study (any more). */
  assertExists(name: string): void {
    this.find(name);
  }

  state(name: string): StudyState {
    return this.find(name).study.state as StudyState;
  }

  async setState(name: string, state: StudyState, inactiveReason?: string): Promise<void> {
    const stored = this.find(name);
    stored.study.state = state;
    if (inactiveReason !== undefined) stored.study.inactiveReason = inactiveReason;
    else delete stored.study.inactiveReason;
    await this.store.put(name, stored);
  }

  private find(name: string): StoredStudy {
    if (!STUDY_NAME.test(name)) throw invalidArgument(`Invalid Study name "${name}": expected projects/{project}/locations/{location}/studies/{study}.`, 'name');
    const found = this.store.get(name);
    if (!found) throw notFound(`Study ${name} not found.`);
    return found;
  }

  private findByDisplayName(parent: string, displayName: string): StoredStudy | undefined {
    return this.store.values().find((s) => String(s.study.name).startsWith(`${parent}/studies/`) && s.study.displayName === displayName);
  }
}
