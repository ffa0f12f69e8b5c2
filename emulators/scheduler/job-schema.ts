// google.cloud.scheduler.v1.Job as a request body: strict zod schemas mirroring job.proto and
// target.proto (an unknown field is a 400 naming it), proto3 JSON scalars (durations "30s",
// bytes in base64, enums by name or number).
import { z } from 'zod';
import { duration, enumOf, int32, opaqueObject, optional, str, stringMap, timestamp } from '../monitoring/validation.js';
import { HttpMethodEnum, JobStateEnum } from './enums.js';

/** proto3 JSON bytes: standard or URL-safe base64, padding optional. */
const bytes = z.string().refine((s) => /^[A-Za-z0-9+/_-]*={0,2}$/.test(s) && s.replace(/=+$/, '').length % 4 !== 1, {
  message: 'not valid base64 (proto3 JSON bytes)',
});

const OAuthTokenSchema = z.strictObject({ serviceAccountEmail: optional(str), scope: optional(str) });
const OidcTokenSchema = z.strictObject({ serviceAccountEmail: optional(str), audience: optional(str) });

const HttpTargetSchema = z.strictObject({
  uri: optional(str),
  httpMethod: optional(enumOf(HttpMethodEnum)),
  headers: optional(stringMap),
  body: optional(bytes),
  oauthToken: optional(OAuthTokenSchema),
  oidcToken: optional(OidcTokenSchema),
});

const PubsubTargetSchema = z.strictObject({
  topicName: optional(str),
  data: optional(bytes),
  attributes: optional(stringMap),
});

const AppEngineHttpTargetSchema = z.strictObject({
  httpMethod: optional(enumOf(HttpMethodEnum)),
  appEngineRouting: optional(z.strictObject({ service: optional(str), version: optional(str), instance: optional(str), host: optional(str) })),
  relativeUri: optional(str),
  headers: optional(stringMap),
  body: optional(bytes),
});

const RetryConfigSchema = z.strictObject({
  retryCount: optional(int32),
  maxRetryDuration: optional(duration),
  minBackoffDuration: optional(duration),
  maxBackoffDuration: optional(duration),
  maxDoublings: optional(int32),
});

const StatusSchema = z.strictObject({ code: optional(int32), message: optional(str), details: optional(z.array(opaqueObject)) });

export const JobInputSchema = z.strictObject({
  name: optional(str),
  description: optional(str),
  pubsubTarget: optional(PubsubTargetSchema),
  appEngineHttpTarget: optional(AppEngineHttpTargetSchema),
  httpTarget: optional(HttpTargetSchema),
  schedule: optional(str),
  timeZone: optional(str),
  retryConfig: optional(RetryConfigSchema),
  attemptDeadline: optional(duration),
  // Output only: "Any value specified for an output only field will be ignored."
  userUpdateTime: optional(timestamp),
  state: optional(enumOf(JobStateEnum)),
  status: optional(StatusSchema),
  scheduleTime: optional(timestamp),
  lastAttemptTime: optional(timestamp),
});
export type JobInput = z.output<typeof JobInputSchema>;

/** Fields a caller may write (CreateJob, UpdateJob's mask); the rest of Job is output only or the name. */
export const WRITABLE_FIELDS = ['description', 'pubsubTarget', 'appEngineHttpTarget', 'httpTarget', 'schedule', 'timeZone', 'retryConfig', 'attemptDeadline'] as const;
export const OUTPUT_ONLY_FIELDS = ['name', 'userUpdateTime', 'state', 'status', 'scheduleTime', 'lastAttemptTime'] as const;
export const TARGET_FIELDS = ['pubsubTarget', 'appEngineHttpTarget', 'httpTarget'] as const;

/** The sub-fields of the message fields, for update masks that name one (`retry_config.retry_count`). */
export const SUBFIELDS: Readonly<Record<string, readonly string[]>> = {
  httpTarget: Object.keys(HttpTargetSchema.shape),
  pubsubTarget: Object.keys(PubsubTargetSchema.shape),
  appEngineHttpTarget: Object.keys(AppEngineHttpTargetSchema.shape),
  retryConfig: Object.keys(RetryConfigSchema.shape),
};
