// The proto enums of google.cloud.scheduler.v1. The Node client sends and asks for integers
// (`$alt=json;enum-encoding=int`), gcloud uses names; both are read, and answers use the caller's.
import type { EnumDef } from '../monitoring/enums.js';

export const HttpMethodEnum: EnumDef<'HTTP_METHOD_UNSPECIFIED' | 'POST' | 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS'> = {
  fullName: 'google.cloud.scheduler.v1.HttpMethod',
  values: { HTTP_METHOD_UNSPECIFIED: 0, POST: 1, GET: 2, HEAD: 3, PUT: 4, DELETE: 5, PATCH: 6, OPTIONS: 7 },
};
export type HttpMethodName = keyof typeof HttpMethodEnum.values;

export const JobStateEnum: EnumDef<'STATE_UNSPECIFIED' | 'ENABLED' | 'PAUSED' | 'DISABLED' | 'UPDATE_FAILED'> = {
  fullName: 'google.cloud.scheduler.v1.Job.State',
  values: { STATE_UNSPECIFIED: 0, ENABLED: 1, PAUSED: 2, DISABLED: 3, UPDATE_FAILED: 4 },
};
