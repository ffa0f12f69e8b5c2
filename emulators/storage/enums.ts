// The closed value sets of the Cloud Storage JSON API (storage classes, predefined ACLs,
// projections): a value outside them is a 400 with reason `invalid`, before anything is written.
import { z } from 'zod';
import { badRequest } from '../kit/google-error.js';
import type { EmulatorServer, RequestContext } from '../kit/server.js';

/** Current classes, then the legacy ones the API still accepts. */
const STORAGE_CLASSES = ['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE', 'MULTI_REGIONAL', 'REGIONAL', 'DURABLE_REDUCED_AVAILABILITY'] as const;
const OBJECT_ACLS = ['authenticatedRead', 'bucketOwnerFullControl', 'bucketOwnerRead', 'private', 'projectPrivate', 'publicRead'] as const;
const BUCKET_ACLS = ['authenticatedRead', 'private', 'projectPrivate', 'publicRead', 'publicReadWrite'] as const;
const PROJECTIONS = ['full', 'noAcl'] as const;

/** A storage class in any case (the API upper-cases it), stored upper-case. */
export const storageClassSchema = z
  .string()
  .transform((s) => s.toUpperCase())
  .refine((s) => (STORAGE_CLASSES as readonly string[]).includes(s), { message: `must be one of ${STORAGE_CLASSES.join(', ')}` });

function checkParam(query: URLSearchParams, param: string, allowed: readonly string[]): void {
  const value = query.get(param);
  if (value === null || allowed.includes(value)) return;
  throw badRequest(`Invalid value for ${param}: '${value}'. Allowed values: ${allowed.join(', ')}.`, { reason: 'invalid', location: param });
}

/** Object paths (`/b/B/o`, `/b/B/o/NAME`, uploads, copies) take object ACLs; bucket paths take bucket ACLs. */
function checkEnumParams(ctx: Pick<RequestContext, 'path' | 'query'>): void {
  const isObject = /\/o(?:\/|$)/.test(ctx.path);
  checkParam(ctx.query, 'predefinedAcl', isObject ? OBJECT_ACLS : BUCKET_ACLS);
  checkParam(ctx.query, 'destinationPredefinedAcl', OBJECT_ACLS);
  checkParam(ctx.query, 'predefinedDefaultObjectAcl', OBJECT_ACLS);
  checkParam(ctx.query, 'projection', PROJECTIONS);
}

/** Route registration that checks the enum query parameters before every handler. */
export interface RouteTable {
  route(...args: Parameters<EmulatorServer['route']>): unknown;
}

export function withEnumChecks(table: RouteTable): RouteTable {
  return {
    route: (method, template, handler, ...options) => table.route(method, template, (ctx) => {
      checkEnumParams(ctx);
      return handler(ctx);
    }, ...options),
  };
}
