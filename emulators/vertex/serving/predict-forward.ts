// One prediction's trip to a model server and back: the request checked and encoded, the
// server's answer turned into Vertex's PredictResponse (or passed through for rawPredict).
import type { Agent } from 'node:http';
import { GoogleApiError } from '../../kit/google-error.js';
import { HttpTimeoutError, httpCall } from './http-client.js';

export interface ResponseIdentity {
  deployedModelId: string;
  model?: string;
  modelVersionId?: string;
  modelDisplayName?: string;
}

export interface ForwardInput {
  port: number;
  route: string;
  agent: Agent;
  /** A parsed JSON body, or bytes / text (rawPredict). */
  body: unknown;
  raw: boolean;
  /** Of a raw body (default application/json). */
  contentType?: string;
  timeoutMs: number;
  response: ResponseIdentity;
}

export interface ForwardOutcome {
  status: number;
  body: unknown;
  contentType?: string;
  /** The request and response as request-response logging records them. */
  request: unknown;
  response: unknown;
  /** The model server's part: from sending the request to its answer, timeout or failure. */
  latencyMs: number;
  /** False when the request was answered before any call to the model server (malformed). */
  reachedServer: boolean;
}

export async function forwardPredict(input: ForwardInput): Promise<ForwardOutcome> {
  const encoded = encodeRequest(input.body, input.raw);
  if (encoded instanceof GoogleApiError) return { ...errorOutcome(encoded, input.body), reachedServer: false };
  const started = performance.now();
  let reply;
  try {
    reply = await httpCall({ port: input.port, method: 'POST', path: input.route, body: encoded.bytes, contentType: (input.raw && input.contentType) || 'application/json', timeoutMs: input.timeoutMs, agent: input.agent });
  } catch (err) {
    const error = err instanceof HttpTimeoutError
      ? new GoogleApiError(504, `The model server did not answer within ${input.timeoutMs} ms.`)
      : new GoogleApiError(503, `The model server is unreachable: ${err instanceof Error ? err.message : String(err)}`);
    return errorOutcome(error, encoded.logged, performance.now() - started);
  }
  const latencyMs = performance.now() - started;
  const text = reply.body.toString('utf8');
  const parsed = parseJson(text);
  const logged = parsed === undefined ? text : parsed.value;
  if (input.raw) {
    // The text itself, so the caller writes back exactly what the server wrote.
    return { status: reply.status, body: text, ...(reply.contentType ? { contentType: reply.contentType } : {}), request: encoded.logged, response: logged, latencyMs, reachedServer: true };
  }
  if (reply.status < 200 || reply.status >= 300) {
    const code = reply.status >= 400 && reply.status < 600 ? reply.status : 500;
    return errorOutcome(new GoogleApiError(code, serverErrorMessage(parsed?.value, text)), encoded.logged, latencyMs);
  }
  const predictions = isRecord(parsed?.value) ? parsed.value.predictions : undefined;
  if (!Array.isArray(predictions)) {
    return errorOutcome(new GoogleApiError(500, `The model server's response has no "predictions" list: ${text.slice(0, 200)}`), encoded.logged, latencyMs);
  }
  const metadata = isRecord(parsed?.value) ? parsed.value.metadata : undefined;
  const body = { predictions, ...input.response, ...(metadata !== undefined ? { metadata } : {}) };
  return { status: 200, body, request: encoded.logged, response: body, latencyMs, reachedServer: true };
}

/** Bytes to send, and the request as logged; a malformed predict request is answered here. */
function encodeRequest(body: unknown, raw: boolean): { bytes: Buffer; logged: unknown } | GoogleApiError {
  if (raw) {
    if (Buffer.isBuffer(body) || body instanceof Uint8Array || typeof body === 'string') {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
      const text = bytes.toString('utf8');
      return { bytes, logged: parseJson(text)?.value ?? text };
    }
    return { bytes: Buffer.from(JSON.stringify(body ?? null), 'utf8'), logged: body };
  }
  let value = body;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array || typeof body === 'string') {
    const parsed = parseJson(Buffer.from(body).toString('utf8'));
    if (parsed === undefined) return new GoogleApiError(400, 'Invalid JSON payload received.');
    value = parsed.value;
  }
  if (!isRecord(value) || !Array.isArray(value.instances)) {
    return new GoogleApiError(400, 'The request must be a JSON object with an "instances" list.', { location: 'instances' });
  }
  return { bytes: Buffer.from(JSON.stringify(value), 'utf8'), logged: value };
}

function errorOutcome(error: GoogleApiError, request: unknown, latencyMs = 0): ForwardOutcome {
  const body = error.toBody('grpc-gateway');
  return { status: error.code, body, request, response: body, latencyMs, reachedServer: true };
}

/** The model server's `{"error": "..."}` (or Vertex-style `{error: {message}}`), else its text. */
function serverErrorMessage(value: unknown, text: string): string {
  if (isRecord(value)) {
    const { error } = value;
    if (typeof error === 'string') return error;
    if (isRecord(error) && typeof error.message === 'string') return error.message;
  }
  return text.trim() || 'The model server returned an error without a message.';
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
