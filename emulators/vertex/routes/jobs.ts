// JobService (custom jobs, hyperparameter tuning jobs) and PipelineService over REST.
import type { EmulatorServer } from '../../kit/server.js';
import type { JobCollection } from '../jobs/job-collection.js';
import type { CustomJobService } from '../jobs/custom-jobs.js';
import type { PipelineJobService } from '../pipeline-runs/pipeline-jobs.js';
import type { TuningJobService } from '../tuning/tuning-jobs.js';
import { registerJobRoutes } from './job-routes.js';

export interface JobRoutes {
  customJobs: { jobs: JobCollection; service: CustomJobService };
  tuningJobs: { jobs: JobCollection; service: TuningJobService };
  pipelineJobs: { jobs: JobCollection; service: PipelineJobService };
}

export function registerAllJobRoutes(server: EmulatorServer, routes: JobRoutes): void {
  registerJobRoutes(server, {
    jobs: routes.customJobs.jobs,
    create: (parent, body) => routes.customJobs.service.create(parent, body),
    cancelRequestType: 'CancelCustomJobRequest',
  });
  registerJobRoutes(server, {
    jobs: routes.tuningJobs.jobs,
    create: (parent, body) => routes.tuningJobs.service.create(parent, body),
    cancelRequestType: 'CancelHyperparameterTuningJobRequest',
  });
  registerJobRoutes(server, {
    jobs: routes.pipelineJobs.jobs,
    createQuery: { pipelineJobId: 'string' },
    create: (parent, body, query) => routes.pipelineJobs.service.create(parent, body, query),
    cancelRequestType: 'CancelPipelineJobRequest',
  });
}
