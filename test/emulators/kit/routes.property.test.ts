// Property-based: generated bodies, names and query strings thrown at every route of every
// emulator (as each lists them on /_emulator/routes) for a bounded time. Whatever arrives: no 5xx,
// no hang, nothing written when the request is refused, nothing written outside the data directory.
// FUZZ_SECONDS (default 5) sets the time per emulator; a failure prints fast-check's seed and path.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? '5');
const REQUEST_TIMEOUT_MS = 10_000;
const EMULATORS = ['storage', 'bigquery', 'monitoring', 'vertex', 'logging'] as const;

interface RouteInfo {
  method: string;
  template: string;
}

let root: string;
let cloud: TestCloud;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'route-fuzz-'));
  cloud = await startTestCloud({ dataDir: join(root, 'data'), vertex: true });
}, 60_000);

afterAll(async () => {
  await cloud?.teardown();
  rmSync(root, { recursive: true, force: true });
});

/** Every file under `dir` with its size and modification time, by path relative to `base`. */
function snapshot(dir: string, base = dir, into = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      into.set(`${relative(base, path)}/`, 'dir');
      snapshot(path, base, into);
    } else {
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat) into.set(relative(base, path), `${stat.size}:${stat.mtimeMs}`);
    }
  }
  return into;
}

function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, v] of after) if (before.get(path) !== v) out.push(before.has(path) ? `changed ${path}` : `created ${path}`);
  for (const path of before.keys()) if (!after.has(path)) out.push(`deleted ${path}`);
  return out;
}

// Values Google's front ends meet from careless or hostile callers.
const nastyText = fc.constantFrom(
  '', '..', '.', '%', '%00', '%zz', '\u0000', 'a'.repeat(300), '9'.repeat(25), '-1', '1.5', 'NaN', ' ', '*', '**',
  'local-project', 'us-central1', 'projects', 'locations', '../../etc/passwd', '${x}', '{}', '[]', 'null', 'true',
  "'; DROP TABLE t; --", '(a+)+$', 'ünïcödé', '🙂',
);
const segment = fc.oneof(nastyText, fc.string({ maxLength: 24 }), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/));
const encodedSegment = fc.oneof(
  { weight: 5, arbitrary: segment.map((s) => encodeURIComponent(s)) },
  { weight: 1, arbitrary: fc.constantFrom('%zz', '%', '%E0%A4%A', '..', '.') },
);
const manySegments = fc.array(encodedSegment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/'));

const queryKeys = fc.constantFrom(
  'pageSize', 'pageToken', 'maxResults', 'filter', 'orderBy', 'alt', 'uploadType', 'projection', 'prefix', 'delimiter',
  'ifGenerationMatch', 'generation', 'predefinedAcl', 'startIndex', 'timeoutMs', 'interval.startTime', 'interval.endTime',
  'aggregation.alignmentPeriod', 'view', 'readMask', 'updateMask', 'name', 'all', 'x', 'fields',
);
const queryString = fc
  .array(fc.tuple(queryKeys, fc.oneof(nastyText, fc.string({ maxLength: 16 }))), { maxLength: 4 })
  .map((pairs) => new URLSearchParams(pairs).toString());

/** JSON nested `depth` deep, in a field name callers really use. */
const deepJson = fc
  .tuple(fc.integer({ min: 20, max: 3_000 }), fc.constantFrom('metadata', 'lifecycle', 'access', 'pipelineSpec', 'labels', 'schema'))
  .map(([depth, field]) => `{"${field}":${'['.repeat(depth)}1${']'.repeat(depth)}}`);
const jsonBody = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  {
    weight: 4,
    arbitrary: fc
      .dictionary(fc.constantFrom('name', 'displayName', 'kind', 'id', 'labels', 'timeSeries', 'schema', 'jobSpec', 'query', 'rows', 'storageClass', 'filter', 'resourceNames', 'type'), fc.jsonValue({ maxDepth: 3 }))
      .map((v) => JSON.stringify(v)),
  },
  { weight: 1, arbitrary: deepJson },
  { weight: 1, arbitrary: fc.string({ maxLength: 64 }) },
);
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/octet-stream');

function fill(template: string, params: string[], rest: string[]): string {
  let p = 0;
  let r = 0;
  return template.replace(/\{([^}=]+)(=\*\*)?\}/g, (_m, _name: string, star: string | undefined) =>
    star ? (rest[r++] ?? 'x') : (params[p++] ?? 'x'),
  );
}

async function routesOf(url: string): Promise<RouteInfo[]> {
  const res = await fetch(`${url}/_emulator/routes`);
  const body = (await res.json()) as { routes: RouteInfo[] };
  // The admin routes reconfigure faults: fuzzing them would inject 5xx on purpose.
  return body.routes.filter((r) => !r.template.startsWith('/_emulator/'));
}

describe('every emulator route under generated input', () => {
  for (const emulator of EMULATORS) {
    it(`${emulator}: no 5xx, no hang, nothing written on a refusal, nothing outside the data directory`, async () => {
      const base = cloud.endpoints[emulator];
      if (!base) throw new Error(`${emulator} is not running in the test cloud`);
      const routes = await routesOf(base);
      expect(routes.length).toBeGreaterThan(0);
      let requests = 0;
      const statuses = new Map<number, number>();
      const outsideBefore = readdirSync(root).sort();

      const request = fc.record({
        route: fc.constantFrom(...routes),
        params: fc.array(encodedSegment, { minLength: 6, maxLength: 6 }),
        rest: fc.array(manySegments, { minLength: 3, maxLength: 3 }),
        query: queryString,
        body: jsonBody,
        contentType,
      });

      await fc.assert(
        fc.asyncProperty(request, async ({ route, params, rest, query, body, contentType: type }) => {
          const path = fill(route.template, params, rest);
          const hasBody = !['GET', 'DELETE'].includes(route.method);
          const before = snapshot(cloud.dataDir);
          let status: number;
          try {
            const res = await fetch(`${base}${path}${query ? `?${query}` : ''}`, {
              method: route.method,
              headers: hasBody ? { 'content-type': type } : {},
              ...(hasBody ? { body } : {}),
              signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            });
            status = res.status;
            await res.arrayBuffer();
          } catch (err) {
            throw new Error(`${route.method} ${path}: no answer within ${REQUEST_TIMEOUT_MS} ms`, { cause: err });
          }
          requests++;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          expect(status, `${route.method} ${path}?${query} answered ${status}`).toBeLessThan(500);
          if (status >= 400) {
            expect(changes(before, snapshot(cloud.dataDir)), `${route.method} ${path} was refused (${status}) but wrote`).toEqual([]);
          }
        }),
        { numRuns: 1_000_000, interruptAfterTimeLimit: SECONDS * 1_000, markInterruptAsFailure: false },
      );

      const counts = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
      process.stderr.write(`route fuzz, ${emulator}: ${requests} requests over ${routes.length} routes; answers ${counts}\n`);
      expect(readdirSync(root).sort(), 'files appeared beside the data directory').toEqual(outsideBefore);
      // Bounded time, but not vacuous: the property really ran, and refusals were among the answers.
      expect(requests).toBeGreaterThan(10);
      expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    }, SECONDS * 1_000 + 60_000);
  }
});
