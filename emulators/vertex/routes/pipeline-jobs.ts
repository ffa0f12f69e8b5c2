// PipelineService's PipelineJobs over REST: create (`?pipelineJobId=`), get, list, :cancel and delete.
import type { EmulatorServer } from '../../kit/server.js';
import type { JobCollection } from '../job-lifecycle/job-collection.js';
import type { PipelineJobService } from '../pipeline-jobs/pipeline-jobs.js';
import { registerJobRoutes } from './job-routes.js';

export function registerPipelineJobRoutes(server: EmulatorServer, jobs: JobCollection, service: PipelineJobService): void {
  registerJobRoutes(server, {
    jobs,
    createQuery: { pipelineJobId: 'string' },
    create: (parent, body, query) => service.create(parent, body, query),
    cancelRequestType: 'CancelPipelineJobRequest',
  });
}
