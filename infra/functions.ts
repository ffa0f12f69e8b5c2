// The product's Cloud Functions, declared once: the local functions runtime serves each with the
// functions framework, and the Pulumi program deploys the same list (gen2, nodejs24).
import { TOPICS } from '../control-plane/config/topics.js';

export interface FunctionDeclaration {
  /** The function's name, also its entry point (`--entry-point`) in the bundle. */
  readonly name: string;
  /** `http`: invoked over HTTP; `cloudevent`: a Pub/Sub (Eventarc) trigger on `triggerTopic`. */
  readonly signatureType: 'http' | 'cloudevent';
  readonly triggerTopic?: string;
  readonly description: string;
  readonly memory: string;
  readonly timeoutSeconds: number;
}

export const FUNCTIONS: readonly FunctionDeclaration[] = [
  {
    name: 'mlopsApi',
    signatureType: 'http',
    description: 'The HTTP API: training and tuning runs, models, evaluations, rollouts, custom jobs (curl, gcloud, Cloud Scheduler).',
    memory: '512Mi',
    timeoutSeconds: 60,
  },
  {
    name: 'submitTrainingRun',
    signatureType: 'cloudevent',
    triggerTopic: TOPICS.retrainingRequests,
    description: 'A retraining request: BigQuery snapshot, then the training PipelineJob.',
    memory: '512Mi',
    timeoutSeconds: 120,
  },
  {
    name: 'submitTuningRun',
    signatureType: 'cloudevent',
    triggerTopic: TOPICS.tuningRequests,
    description: "A recorded tuning run: its BigQuery snapshot, then the tuning PipelineJob.",
    memory: '512Mi',
    timeoutSeconds: 120,
  },
  {
    name: 'onPipelineRunEvent',
    signatureType: 'cloudevent',
    triggerTopic: TOPICS.pipelineRunEvents,
    description: "A finished PipelineJob: the champion/challenger decision, registration, and the challenger's rollout.",
    memory: '512Mi',
    timeoutSeconds: 120,
  },
  {
    name: 'reconcileRollouts',
    signatureType: 'http',
    description: 'Every minute (Cloud Scheduler): each active rollout analysed and advanced, paused, promoted or rolled back.',
    memory: '512Mi',
    timeoutSeconds: 120,
  },
  {
    name: 'checkDrift',
    signatureType: 'http',
    description: "Hourly (Cloud Scheduler): each model's feature drift against its training baseline as Monitoring metrics, its performance on the actuals and its age.",
    memory: '512Mi',
    timeoutSeconds: 300,
  },
  {
    name: 'onMonitoringAlert',
    signatureType: 'cloudevent',
    triggerTopic: TOPICS.monitoringAlerts,
    description: 'A Cloud Monitoring drift incident: a debounced retraining request for its model.',
    memory: '256Mi',
    timeoutSeconds: 60,
  },
];
