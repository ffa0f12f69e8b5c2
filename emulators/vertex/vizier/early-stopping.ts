// CheckTrialEarlyStoppingState: a long-running operation answering `{shouldStop}` by the study's
// automated stopping spec: decay curve → the Designer's decay-curve rule, median → the tuning jobs'
// median rule, none (or convex, not implemented) → false. The answer changes nothing (as in Vizier:
// the caller stops or completes the trial); a trial already STOPPING answers true. Only an ACTIVE
// or STOPPING trial can be checked.
import { emulatorLog } from '../../kit/log.js';
import { failedPrecondition } from '../api/errors.js';
import { assertValidWireRequest } from '../api/request-validation.js';
import { isPlainObject } from '../api/wire-json.js';
import { shouldStopEarly } from '../hyperparameter-tuning-jobs/median-stopping.js';
import type { Operation, Operations } from '../operations/operations.js';
import { V1 } from '../operations/operations.js';
import type { Designer } from './designer.js';
import { curveOf, medianRuleInput } from './measurements.js';
import type { VizierStudies } from './studies.js';
import type { VizierTrials } from './trials.js';
import { studyOfTrial } from './trials.js';

export class VizierEarlyStopping {
  constructor(
    private readonly studies: VizierStudies,
    private readonly trials: VizierTrials,
    private readonly operations: Operations,
    private readonly designer: Designer,
  ) {}

  async check(trialName: string, body: unknown): Promise<Operation> {
    assertValidWireRequest('CheckTrialEarlyStoppingStateRequest', { ...(isPlainObject(body) ? body : {}), trialName });
    const { state } = this.trials.find(trialName); // NOT_FOUND before any operation exists
    if (state !== 'ACTIVE' && state !== 'STOPPING') {
      throw failedPrecondition(`Trial ${trialName} is ${state}: only an ACTIVE or STOPPING trial can be checked for early stopping.`);
    }
    const study = studyOfTrial(trialName);
    return this.operations.start({
      under: trialName,
      // Google's spelling of the metadata message (sic).
      metadataType: 'CheckTrialEarlyStoppingStateMetatdata',
      metadata: { study, trial: trialName },
      run: async () => ({
        responseType: `${V1}.CheckTrialEarlyStoppingStateResponse`,
        response: { shouldStop: await this.shouldStop(study, trialName) },
      }),
    });
  }

  private async shouldStop(study: string, trialName: string): Promise<boolean> {
    const trial = this.trials.find(trialName);
    if (trial.state === 'STOPPING') return true;
    if (trial.state !== 'ACTIVE') return false;
    const spec = this.studies.spec(study);
    const completed = this.trials.of(study).filter((t) => t.state === 'SUCCEEDED');
    if (spec.decayCurveStopping) {
      const verdict = await this.designer.decayCurveStop({ goal: spec.goal, running: curveOf(trial.measurements, spec), completed: completed.map((t) => curveOf(t.measurements, spec)) });
      emulatorLog('INFO', 'vertex: vizier decay-curve check', { service: 'vertex', trial: trialName, stop: verdict.stop, reason: verdict.reason });
      return verdict.stop;
    }
    if (spec.medianStopping) {
      return shouldStopEarly(medianRuleInput(trial.measurements, spec), completed.map((t) => medianRuleInput(t.measurements, spec)), spec.goal).stop;
    }
    return false;
  }
}
