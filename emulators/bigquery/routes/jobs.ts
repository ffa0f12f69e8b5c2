// jobs.insert / get / list / cancel / delete, jobs.query, jobs.getQueryResults.
import type { EmulatorServer } from '../../kit/server.js';
import { Reply } from '../../kit/server.js';
import type { JobsService } from '../jobs/jobs-service.js';
import { intParam } from '../page-token.js';
import { JobBody, QueryRequest } from '../schemas.js';
import { parseBody } from '../validation.js';
import { route } from './routing.js';

export function registerJobRoutes(server: EmulatorServer, jobs: JobsService): void {
  route(server, 'POST', '/projects/{projectId}/jobs', async (ctx) => jobs.insert(ctx.params.projectId!, parseBody(JobBody, await ctx.json(), 'job')));
  route(server, 'GET', '/projects/{projectId}/jobs', (ctx) => jobs.list(ctx.params.projectId!, ctx.query));
  route(server, 'GET', '/projects/{projectId}/jobs/{jobId}', (ctx) => jobs.get(ctx.params.projectId!, ctx.params.jobId!, ctx.query.get('location')));
  route(server, 'POST', '/projects/{projectId}/jobs/{jobId}/cancel', (ctx) => jobs.cancel(ctx.params.projectId!, ctx.params.jobId!, ctx.query.get('location')));
  route(server, 'DELETE', '/projects/{projectId}/jobs/{jobId}/delete', async (ctx) => {
    await jobs.delete(ctx.params.projectId!, ctx.params.jobId!, ctx.query.get('location'));
    return new Reply(204);
  });
  route(server, 'POST', '/projects/{projectId}/queries', async (ctx) => jobs.query(ctx.params.projectId!, parseBody(QueryRequest, await ctx.json(), 'query_request')));
  route(server, 'GET', '/projects/{projectId}/queries/{jobId}', (ctx) =>
    jobs.getQueryResults(ctx.params.projectId!, ctx.params.jobId!, ctx.query, {
      maxResults: intParam(ctx.query, 'maxResults'),
      startIndex: intParam(ctx.query, 'startIndex', undefined, 'TYPE_UINT64'),
      timeoutMs: intParam(ctx.query, 'timeoutMs'),
    }),
  );
}
