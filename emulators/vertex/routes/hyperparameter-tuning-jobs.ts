// JobService's HyperparameterTuningJobs over REST: create, get, list, :cancel and delete.
import type { EmulatorServer } from '../../kit/server.js';
import type { TuningJobService } from '../hyperparameter-tuning-jobs/tuning-jobs.js';
import type { JobCollection } from '../job-lifecycle/job-collection.js';
import { registerJobRoutes } from './job-routes.js';

export function registerHyperparameterTuningJobRoutes(server: EmulatorServer, jobs: JobCollection, service: TuningJobService): void {
  registerJobRoutes(server, { jobs, create: (parent, body) => service.create(parent, body), cancelRequestType: 'CancelHyperparameterTuningJobRequest' });
}
