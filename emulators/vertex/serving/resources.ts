// The parts of Vertex's Model and Endpoint resources (REST JSON) that serving needs, read
// leniently: the Vertex emulator has validated the requests that made them.
import { z } from 'zod';

const containerSpecSchema = z.object({
  imageUri: z.string().min(1),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(z.object({ name: z.string().min(1), value: z.string().optional() })).optional(),
  ports: z.array(z.object({ containerPort: z.number().int().optional() })).optional(),
  predictRoute: z.string().optional(),
  healthRoute: z.string().optional(),
});

const modelSchema = z.object({
  name: z.string().optional(),
  displayName: z.string().optional(),
  versionId: z.string().optional(),
  artifactUri: z.string().optional(),
  containerSpec: containerSpecSchema,
});

const endpointSchema = z.object({
  name: z.string().min(1),
  displayName: z.string().optional(),
  trafficSplit: z.record(z.string(), z.number()).optional(),
  deployedModels: z
    .array(z.object({ id: z.string().min(1), model: z.string().optional(), modelVersionId: z.string().optional(), displayName: z.string().optional() }))
    .optional(),
  predictRequestResponseLoggingConfig: z
    .object({
      enabled: z.boolean().optional(),
      samplingRate: z.number().optional(),
      bigqueryDestination: z.object({ outputUri: z.string().optional() }).optional(),
    })
    .optional(),
});

export type ServedModel = z.infer<typeof modelSchema>;
export type ContainerSpec = z.infer<typeof containerSpecSchema>;
export type ServedEndpoint = z.infer<typeof endpointSchema>;

export interface RequestResponseLogging {
  samplingRate: number;
  outputUri: string;
}

export class ResourceShapeError extends Error {
  override readonly name = 'ResourceShapeError';
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ResourceShapeError(`${what} cannot be served: ${z.prettifyError(result.error)}`);
  return result.data;
}

export const parseModel = (model: unknown): ServedModel => parse(modelSchema, model, 'Model');
export const parseEndpoint = (endpoint: unknown): ServedEndpoint => parse(endpointSchema, endpoint, 'Endpoint');

/** `projects/p/locations/l/endpoints/123` → `123`. */
export function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** Logging applies only when enabled with a destination; a missing sampling rate logs everything. */
export function loggingConfig(endpoint: ServedEndpoint): RequestResponseLogging | undefined {
  const config = endpoint.predictRequestResponseLoggingConfig;
  const outputUri = config?.bigqueryDestination?.outputUri;
  if (config?.enabled !== true || !outputUri) return undefined;
  const rate = config.samplingRate;
  return { samplingRate: rate === undefined ? 1 : Math.min(1, Math.max(0, rate)), outputUri };
}

/** A deployed model's Model name and version: `models/1@2` or `models/1` with `modelVersionId`. */
export function modelReference(deployed: { model?: string | undefined; modelVersionId?: string | undefined }): { model?: string; modelVersionId?: string } {
  if (deployed.model === undefined) return {};
  const at = deployed.model.indexOf('@');
  const model = at < 0 ? deployed.model : deployed.model.slice(0, at);
  const version = at < 0 ? deployed.modelVersionId : deployed.model.slice(at + 1);
  return { model, ...(version ? { modelVersionId: version } : {}) };
}
