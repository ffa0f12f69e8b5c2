// The Designer's driver against a worker it cannot trust: a stand-in interpreter (a Python script
// the driver runs in place of python3) that hangs, ignores SIGTERM, answers out of turn after it
// died, answers nonsense, or records what it was sent; and the driver's own limits (closed, timeouts,
// the magnitudes it sends).
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ParameterSpec } from '../../../emulators/vertex/hyperparameter-tuning-jobs/study-spec.js';
import type { SuggestInput } from '../../../emulators/vertex/vizier/designer.js';
import type { DesignerProcessOptions } from '../../../emulators/vertex/vizier/designer-process.js';
import { MAX_DESIGNER_MAGNITUDE, startDesignerProcess } from '../../../emulators/vertex/vizier/designer-process.js';
import { PARENT, rest, startTestVertex } from '../vertex/support.js';

const dir = mkdtempSync(join(tmpdir(), 'fake-vizier-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The mode file says how the next worker behaves; "confused" turns it back to "real" for the next one.
const FAKE = `#!/usr/bin/python3
import json, os, signal, sys, time
DIR = ${JSON.stringify(dir)}
mode = open(os.path.join(DIR, 'mode')).read().strip()
if mode == 'real':
    os.execv('/usr/bin/python3', ['/usr/bin/python3', *sys.argv[1:]])
if mode == 'hang-hard':
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
def answer(rid, **reply):
    sys.stdout.write(json.dumps({'id': rid, **reply}) + '\\n')
    sys.stdout.flush()
for line in sys.stdin:
    request = json.loads(line)
    rid, params = request['id'], request['params']
    if mode in ('hang', 'hang-hard'):
        open(os.path.join(DIR, 'hung-pid'), 'w').write(str(os.getpid()))
        continue
    if mode == 'confused':
        # Dies at once, but a child of it writes an answer for the *next* request id a second later.
        open(os.path.join(DIR, 'mode'), 'w').write('real')
        if os.fork() == 0:
            time.sleep(1)
            answer(rid + 1, result='stale')
            os._exit(0)
        os._exit(3)
    with open(os.path.join(DIR, 'requests.jsonl'), 'a') as f:
        f.write(line)
    if request['method'] == 'decayCurveStop':
        answer(rid, result={'stop': False, 'reason': 'fake'})
        continue
    one = [{'parameterId': p['id'], 'value': p['min'], 'kind': p['kind']} for p in params['parameters']]
    if mode == 'duplicate':
        one = one + one
    answer(rid, result=[one for _ in range(params['count'])])
`;
const fake = join(dir, 'python3');
writeFileSync(fake, FAKE);
chmodSync(fake, 0o755);
const mode = (m: 'real' | 'hang' | 'hang-hard' | 'confused' | 'record' | 'duplicate') => writeFileSync(join(dir, 'mode'), m);
const requests = (): { method: string; params: Record<string, unknown> }[] =>
  existsSync(join(dir, 'requests.jsonl'))
    ? readFileSync(join(dir, 'requests.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { method: string; params: Record<string, unknown> })
    : [];

const X: ParameterSpec = { id: 'x', kind: 'double', min: 0, max: 1, values: [], scale: 'UNIT_LINEAR_SCALE', children: [] };
const input = (over: Partial<SuggestInput> = {}): SuggestInput => ({ parameters: [X], goal: 'MAXIMIZE', completed: [], infeasible: [], pending: [], count: 1, seed: 1, ...over });
const designer = (options: DesignerProcessOptions = {}) => startDesignerProcess({ python: fake, ...options });

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the Designer driver', () => {
  it('fails a call unanswered within the timeout, kills that worker and answers the next call from a new one', async () => {
    mode('hang');
    const d = designer({ callTimeoutMs: 400 });
    try {
      const hung = expect(d.suggest(input())).rejects.toThrow(/suggest \(request 1\) got no answer within 400 ms; the worker was killed/);
      await until(() => d.pid !== undefined, 'the worker');
      const pid = d.pid!;
      await hung;
      await until(() => !alive(pid), 'the hung worker to be gone');
      mode('record'); // a stand-in that answers at once (the real one may take longer than 400 ms to start)
      const [a] = await d.suggest(input());
      expect(a).toEqual([{ parameterId: 'x', value: 0, kind: 'double' }]);
      expect(d.pid).not.toBe(pid);
    } finally {
      await d.close();
    }
  });

  it('never lets a dead worker answer a call sent to its successor', async () => {
    mode('confused');
    const d = designer();
    try {
      const first = expect(d.suggest(input())).rejects.toThrow(/exited with code 3 before answering suggest \(request 1\)/);
      await until(() => d.pid !== undefined, 'the worker');
      const pidA = d.pid!;
      // A has exited (its stdout still open in its child): the next call starts B and is request 2.
      await until(() => !alive(pidA), 'worker A to exit');
      const second = d.suggest(input());
      await first;
      // A's child wrote {"id": 2, "result": "stale"}: it must not reach request 2, which B answers.
      const [b] = await second;
      expect(b).toEqual([{ parameterId: 'x', value: 0.5, kind: 'double' }]);
      expect(d.pid).not.toBe(pidA);
    } finally {
      await d.close();
    }
  });

  it('rejects the calls in flight at close() at once, SIGKILLs a worker that ignores SIGTERM, and refuses later calls', async () => {
    mode('hang-hard');
    const d = designer({ closeGraceMs: 300 });
    const waiting = d.suggest(input());
    await until(() => d.pid !== undefined, 'the worker');
    const pid = d.pid!;
    const rejected = expect(waiting).rejects.toThrow(/worker was closed before answering suggest/);
    const started = Date.now();
    await d.close();
    await rejected;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(alive(pid)).toBe(false);
    expect(d.pid).toBeUndefined();
    // After close(), no worker is spawned (it would outlive the emulator).
    mode('real');
    await expect(d.suggest(input())).rejects.toThrow(/closed/);
    await expect(d.decayCurveStop({ goal: 'MAXIMIZE', running: [], completed: [] })).rejects.toThrow(/closed/);
    expect(d.pid).toBeUndefined();
  });

  it('refuses an answer that gives a parameter twice', async () => {
    mode('duplicate');
    const d = designer();
    try {
      await expect(d.suggest(input())).rejects.toThrow(/suggested "x" twice/);
    } finally {
      await d.close();
    }
  });

  it('sends values the worker can compute with: huge ones clamped, non-finite ones out of the fit', async () => {
    mode('record');
    rmSync(join(dir, 'requests.jsonl'), { force: true });
    const d = designer();
    try {
      await d.suggest(
        input({
          completed: [
            { parameters: { x: 0.1 }, value: 1e308 },
            { parameters: { x: 0.2 }, value: -1e300 },
            { parameters: { x: 0.3 }, value: Number.NaN },
            { parameters: { x: 0.4 }, value: 2 },
          ],
        }),
      );
      await d.decayCurveStop({ goal: 'MINIMIZE', running: [{ step: 1, value: 1e308 }], completed: [[{ step: 1e200, value: -1e308 }, { step: 2, value: Number.POSITIVE_INFINITY }]] });
      const [suggest, decay] = requests();
      const completed = suggest!.params.completed as { value: number }[];
      expect(completed.map((c) => c.value)).toEqual([MAX_DESIGNER_MAGNITUDE, -MAX_DESIGNER_MAGNITUDE, 2]);
      expect(suggest!.params.infeasible).toEqual([{ parameters: { x: 0.3 } }]);
      expect(decay!.params).toEqual({
        goal: 'MINIMIZE',
        running: [{ step: 1, value: MAX_DESIGNER_MAGNITUDE }],
        completed: [[{ step: MAX_DESIGNER_MAGNITUDE, value: -MAX_DESIGNER_MAGNITUDE }]],
      });
      // A range the GP cannot scale is refused with the parameter named, before anything is sent.
      await expect(d.suggest(input({ parameters: [{ ...X, min: -1e308, max: 1e308 }] }))).rejects.toThrow(/parameter "x": its range .* goes beyond/);
      expect(requests()).toHaveLength(2);
    } finally {
      await d.close();
    }
  });

  it('lets the emulator close at once while a suggestion waits on a worker that ignores SIGTERM', async () => {
    mode('hang-hard');
    rmSync(join(dir, 'hung-pid'), { force: true });
    const t = await startTestVertex({}, { designerProcess: { python: fake, closeGraceMs: 300 } });
    let stopped = false;
    try {
      const study = await rest(t.emulator, 'POST', `/v1/${PARENT}/studies`, {
        displayName: 'hung',
        studySpec: { metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: [{ parameterId: 'x', doubleValueSpec: { minValue: 0, maxValue: 1 } }] },
      });
      const op = await rest(t.emulator, 'POST', `/v1/${String(study.json.name)}/trials:suggest`, { suggestionCount: 1, clientId: 'c' });
      expect(op.status).toBe(200);
      await until(() => existsSync(join(dir, 'hung-pid')), 'the worker to hold the request');
      const pid = Number(readFileSync(join(dir, 'hung-pid'), 'utf8'));
      const started = Date.now();
      await t.stop();
      stopped = true;
      expect(Date.now() - started).toBeLessThan(10_000);
      // Killed by the close (SIGKILL after the grace period); on a loaded machine the kernel may
      // take a moment longer to let it go than the close takes to return.
      await until(() => !alive(pid), 'the hung worker to be gone', 3_000);
    } finally {
      if (!stopped) await t.stop();
    }
  });

  it('takes its interpreter from LOCAL_VIZIER_PYTHON', async () => {
    const saved = process.env.LOCAL_VIZIER_PYTHON;
    process.env.LOCAL_VIZIER_PYTHON = '/nonexistent/from-env/python3';
    const d = startDesignerProcess();
    try {
      await expect(d.suggest(input())).rejects.toThrow(/could not run \(\/nonexistent\/from-env\/python3/);
    } finally {
      if (saved === undefined) delete process.env.LOCAL_VIZIER_PYTHON;
      else process.env.LOCAL_VIZIER_PYTHON = saved;
      await d.close();
    }
  });
});
