// CloudScheduler v1 over REST (google.api.http of cloudscheduler.proto). Verb routes
// (`jobs/{job}:run`) are registered before `jobs/{job}`, whose segment would swallow `:verb`.
import { z } from 'zod';
import type { EmulatorServer, RequestContext } from '../../kit/server.js';
import { encodingFromQuery } from '../../monitoring/enums.js';
import { parseInt32 } from '../../monitoring/proto-json.js';
import { bindQuery, optional, parseBody, queryValue, str } from '../../monitoring/validation.js';
import type { JobService } from '../job-service.js';
import { jobName, locationName } from '../names.js';

const VerbRequestSchema = z.strictObject({ name: optional(str) });

export function registerJobRoutes(server: EmulatorServer, jobs: JobService): void {
  const base = '/v1/projects/{project}/locations/{location}/jobs';
  const parentOf = (ctx: RequestContext) => locationName(ctx.params.project!, ctx.params.location!);
  const nameOf = (ctx: RequestContext, field = 'name') => jobName(ctx.params.project!, ctx.params.location!, ctx.params.job!, field);
  const enc = (ctx: RequestContext) => encodingFromQuery(ctx.query);
  const noQuery = (ctx: RequestContext) => bindQuery(ctx.query, { singular: [] });
  // Pause, resume and run take `body: "*"`: the request minus its name, which has no other field.
  const emptyBody = async (ctx: RequestContext) => {
    noQuery(ctx);
    parseBody(VerbRequestSchema, await ctx.json());
  };

  server
    .route('POST', `${base}/{job}:pause`, async (ctx) => {
      await emptyBody(ctx);
      return jobs.pause(nameOf(ctx), enc(ctx));
    })
    .route('POST', `${base}/{job}:resume`, async (ctx) => {
      await emptyBody(ctx);
      return jobs.resume(nameOf(ctx), enc(ctx));
    })
    .route('POST', `${base}/{job}:run`, async (ctx) => {
      await emptyBody(ctx);
      return jobs.run(nameOf(ctx), enc(ctx));
    })
    .route('POST', base, async (ctx) => {
      noQuery(ctx);
      return jobs.create(parentOf(ctx), await ctx.json(), enc(ctx));
    })
    .route('GET', base, (ctx) => {
      const bound = bindQuery(ctx.query, { singular: ['pageSize', 'pageToken'] });
      const pageSize = queryValue(bound, 'pageSize', 'TYPE_INT32', parseInt32);
      const pageToken = bound.get('pageToken')?.[0];
      return jobs.list(parentOf(ctx), { ...(pageSize !== undefined ? { pageSize } : {}), ...(pageToken ? { pageToken } : {}) }, enc(ctx));
    })
    .route('GET', `${base}/{job}`, (ctx) => {
      noQuery(ctx);
      return jobs.get(nameOf(ctx), enc(ctx));
    })
    .route('PATCH', `${base}/{job}`, async (ctx) => {
      const bound = bindQuery(ctx.query, { singular: ['updateMask'], repeated: ['updateMask.paths'] });
      const mask = [...(bound.get('updateMask') ?? []), ...(bound.get('updateMask.paths') ?? [])].flatMap((m) => m.split(',')).filter((p) => p.trim() !== '');
      return jobs.update(nameOf(ctx, 'job.name'), await ctx.json(), mask.length > 0 ? mask : undefined, enc(ctx));
    })
    .route('DELETE', `${base}/{job}`, (ctx) => {
      noQuery(ctx);
      return jobs.delete(nameOf(ctx));
    });
}
