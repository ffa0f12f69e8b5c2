// The bundle's entry point: registers every Cloud Function with the functions framework, by the
// names infra/functions.ts declares. Cloud Run functions (and the local runtime) pick one with
// `--target` / FUNCTION_TARGET.
import * as functions from '@google-cloud/functions-framework';
import { checkDrift } from './check-drift.js';
import { mlopsApi } from './mlops-api.js';
import { onMonitoringAlert } from './on-monitoring-alert.js';
import { onPipelineRunEvent } from './on-pipeline-run-event.js';
import { reconcileRollouts } from './reconcile-rollouts.js';
import { submitTrainingRun } from './submit-training-run.js';
import { submitTuningRun } from './submit-tuning-run.js';

functions.http('mlopsApi', mlopsApi);
functions.cloudEvent('submitTrainingRun', submitTrainingRun);
functions.cloudEvent('submitTuningRun', submitTuningRun);
functions.cloudEvent('onPipelineRunEvent', onPipelineRunEvent);
functions.http('reconcileRollouts', reconcileRollouts);
functions.http('checkDrift', checkDrift);
functions.cloudEvent('onMonitoringAlert', onMonitoringAlert);
