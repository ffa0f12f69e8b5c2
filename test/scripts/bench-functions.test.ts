// The functions benchmark's helpers: dependency closure from a lockfile, function-seconds from
// invocation lines, the cold-start timer against a stand-in server, the summary table, and the
// runtime hook that hands the bench every structured line a served function writes.
import { describe, expect, it } from 'vitest';
import { logFunctionLine, watchFunctionLogs } from '../../emulators/functions/function-log.js';
import { dependencyClosure, PackageLock } from '../../scripts/bench/dependency-closure.js';
import { timeColdStart } from '../../scripts/bench/function-cold-start.js';
import { functionSeconds, invocationOf } from '../../scripts/bench/function-seconds.js';
import { textTable } from '../../scripts/bench/text-table.js';
import { freePort } from '../../emulators/kit/free-port.js';

const lock = PackageLock.parse({
  lockfileVersion: 3,
  packages: {
    '': { dependencies: { a: '^1', unrelated: '^1' } },
    'node_modules/a': { dependencies: { b: '^1', c: '^2' }, optionalDependencies: { 'not-installed': '^1' } },
    'node_modules/b': { dependencies: { c: '^1' }, peerDependencies: { p: '^1', q: '^1' }, peerDependenciesMeta: { q: { optional: true } } },
    // b needs c@1 (hoisted); a needs c@2 (nested under a).
    'node_modules/c': {},
    'node_modules/a/node_modules/c': { dependencies: { d: '^1' } },
    'node_modules/d': {},
    'node_modules/p': {},
    'node_modules/q': {},
    'node_modules/unrelated': {},
  },
});

describe('dependencyClosure', () => {
  it('follows dependencies the way Node resolves them: nested first, then hoisted', () => {
    expect(dependencyClosure(lock, ['a'])).toEqual([
      'node_modules/a',
      'node_modules/a/node_modules/c',
      'node_modules/b',
      'node_modules/c',
      'node_modules/d',
      'node_modules/p',
    ]);
  });

  it('leaves out optional peers and what the lock does not hold, and fails on a root it lacks', () => {
    expect(dependencyClosure(lock, ['a'])).not.toContain('node_modules/q');
    expect(dependencyClosure(lock, ['unrelated'])).toEqual(['node_modules/unrelated']);
    expect(() => dependencyClosure(lock, ['missing'])).toThrow(/dependency missing: not in package-lock.json/);
  });

  it('refuses a lockfile without a packages map', () => {
    expect(PackageLock.safeParse({ lockfileVersion: 1, dependencies: {} }).success).toBe(false);
  });
});

describe('function-seconds', () => {
  it('reads invocation lines and nothing else', () => {
    expect(invocationOf({ severity: 'INFO', message: 'mlopsApi invocation', function: 'mlopsApi', method: 'POST', path: '/v1/x', status: 200, durationMs: 12 })).toEqual({
      function: 'mlopsApi', durationMs: 12, method: 'POST', path: '/v1/x', status: 200,
    });
    expect(invocationOf({ message: 'submitTrainingRun: pipeline submitted', function: 'submitTrainingRun', durationMs: 5 })).toBeUndefined();
    expect(invocationOf({ message: 'onPipelineRunEvent invocation', function: 'onPipelineRunEvent', durationMs: -1 })).toBeUndefined();
  });

  it('sums durations, in total and per function', () => {
    const fs = functionSeconds([
      { function: 'mlopsApi', durationMs: 250 },
      { function: 'submitTrainingRun', durationMs: 1500 },
      { function: 'submitTrainingRun', durationMs: 500 },
      { function: 'onPipelineRunEvent', durationMs: 750 },
    ]);
    expect(fs.seconds).toBeCloseTo(3);
    expect(fs.invocations).toBe(4);
    expect(fs.byFunction.submitTrainingRun).toEqual({ invocations: 2, seconds: 2 });
  });
});

describe('textTable', () => {
  it('pads columns, right-aligns numeric ones and rules the header', () => {
    expect(textTable(['kind', 'ms'], [['hello', 5], ['mlopsApi', 123.4]])).toBe(['kind         ms', '--------  -----', 'hello         5', 'mlopsApi  123.4'].join('\n'));
  });
});

describe('watchFunctionLogs', () => {
  it('hands every structured line to the listener until unsubscribed, plain lines not', () => {
    const seen: unknown[] = [];
    const unwatch = watchFunctionLogs((e) => seen.push(e));
    logFunctionLine('fn', 'stdout', '{"severity":"DEBUG","message":"fn invocation","function":"fn","durationMs":3}');
    logFunctionLine('fn', 'stderr', 'plain text');
    unwatch();
    logFunctionLine('fn', 'stdout', '{"message":"after"}');
    expect(seen).toEqual([{ function: 'fn', stream: 'stdout', record: { severity: 'DEBUG', message: 'fn invocation', function: 'fn', durationMs: 3 } }]);
  });
});

describe('timeColdStart', () => {
  /** A stand-in function: listens after `delayMs`, answers `status`, logs an invocation line. */
  const standIn = (port: number, delayMs: number, status: number) => ({
    command: process.execPath,
    args: ['-e', `setTimeout(() => require('node:http').createServer((q, r) => { r.statusCode = ${status}; r.end('ok'); console.log(JSON.stringify({ message: 'f invocation', function: 'f', durationMs: 7 })); }).listen(${port}, '127.0.0.1'), ${delayMs});`, '--', '--target=f'],
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '' },
  });

  it('times spawn to the first 2xx, after retrying while the port refuses, and reads the handler time', async () => {
    const port = await freePort();
    const start = await timeColdStart(standIn(port, 300, 200), port, { method: 'GET', path: '/' });
    expect(start.ms).toBeGreaterThanOrEqual(300);
    expect(start.answer).toEqual({ status: 200, body: 'ok' });
    expect(start.handlerMs).toBe(7);
  });

  it('fails on a first answer that is not 2xx, and when the process exits without answering', async () => {
    const port = await freePort();
    await expect(timeColdStart(standIn(port, 0, 500), port, { method: 'GET', path: '/' })).rejects.toThrow(/--target=f GET \/: answered 500/);
    const exits = { command: process.execPath, args: ['-e', 'console.log("bye"); process.exit(3)'], cwd: process.cwd(), env: {} };
    await expect(timeColdStart(exits, await freePort(), { method: 'GET', path: '/' })).rejects.toThrow(/exited \(3\) before answering[\s\S]*bye/);
  });
});
