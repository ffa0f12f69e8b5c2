// The shared emulator HTTP kit on a bare server: cross-site browser requests, JSON content type,
// nesting and size limits are refused before any handler runs; malformed requests get 4xx, never
// a crash; the fault admin route validates its RE2 patterns.
import { request } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../emulators/kit/faults.js';
import { MAX_JSON_BODY, MAX_JSON_DEPTH, nestingExceeds } from '../../../emulators/kit/json-body.js';
import { EmulatorServer } from '../../../emulators/kit/server.js';

let server: EmulatorServer;
let port: number;
let base: string;
/** Every handler call, so tests can prove a refused request never reached one. */
const calls: { route: string; body?: unknown; bytes?: number }[] = [];

beforeAll(async () => {
  server = new EmulatorServer('storage', new FaultInjector());
  server.route('POST', '/jobs', async (ctx) => {
    const body = await ctx.json();
    calls.push({ route: 'jobs', body });
    return { created: body };
  });
  server.route('GET', '/jobs', () => {
    calls.push({ route: 'list' });
    return { jobs: [] };
  });
  server.route(
    'POST',
    '/upload',
    async (ctx) => {
      const bytes = await ctx.raw();
      calls.push({ route: 'upload', bytes: bytes.length });
      return { bytes: bytes.length };
    },
    { body: 'raw' },
  );
  ({ port } = await server.listen());
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  calls.length = 0;
});

interface ErrorBody {
  error: { code: number; message: string; status: string; errors?: { reason: string; location?: string }[] };
}

/** `depth` nested arrays around a number: `[[[1]]]` is depth 3. */
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

/** A raw HTTP/1.1 exchange, for request targets and headers fetch() would not send. */
function rawExchange(text: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), body: data.split('\r\n\r\n')[1] ?? '' }));
  });
}

describe('cross-site browser requests', () => {
  it('refuses a text/plain POST from another site with 403 in Google shape, before the handler runs', async () => {
    const res = await fetch(`${base}/jobs`, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'text/plain' }, body: '{"command":"touch /tmp/pwned"}' });
    expect(res.status).toBe(403);
    const { error } = (await res.json()) as ErrorBody;
    expect(error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED', errors: [{ reason: 'forbidden' }] });
    expect(error.message).toContain("Origin 'http://evil.example'");
    expect(calls).toEqual([]);
  });

  it('refuses other origins even with a JSON body, including other loopback ports and null', async () => {
    for (const origin of ['http://evil.example', `https://127.0.0.1:${port}`, 'http://127.0.0.1:3000', `http://127.0.0.2:${port}`, 'null', `http://localhost:${port}/x`]) {
      const res = await fetch(`${base}/jobs`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{}' });
      expect(res.status, origin).toBe(403);
    }
    expect(calls).toEqual([]);
  });

  it("accepts the emulator's own loopback origins", async () => {
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`]) {
      const res = await fetch(`${base}/jobs`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{"n":1}' });
      expect(res.status, origin).toBe(200);
    }
    expect(calls).toHaveLength(3);
  });

  it('grants no CORS preflight: 403 for another origin, and never Access-Control-Allow-* headers', async () => {
    const preflight = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' };
    const foreign = await fetch(`${base}/jobs`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', ...preflight } });
    expect(foreign.status).toBe(403);
    const own = await fetch(`${base}/jobs`, { method: 'OPTIONS', headers: { origin: `http://127.0.0.1:${port}`, ...preflight } });
    expect(own.status).toBe(405);
    for (const res of [foreign, own]) {
      expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('refuses cross-site GETs (no Origin, but Sec-Fetch-Site) and a Host that is not local (DNS rebinding)', async () => {
    expect((await fetch(`${base}/jobs`, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await fetch(`${base}/jobs`, { headers: { 'sec-fetch-site': 'same-site' } })).status).toBe(403);
    expect((await fetch(`${base}/jobs`, { headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    const rebound = await rawExchange(`GET /jobs HTTP/1.1\r\nHost: attacker.example:${port}\r\nConnection: close\r\n\r\n`);
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('DNS rebinding');
    const byName = await rawExchange(`GET /jobs HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);
    expect(byName.status).toBe(200);
    expect(calls.map((c) => c.route)).toEqual(['list', 'list']);
  });
});

describe('JSON content type', () => {
  it('refuses a JSON route body sent as text/plain or without a content type, before the handler runs', async () => {
    const plain = await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"a":1}' });
    expect(plain.status).toBe(415);
    const { error } = (await plain.json()) as ErrorBody;
    expect(error).toMatchObject({ status: 'INVALID_ARGUMENT', errors: [{ location: 'Content-Type' }] });
    expect(error.message).toContain('text/plain');
    const form = await fetch(`${base}/jobs`, { method: 'POST', body: new URLSearchParams({ a: '1' }) });
    expect(form.status).toBe(415);
    expect(calls).toEqual([]);
  });

  it('accepts application/json with a charset, and an empty body without any content type', async () => {
    const json = await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'Application/JSON; charset=UTF-8' }, body: '{"a":1}' });
    expect(await json.json()).toEqual({ created: { a: 1 } });
    const empty = await fetch(`${base}/jobs`, { method: 'POST' });
    expect(await empty.json()).toEqual({ created: {} });
  });

  it('lets raw routes take any content type', async () => {
    const res = await fetch(`${base}/upload`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(await res.json()).toEqual({ bytes: 5 });
  });
});

describe('JSON nesting limit', () => {
  it(`refuses a body nested 10,000 deep with a 400 naming the problem, before the handler runs`, async () => {
    const res = await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"spec":${nested(10_000)}}` });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.message).toMatch(new RegExp(`too deep.*${MAX_JSON_DEPTH}`));
    expect(calls).toEqual([]);
  });

  it(`accepts exactly ${MAX_JSON_DEPTH} levels and refuses one more`, async () => {
    const post = (body: string) => fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post(`{"a":${nested(MAX_JSON_DEPTH - 1)}}`)).status).toBe(200);
    expect((await post(`{"a":${nested(MAX_JSON_DEPTH)}}`)).status).toBe(400);
  });

  it('does not count brackets inside strings, escaped quotes included', async () => {
    const tricky = { a: '['.repeat(500), b: '\\"{{{{', c: '"[[[', d: ['\\', '{'.repeat(300)] };
    const res = await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tricky) });
    expect(await res.json()).toEqual({ created: tricky });
  });

  it('measures the same depth as a recursive walk, for any JSON value', () => {
    const depth = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0);
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, limit) => {
        expect(nestingExceeds(Buffer.from(JSON.stringify(value)), limit)).toBe(depth(value) > limit);
      }),
    );
  });
});

describe('JSON size limit', () => {
  it('answers 413 while a client is still streaming an oversized body, without waiting for the rest', async () => {
    const answer = new Promise<{ status: number; finishedSending: boolean }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/jobs', headers: { 'content-type': 'application/json' } }, (res) => {
        resolve({ status: res.statusCode ?? 0, finishedSending: req.writableEnded });
        res.resume();
        req.destroy();
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      // More than the limit, then the body stays open: a server that reads to the end never answers.
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      req.write('[');
      for (let sent = 0; sent <= MAX_JSON_BODY; sent += chunk.length) req.write(chunk);
    });
    const timeout = new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), 15_000).unref());
    const result = await Promise.race([answer, timeout]);
    expect(result).toEqual({ status: 413, finishedSending: false });
    expect(calls).toEqual([]);
  }, 30_000);

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const res = await rawExchange(`POST /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${MAX_JSON_BODY + 1}\r\nConnection: close\r\n\r\n{`);
    expect(res.status).toBe(413);
    expect(res.body).toContain(`exceeds the limit: ${MAX_JSON_BODY} bytes`);
  });
});

describe('malformed requests', () => {
  it('answers 400 to an absolute-form target that is not a URL, and keeps serving', async () => {
    const bad = await rawExchange(`GET http://a:99999/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(bad.status).toBe(400);
    expect((await fetch(`${base}/jobs`)).status).toBe(200);
  });

  it("keeps a target starting with '//' a path instead of reading a host from it", async () => {
    const res = await rawExchange(`GET //evil.example/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(404);
    expect(res.body).toContain('//evil.example/jobs');
    expect(calls).toEqual([]);
  });
});

describe('fault admin route', () => {
  const putFaults = (rules: unknown) => fetch(`${base}/_emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rules) });

  it('answers 400 naming the field for an invalid pattern, leaving the rules as they were', async () => {
    const kept = [{ path: '^/nothing$', fault: 503, count: 1 }];
    expect((await putFaults(kept)).status).toBe(200);
    for (const path of ['(', '(a)\\1']) {
      const res = await putFaults([{ path: '^/jobs$', fault: 503, count: 1 }, { path, fault: 500, count: 1 }]);
      expect(res.status, path).toBe(400);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.errors?.[0]?.location).toBe('1.path');
      expect(error.message).toMatch(/invalid regular expression \(RE2 syntax\)/);
    }
    expect(await (await fetch(`${base}/_emulator/faults`)).json()).toEqual(kept);
    expect((await putFaults([])).status).toBe(200);
  });

  it('matches paths with RE2 semantics: search anywhere, no backreferences', () => {
    const faults = new FaultInjector();
    faults.add({ path: '/(a+)+/o$', fault: 503, count: 5 });
    expect(faults.decide('storage', 'GET', '/b/aaaa/o').kind).toBe('status');
    expect(faults.decide('storage', 'GET', '/b/aaaa/x').kind).toBe('none');
    // JavaScript accepts a backreference (and its exponential backtracking); RE2 refuses it.
    expect(() => faults.add({ path: '^/(a+)\\1$', fault: 503, count: 1 })).toThrow(/RE2 syntax/);
  });
});
