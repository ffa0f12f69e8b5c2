// One attempt of a job: an HTTP request to its target (Cloud Scheduler's headers, an OIDC or OAuth
// Authorization header, the attempt deadline) or a Pub/Sub publish, turned into the
// google.rpc.Status that the job records. A 2xx answer is success; anything else is a failure.
import type { PubSub } from '@google-cloud/pubsub';
import { RpcCode } from '../kit/google-error.js';
import { sendRequest } from './http-request.js';
import type { HttpTargetSpec, PubsubTargetSpec } from './job-spec.js';
import type { OidcIssuer } from './oidc.js';
import { timestampOf } from './render.js';
import type { AttemptStatus } from './store.js';

export interface AttemptOutcome {
  status: AttemptStatus;
  /** The target's HTTP status, when it answered. */
  httpStatus?: number;
}

/** google.rpc.Code for an HTTP answer (the mapping in google/rpc/code.proto). */
export function rpcCodeForHttp(status: number): number {
  if (status >= 200 && status < 300) return RpcCode.OK;
  const byStatus: Record<number, number> = {
    400: RpcCode.INVALID_ARGUMENT,
    401: RpcCode.UNAUTHENTICATED,
    403: RpcCode.PERMISSION_DENIED,
    404: RpcCode.NOT_FOUND,
    409: RpcCode.ABORTED,
    412: RpcCode.FAILED_PRECONDITION,
    416: RpcCode.OUT_OF_RANGE,
    429: RpcCode.RESOURCE_EXHAUSTED,
    499: RpcCode.CANCELLED,
    500: RpcCode.INTERNAL,
    501: RpcCode.UNIMPLEMENTED,
    502: RpcCode.UNAVAILABLE,
    503: RpcCode.UNAVAILABLE,
    504: RpcCode.DEADLINE_EXCEEDED,
  };
  if (byStatus[status] !== undefined) return byStatus[status];
  if (status >= 400 && status < 500) return RpcCode.FAILED_PRECONDITION;
  if (status >= 500) return RpcCode.INTERNAL;
  return RpcCode.UNKNOWN;
}

/** Headers the caller cannot set: Cloud Scheduler computes or replaces them. */
function reservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return ['host', 'content-length', 'user-agent', 'x-cloudscheduler'].includes(lower) || /^x-(google|appengine|cloudscheduler)-/.test(lower);
}

export interface HttpAttempt {
  /** The short job id (`X-CloudScheduler-JobName`). */
  jobId: string;
  /** The scheduled time of the execution, on the emulator's clock. */
  scheduleTime: number;
  /** Real milliseconds the target has to answer. */
  deadlineMs: number;
  signal: AbortSignal;
}

/** The exact request Cloud Scheduler sends for an HTTP target. */
export function httpRequestFor(target: HttpTargetSpec, attempt: Pick<HttpAttempt, 'jobId' | 'scheduleTime'>, oidc: OidcIssuer): { method: string; headers: Record<string, string>; body?: Buffer } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.headers ?? {})) if (!reservedHeader(name)) headers[name] = value;
  const body = target.body ? Buffer.from(target.body, 'base64') : undefined;
  if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/octet-stream';
  headers['User-Agent'] = 'Google-Cloud-Scheduler';
  headers['X-CloudScheduler'] = 'true';
  headers['X-CloudScheduler-JobName'] = attempt.jobId;
  headers['X-CloudScheduler-ScheduleTime'] = timestampOf(attempt.scheduleTime);
  const authorization = Object.keys(headers).find((h) => h.toLowerCase() === 'authorization');
  if (target.oidcToken?.serviceAccountEmail) {
    if (authorization) delete headers[authorization];
    headers.Authorization = `Bearer ${oidc.idToken(target.oidcToken.serviceAccountEmail, target.oidcToken.audience || target.uri)}`;
  } else if (target.oauthToken?.serviceAccountEmail) {
    // The local cloud's emulators accept this token; no real OAuth token can be minted locally.
    if (authorization) delete headers[authorization];
    headers.Authorization = 'Bearer local-emulator-token';
  }
  return { method: target.httpMethod, headers, ...(body ? { body } : {}) };
}

export async function deliverHttp(target: HttpTargetSpec, attempt: HttpAttempt, oidc: OidcIssuer): Promise<AttemptOutcome> {
  const request = httpRequestFor(target, attempt, oidc);
  const deadline = AbortSignal.timeout(Math.max(1, Math.round(attempt.deadlineMs)));
  const signal = AbortSignal.any([deadline, attempt.signal]);
  try {
    const response = await sendRequest(target.uri, { ...request, signal });
    const code = rpcCodeForHttp(response.status);
    return { httpStatus: response.status, status: code === RpcCode.OK ? { code } : { code, message: `HTTP ${response.status} ${response.statusText}`.trim() } };
  } catch (err) {
    if (deadline.aborted) return { status: { code: RpcCode.DEADLINE_EXCEEDED, message: `the target did not answer within the attempt deadline` } };
    if (attempt.signal.aborted) return { status: { code: RpcCode.CANCELLED, message: 'the emulator shut down during the attempt' } };
    const code = (err as { code?: unknown }).code;
    return { status: { code: RpcCode.UNAVAILABLE, message: `could not reach ${target.uri}: ${typeof code === 'string' ? code : (err as Error).message}` } };
  }
}

/** Publishes the job's message; `pubsub` is undefined when no Pub/Sub emulator is configured. */
export async function deliverPubsub(target: PubsubTargetSpec, pubsub: PubSub | undefined): Promise<AttemptOutcome> {
  if (!pubsub) {
    return { status: { code: RpcCode.FAILED_PRECONDITION, message: 'PUBSUB_EMULATOR_HOST is not set: the local Cloud Scheduler publishes only to the Pub/Sub emulator' } };
  }
  try {
    await pubsub.topic(target.topicName).publishMessage({
      data: Buffer.from(target.data ?? '', 'base64'),
      ...(target.attributes ? { attributes: target.attributes } : {}),
    });
    return { status: { code: RpcCode.OK } };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { status: { code: typeof code === 'number' && code > 0 && code <= 16 ? code : RpcCode.UNKNOWN, message: (err as Error).message } };
  }
}
