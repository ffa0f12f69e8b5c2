// The functions as deployed, served by the functions framework over the real bundle, with Pub/Sub
// push subscriptions pointed at them. A poison message (not JSON, the wrong schema) published to
// either topic ends on the dead-letter topic with a `reason` naming the field, once, and is not
// retried. Fuzzed HTTP requests to mlopsApi (property-based, fast-check) never get a 5xx; every 4xx
// is Google's JSON error, and a 400 for a body names the body's field.
import type { PubSub } from '@google-cloud/pubsub';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateCustomJobBody, CreateEvaluationBody, CreateRolloutBody, CreateTrainingRunBody } from '../../../control-plane/api/requests.js';
import { pubSubClient } from '../../../google-clients/pubsub.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import type { ReceivedMessage } from './support.js';
import { buildReliabilityBundle, clientEnvironmentOf, MISSING_SOURCE_MODEL, missingPrerequisite, MODEL, receiveUntil, REGION } from './support.js';

const skipReason = missingPrerequisite({ pubsub: true });
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? '500');

type Body = { readonly kind: 'none' } | { readonly kind: 'json'; readonly value: unknown } | { readonly kind: 'raw'; readonly text: string; readonly contentType: string };

/**
 * What the functions framework refuses itself, with Express's HTML 400, before mlopsApi runs: a path
 * with a malformed %-escape (its router decodes the path), and a JSON body that body-parser's strict
 * mode does not take (not JSON, or JSON that is not an object or array).
 */
function refusedByTheFramework(method: string, path: string, body: Body): boolean {
  try {
    decodeURIComponent(path);
  } catch {
    return true;
  }
  if (method === 'GET' || body.kind === 'none' || (body.kind === 'raw' && body.contentType !== 'application/json')) return false;
  const text = body.kind === 'json' ? JSON.stringify(body.value) : body.text;
  if (text === '') return false;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value !== 'object' || value === null;
  } catch {
    return true;
  }
}

describe.skipIf(skipReason !== undefined)('the served functions under bad input', () => {
  let cloud: TestCloud;
  let bundle: { bundleDir: string; remove(): void } | undefined;
  let pubsub: PubSub;

  beforeAll(async () => {
    bundle = await buildReliabilityBundle('served');
    cloud = await startTestCloud({ vertex: true, pubsub: true, functions: { bundleDir: bundle.bundleDir, extraEnv: { MLOPS_ENVIRONMENT: 'local', MLOPS_REGION: REGION } } });
    pubsub = pubSubClient(clientEnvironmentOf(cloud));
  }, 120_000);

  afterAll(async () => {
    await pubsub?.close();
    await cloud?.teardown();
    bundle?.remove();
  });

  describe('poison messages', () => {
    const validRequest = { requestId: 'poison-0', model: MODEL, trigger: 'api', reason: 'x', requestTime: '2026-01-05T03:00:00Z' };
    const CASES: readonly { readonly name: string; readonly topic: string; readonly data: string; readonly fn: string; readonly reason: RegExp }[] = [
      { name: 'a retraining request that is not JSON', topic: 'retraining-requests', data: '{"requestId": "poison-1", ', fn: 'submitTrainingRun', reason: /^data: is not JSON/ },
      { name: 'a retraining request with a wrong trigger and no requestTime', topic: 'retraining-requests', data: JSON.stringify({ ...validRequest, trigger: 'weekly', requestTime: undefined }), fn: 'submitTrainingRun', reason: /trigger: .*requestTime: |requestTime: .*trigger: / },
      { name: 'a retraining request with a field the schema does not have', topic: 'retraining-requests', data: JSON.stringify({ ...validRequest, modelName: MODEL }), fn: 'submitTrainingRun', reason: /modelName/ },
      { name: 'a retraining request that is a JSON array', topic: 'retraining-requests', data: '[1, 2]', fn: 'submitTrainingRun', reason: /\(message\)/ },
      { name: 'a pipeline event that is not JSON', topic: 'pipeline-run-events', data: 'SUCCEEDED', fn: 'onPipelineRunEvent', reason: /^data: is not JSON/ },
      { name: 'a pipeline event with a bad PipelineJob name and state', topic: 'pipeline-run-events', data: JSON.stringify({ pipelineJob: 'pipelineJobs/x', state: 'DONE', model: MODEL, requestId: 'poison-2' }), fn: 'onPipelineRunEvent', reason: /pipelineJob: .*state: / },
      { name: 'a pipeline event without its model', topic: 'pipeline-run-events', data: JSON.stringify({ pipelineJob: 'projects/p/locations/us-central1/pipelineJobs/x', state: 'FAILED', requestId: 'poison-3' }), fn: 'onPipelineRunEvent', reason: /^model: / },
    ];

    it('each ends on mlops-dead-letter once, with the function and a reason naming the field, and the original data and attributes', async () => {
      const published = await Promise.all(
        CASES.map(async (c, i) => ({ ...c, id: String(i), messageId: await pubsub.topic(c.topic).publishMessage({ data: Buffer.from(c.data, 'utf8'), attributes: { 'reliability-case': String(i), origin: 'test' } }) })),
      );
      const ours = (received: readonly ReceivedMessage[]) => received.filter((m) => m.attributes['reliability-case'] !== undefined);
      // All of them, then a few seconds more: a retried (unacknowledged) poison would be parked again.
      let allSeenAt: number | undefined;
      const parked = ours(
        await receiveUntil(
          pubsub,
          'mlops-dead-letter-inspect',
          (received) => {
            if (allSeenAt === undefined && new Set(ours(received).map((m) => m.attributes['reliability-case'])).size === CASES.length) allSeenAt = Date.now();
            return allSeenAt !== undefined && Date.now() - allSeenAt > 3000;
          },
          30_000,
        ),
      );
      for (const c of published) {
        const copies = parked.filter((m) => m.attributes['reliability-case'] === c.id);
        expect(copies.length, `${c.name}: copies on the dead-letter topic`).toBe(1);
        const [copy] = copies;
        expect(copy!.data, c.name).toBe(c.data);
        expect(copy!.attributes, c.name).toMatchObject({ origin: 'test', function: c.fn });
        expect(copy!.attributes.reason, c.name).toMatch(c.reason);
      }
    }, 60_000);
  });

  describe('mlopsApi under fuzzed requests', () => {
    // Segments users and attackers send; MISSING_SOURCE_MODEL is real but cheap (its snapshot fails at once).
    const segment = fc.oneof(
      fc.constantFrom(MISSING_SOURCE_MODEL, 'no-such-model', 'Flight_Delay', '1', '0', 'champion', '..', '%2F', '%zz', '%', '%00', 'a'.repeat(300), ' ', '${x}', '[]', 'null'),
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,70}$/),
    );
    const path = fc.oneof(
      fc.tuple(segment).map(([m]) => `/v1/models/${m}`),
      fc.tuple(segment).map(([m]) => `/v1/models/${m}/trainingRuns`),
      fc.tuple(segment).map(([id]) => `/v1/trainingRuns/${id}`),
      fc.tuple(segment, segment).map(([m, v]) => `/v1/models/${m}/versions/${v}/evaluations`),
      fc.tuple(segment).map(([m]) => `/v1/models/${m}/evaluations`),
      fc.tuple(segment).map(([m]) => `/v1/models/${m}/customJobs`),
      fc.tuple(segment).map(([m]) => `/v1/models/${m}/rollouts`),
      fc.tuple(segment, fc.constantFrom('', ':promote', ':abort', ':retry', ':approve', ':frobnicate')).map(([id, verb]) => `/v1/rollouts/${id}${verb}`),
      fc.constantFrom('/v1/models', '/v1/models/', '/', '/v1', '/v2/models', '/v1/models//trainingRuns', '/v1/trainingRuns'),
      fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
    );
    // Bodies built from the API's own field names with values of every kind, plus whole garbage.
    const ROUTE_FIELDS: Readonly<Record<string, readonly string[]>> = {
      trainingRuns: Object.keys(CreateTrainingRunBody.shape),
      evaluations: Object.keys(CreateEvaluationBody.shape),
      customJobs: Object.keys(CreateCustomJobBody.shape),
      rollouts: Object.keys(CreateRolloutBody.shape),
    };
    const FIELDS = [...new Set(Object.values(ROUTE_FIELDS).flat())];
    const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 30 }), fc.constantFrom('', 'a'.repeat(2000), -1, 1e308, true, null, [], {}));
    const fieldBody = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 12 })), anyValue, { maxKeys: 4 })
      // A valid custom job preset would start a real (multi-process) training job.
      .filter((body) => !('preset' in body));
    const body: fc.Arbitrary<Body> = fc.oneof(
      fc.constant<Body>({ kind: 'none' }),
      fieldBody.map((value): Body => ({ kind: 'json', value })),
      fc.jsonValue({ maxDepth: 3 }).map((value): Body => ({ kind: 'json', value })),
      fc.tuple(fc.string({ maxLength: 60 }), fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream')).map(([text, contentType]): Body => ({ kind: 'raw', text, contentType })),
    );
    const method = fc.constantFrom('GET', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE');

    interface GoogleError {
      error: { code: number; message: string; status: string; details?: { '@type': string; fieldViolations?: { field: string; description: string }[] }[] };
    }

    it(`${FUZZ_RUNS} requests: never a 5xx; every 4xx is Google's JSON error; a 400 for a JSON object body names one of its fields`, async () => {
      const seen = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(method, path, body, async (m, rawPath, b) => {
          const init: RequestInit = { method: m, signal: AbortSignal.timeout(15_000) };
          if (m !== 'GET' && b.kind === 'json') {
            init.body = JSON.stringify(b.value);
            init.headers = { 'Content-Type': 'application/json' };
          }
          if (m !== 'GET' && b.kind === 'raw') {
            init.body = b.text;
            init.headers = { 'Content-Type': b.contentType };
          }
          const url = new URL(`${cloud.functionUrls.mlopsApi}${rawPath}`);
          // What is sent: the URL's path, with dot segments resolved and unsafe characters escaped.
          const p = url.pathname;
          const res = await fetch(url, init);
          const text = await res.text();
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          const context = `${m} ${p} ${JSON.stringify(b).slice(0, 300)} → ${res.status} ${text.slice(0, 300)}`;
          expect(res.status, context).toBeLessThan(500);
          if (res.status < 400) return;
          if (refusedByTheFramework(m, p, b)) {
            // Answered before any function code runs (so would Cloud Run functions): Express's own 400.
            expect(res.status, context).toBe(400);
            return;
          }
          expect(res.headers.get('content-type') ?? '', context).toMatch(/^application\/json/);
          const parsed = JSON.parse(text) as GoogleError;
          expect(parsed.error, context).toMatchObject({ code: res.status, message: expect.stringMatching(/\S/) as unknown, status: expect.stringMatching(/^[A-Z_]+$/) as unknown });
          const route = /^\/v1\/models\/[^/]+\/(trainingRuns|evaluations|customJobs|rollouts)\/?$/.exec(p)?.[1];
          if (res.status !== 400 || m !== 'POST' || route === undefined || b.kind === 'none') return;
          // A path segment that is not valid percent-encoding is refused before the body is read.
          if (/path segment/.test(parsed.error.message)) return;
          // The body was refused: each violation names a field of it (or the body as a whole), and
          // a field the route does not know is named.
          const violations = (parsed.error.details ?? []).flatMap((d) => d.fieldViolations ?? []);
          expect(violations.length, context).toBeGreaterThan(0);
          const isObject = b.kind === 'json' && typeof b.value === 'object' && b.value !== null && !Array.isArray(b.value);
          const given = isObject ? Object.keys(b.value) : [];
          const known = ROUTE_FIELDS[route]!;
          for (const v of violations) {
            expect(v.description, context).toMatch(/\S/);
            const named = [...given, ...known, '(body)'].some((f) => v.field === f || v.field.startsWith(`${f}.`) || v.field.startsWith(`${f}[`));
            expect(named, `${context}: ${v.field} is not a field of the body`).toBe(true);
          }
          if (b.kind === 'json' && Array.isArray(b.value)) expect(violations.map((v) => v.field), context).toContain('(body)');
          // Every unknown field is named (a key "" has no name to give: it is reported on the body as a whole).
          for (const key of given.filter((k) => !known.includes(k) && k !== '' && !k.includes('.['))) {
            expect(violations.map((v) => v.field), context).toContain(key);
          }
        }),
        { numRuns: FUZZ_RUNS },
      );
      // The requests reached the routes' validation, not only the 404 fallback (a 200 needs one of
      // the few valid GETs, too rare among 500 random requests to count on).
      expect(seen.get(400) ?? 0, JSON.stringify(Object.fromEntries(seen))).toBeGreaterThan(0);
    }, 120_000);
  });
});
