// What a caller writes of a job, checked and completed with Google's defaults: the stored, canonical
// form (names for enums, "30s" durations, standard base64), from which answers are rendered and
// on which update masks are applied.
import { badRequest, GoogleApiError } from '../kit/google-error.js';
import { formatDuration, NS_PER_SECOND } from '../monitoring/proto-json.js';
import { invalidField } from '../monitoring/validation.js';
import type { HttpMethodName } from './enums.js';
import type { JobInput } from './job-schema.js';
import type { JobName } from './names.js';
import { parseTopicName } from './names.js';
import type { RetryPolicy } from './retry.js';
import { scheduleProblem, timeZoneProblem } from './schedule.js';

export interface HttpTargetSpec {
  uri: string;
  httpMethod: Exclude<HttpMethodName, 'HTTP_METHOD_UNSPECIFIED'>;
  headers?: Record<string, string>;
  /** Standard base64. */
  body?: string;
  oauthToken?: { serviceAccountEmail?: string; scope?: string };
  oidcToken?: { serviceAccountEmail?: string; audience?: string };
}

export interface PubsubTargetSpec {
  topicName: string;
  data?: string;
  attributes?: Record<string, string>;
}

export interface RetryConfigSpec {
  retryCount: number;
  maxRetryDuration: string;
  minBackoffDuration: string;
  maxBackoffDuration: string;
  maxDoublings: number;
}

export interface JobSpec {
  description?: string;
  httpTarget?: HttpTargetSpec;
  pubsubTarget?: PubsubTargetSpec;
  schedule: string;
  timeZone?: string;
  retryConfig: RetryConfigSpec;
  attemptDeadline: string;
}

const SECOND_NS = NS_PER_SECOND;
const DEFAULTS = {
  minBackoff: 5n * SECOND_NS,
  maxBackoff: 3600n * SECOND_NS,
  maxDoublings: 5,
  attemptDeadline: 180n * SECOND_NS,
};
/** HTTP targets: "The deadline must be in the interval [15 seconds, 30 minutes]." */
const HTTP_DEADLINE_RANGE = [15n * SECOND_NS, 1800n * SECOND_NS] as const;
const MAX_URI_LENGTH = 2083;
const MAX_DESCRIPTION = 500;
const MAX_HEADER_BYTES = 80 * 1024;
const MAX_RETRY_COUNT = 5;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** RFC 9110 field names. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;

const required = (path: string) => badRequest(`Field ${path} is required.`, { location: path });

function nonNegative(ns: bigint | undefined, path: string): bigint | undefined {
  if (ns !== undefined && ns < 0n) throw invalidField(path, 'must not be negative', formatDuration(ns));
  return ns;
}

function checkHeaders(headers: Record<string, string> | undefined, path: string): void {
  if (!headers) return;
  let size = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw invalidField(`${path}[${name}]`, 'not a valid HTTP header name');
    if (/[\r\n\0]/.test(value)) throw invalidField(`${path}[${name}]`, 'header values must not contain CR, LF or NUL');
    size += name.length + value.length;
  }
  if (size >= MAX_HEADER_BYTES) throw invalidField(path, 'the total size of headers must be less than 80KB');
}

function httpTargetSpec(input: NonNullable<JobInput['httpTarget']>, prefix: string): HttpTargetSpec {
  const path = `${prefix}.http_target`;
  const uri = input.uri;
  if (!uri) throw required(`${path}.uri`);
  let parsed: URL | undefined;
  try {
    parsed = new URL(uri);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw invalidField(`${path}.uri`, 'must be an absolute URL that begins with "http://" or "https://"', uri);
  }
  if (encodeURI(uri).length > MAX_URI_LENGTH) throw invalidField(`${path}.uri`, `must be at most ${MAX_URI_LENGTH} characters after encoding`);
  const httpMethod = !input.httpMethod || input.httpMethod === 'HTTP_METHOD_UNSPECIFIED' ? 'POST' : input.httpMethod;
  if (input.body && !BODY_METHODS.has(httpMethod)) {
    throw invalidField(`${path}.body`, `a request body is allowed only with the HTTP methods POST, PUT and PATCH, not ${httpMethod}`);
  }
  checkHeaders(input.headers, `${path}.headers`);
  if (input.oauthToken && input.oidcToken) {
    throw badRequest(`Invalid value at '${path}': oneof field 'authorization_header' is already set. Cannot set both 'oauth_token' and 'oidc_token'.`, { location: `${path}.oidc_token` });
  }
  for (const [field, token] of [['oauth_token', input.oauthToken], ['oidc_token', input.oidcToken]] as const) {
    if (!token) continue;
    if (!token.serviceAccountEmail) throw required(`${path}.${field}.service_account_email`);
    if (!EMAIL.test(token.serviceAccountEmail)) throw invalidField(`${path}.${field}.service_account_email`, 'not a service account email', token.serviceAccountEmail);
  }
  // Cloud Scheduler records the User-Agent it sends among the job's headers.
  const headers = Object.fromEntries(Object.entries(input.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'user-agent'));
  headers['User-Agent'] = 'Google-Cloud-Scheduler';
  return {
    uri,
    httpMethod,
    headers,
    ...(input.body ? { body: Buffer.from(input.body, 'base64').toString('base64') } : {}),
    ...(input.oauthToken ? { oauthToken: { ...input.oauthToken } } : {}),
    ...(input.oidcToken ? { oidcToken: { ...input.oidcToken } } : {}),
  };
}

function pubsubTargetSpec(input: NonNullable<JobInput['pubsubTarget']>, job: JobName, prefix: string): PubsubTargetSpec {
  const path = `${prefix}.pubsub_target`;
  if (!input.topicName) throw required(`${path}.topic_name`);
  const topic = parseTopicName(input.topicName);
  if (!topic) throw invalidField(`${path}.topic_name`, 'must be formatted "projects/<PROJECT_ID>/topics/<TOPIC_ID>"', input.topicName);
  if (topic.project !== job.project) throw invalidField(`${path}.topic_name`, `the topic must be in the job's project '${job.project}'`, input.topicName);
  const data = input.data ? Buffer.from(input.data, 'base64').toString('base64') : undefined;
  const attributes = input.attributes && Object.keys(input.attributes).length > 0 ? { ...input.attributes } : undefined;
  if (!data && !attributes) throw invalidField(path, 'a Pub/Sub message must contain either non-empty data, or at least one attribute');
  return { topicName: input.topicName, ...(data ? { data } : {}), ...(attributes ? { attributes } : {}) };
}

function retryConfigSpec(input: JobInput['retryConfig'], prefix: string): RetryConfigSpec {
  const path = `${prefix}.retry_config`;
  const retryCount = input?.retryCount ?? 0;
  if (retryCount < 0 || retryCount > MAX_RETRY_COUNT) throw invalidField(`${path}.retry_count`, `must be between 0 and ${MAX_RETRY_COUNT}`, retryCount);
  const maxDoublings = input?.maxDoublings ?? DEFAULTS.maxDoublings;
  if (maxDoublings < 0) throw invalidField(`${path}.max_doublings`, 'must not be negative', maxDoublings);
  const maxRetry = nonNegative(input?.maxRetryDuration, `${path}.max_retry_duration`) ?? 0n;
  // proto3 cannot tell "0s" from unset: zero means the default, as for Google.
  const minBackoff = nonNegative(input?.minBackoffDuration, `${path}.min_backoff_duration`) || DEFAULTS.minBackoff;
  const maxBackoff = nonNegative(input?.maxBackoffDuration, `${path}.max_backoff_duration`) || DEFAULTS.maxBackoff;
  if (minBackoff > maxBackoff) {
    throw invalidField(`${path}.min_backoff_duration`, `must not be greater than max_backoff_duration (${formatDuration(maxBackoff)})`, formatDuration(minBackoff));
  }
  return {
    retryCount,
    maxRetryDuration: formatDuration(maxRetry),
    minBackoffDuration: formatDuration(minBackoff),
    maxBackoffDuration: formatDuration(maxBackoff),
    maxDoublings,
  };
}

/**
 * Checks a job as CreateJob (or UpdateJob, after its mask is applied) receives it and returns the
 * stored form. `prefix` is where the job sits in the request (`job`), for field paths in errors.
 */
export function jobSpec(input: JobInput, job: JobName, prefix = 'job'): JobSpec {
  const targets = (['pubsubTarget', 'appEngineHttpTarget', 'httpTarget'] as const).filter((t) => input[t] !== undefined);
  if (targets.length === 0) throw badRequest(`Field ${prefix}.target is required: set one of http_target, pubsub_target or app_engine_http_target.`, { location: `${prefix}.http_target` });
  if (targets.length > 1) {
    throw badRequest(`Invalid value at '${prefix}': oneof field 'target' is already set. Cannot set both '${targets[0]}' and '${targets[1]}'.`, { location: prefix });
  }
  if (input.appEngineHttpTarget) {
    throw new GoogleApiError(501, `Field ${prefix}.app_engine_http_target: App Engine HTTP targets are not supported by the local Cloud Scheduler emulator; use http_target.`, { location: `${prefix}.app_engine_http_target` });
  }
  if (input.description && input.description.length > MAX_DESCRIPTION) throw invalidField(`${prefix}.description`, `must be at most ${MAX_DESCRIPTION} characters`);
  if (!input.schedule) throw required(`${prefix}.schedule`);
  const problem = scheduleProblem(input.schedule);
  if (problem) throw invalidField(`${prefix}.schedule`, `Schedule or time zone is invalid: ${problem}`, input.schedule);
  if (input.timeZone) {
    const tzProblem = timeZoneProblem(input.timeZone);
    if (tzProblem) throw invalidField(`${prefix}.time_zone`, `Schedule or time zone is invalid: ${tzProblem}`, input.timeZone);
  }
  const deadline = nonNegative(input.attemptDeadline, `${prefix}.attempt_deadline`) || DEFAULTS.attemptDeadline;
  if (input.httpTarget && (deadline < HTTP_DEADLINE_RANGE[0] || deadline > HTTP_DEADLINE_RANGE[1])) {
    throw invalidField(`${prefix}.attempt_deadline`, 'for HTTP targets the deadline must be in the interval [15 seconds, 30 minutes]', formatDuration(deadline));
  }
  return {
    ...(input.description ? { description: input.description } : {}),
    ...(input.httpTarget ? { httpTarget: httpTargetSpec(input.httpTarget, prefix) } : {}),
    ...(input.pubsubTarget ? { pubsubTarget: pubsubTargetSpec(input.pubsubTarget, job, prefix) } : {}),
    schedule: input.schedule.trim(),
    ...(input.timeZone ? { timeZone: input.timeZone } : {}),
    retryConfig: retryConfigSpec(input.retryConfig, prefix),
    attemptDeadline: formatDuration(deadline),
  };
}

const durationMs = (text: string) => Number(text.slice(0, -1)) * 1000;

export function retryPolicy(spec: JobSpec): RetryPolicy {
  const r = spec.retryConfig;
  return {
    retryCount: r.retryCount,
    maxRetryDurationMs: durationMs(r.maxRetryDuration),
    minBackoffMs: durationMs(r.minBackoffDuration),
    maxBackoffMs: durationMs(r.maxBackoffDuration),
    maxDoublings: r.maxDoublings,
  };
}

export function attemptDeadlineMs(spec: JobSpec): number {
  return durationMs(spec.attemptDeadline);
}
