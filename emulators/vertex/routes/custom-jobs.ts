// JobService's CustomJobs over REST: create, get, list, :cancel and delete.
import type { EmulatorServer } from '../../kit/server.js';
import type { CustomJobService } from '../custom-jobs/custom-jobs.js';
import type { JobCollection } from '../job-lifecycle/job-collection.js';
import { registerJobRoutes } from './job-routes.js';

export function registerCustomJobRoutes(server: EmulatorServer, jobs: JobCollection, service: CustomJobService): void {
  registerJobRoutes(server, { jobs, create: (parent, body) => service.create(parent, body), cancelRequestType: 'CancelCustomJobRequest' });
}
