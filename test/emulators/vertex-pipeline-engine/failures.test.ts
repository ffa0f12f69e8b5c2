// Failure handling: exit handlers, retries, the failure policies, cancellation, unmapped images;
// and the execution cache.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_IMAGE_MAP_FILE } from '../../../emulators/vertex/containers/image-map.js';
import { artifact, containerComponent, definePipeline, param } from '../../../pipelines/dsl/index.js';
import { runPipeline, sandbox, summary, task } from './support.js';

const sb = sandbox();
afterAll(() => sb.cleanup());

/** Runs `script` with the given arguments; `sh -c script a b` sees them as $0, $1. */
function shell(name: string, script: string) {
  return containerComponent({
    name,
    inputs: { a: param.string({ default: '' }), b: param.string({ default: '' }) },
    image: 'alpine',
    command: ({ inputs }) => ['sh', '-c', script, inputs.a, inputs.b],
  });
}

const scratch = () => mkdtempSync(join(sb.dir, 'scratch-'));

describe('exit handler', () => {
  const exitOp = containerComponent({
    name: 'exit-op',
    inputs: { dir: param.string(), status: param.taskFinalStatus() },
    image: 'alpine',
    command: ({ inputs }) => ['sh', '-c', 'printf %s "$1" > "$0/status.json"', inputs.dir, inputs.status],
  });
  const pipeline = definePipeline({ name: 'with-exit-handler', inputs: { dir: param.string() } }, (p, { dir }) => {
    const exit = p.task(exitOp, { dir });
    p.exitHandler(
      exit,
      () => {
        p.task(shell('ok', 'true'));
        p.task(shell('boom', 'echo failing >&2; exit 3'));
      },
      { name: 'guarded' },
    );
  });

  it('runs the exit task after a failure and hands it the final status as KFP does', async () => {
    const dir = scratch();
    const { job, result } = await runPipeline(sb, pipeline, { parameterValues: { dir } });
    expect(result.state, summary(result)).toBe('PIPELINE_STATE_FAILED');
    expect(result.error?.message).toMatch(/The failed tasks are: \[guarded\]/);
    expect(task(result, 'boom')).toMatchObject({ state: 'FAILED', error: { code: 9 } });
    expect(task(result, 'boom').error?.message).toMatch(/exited with a non-zero status of 3/);
    expect(task(result, 'guarded').state).toBe('FAILED');
    expect(task(result, 'exit-op').state).toBe('SUCCEEDED');
    const status = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as Record<string, unknown>;
    expect(status).toEqual({
      state: 'FAILED',
      error: { code: 9, message: 'The DAG failed because some tasks failed. The failed tasks are: [boom].' },
      pipelineJobResourceName: job.name,
      pipelineTaskName: 'guarded',
    });
    const jobId = job.name.split('/').pop()!;
    expect(readFileSync(join(sb.logDir, jobId, 'guarded.boom.log'), 'utf8')).toContain('failing');
  });
});

describe("a failed step's reason", () => {
  it("reaches the task's error and the job's: the last ERROR log line, else the output's tail", async () => {
    const pipeline = definePipeline({ name: 'failure-reasons' }, (p) => {
      p.task(shell('structured', `echo '{"severity": "INFO", "message": "started"}' >&2
        echo '{"severity": "ERROR", "message": "check failed: 3 rows (minimum 100)", "traceback": "..."}' >&2
        echo 'a trailing plain line' >&2; exit 1`));
      p.task(shell('plain', 'echo first >&2; echo "the last words" >&2; exit 2'));
    });
    const { result } = await runPipeline(sb, pipeline);
    expect(result.state, summary(result)).toBe('PIPELINE_STATE_FAILED');
    expect(task(result, 'structured').error?.message).toMatch(
      /^The replica workerpool0-0 exited with a non-zero status of 1\. Termination reason: Error\. check failed: 3 rows \(minimum 100\) To find out more/,
    );
    expect(task(result, 'plain').error?.message).toMatch(/status of 2\. Termination reason: Error\. first\nthe last words To find out more/);
    expect(result.error?.message).toMatch(/^The DAG failed because some tasks failed\. The failed tasks are: \[(structured, plain|plain, structured)\]\.; /);
    expect(result.error?.message).toContain('; structured: The replica workerpool0-0 exited with a non-zero status of 1. Termination reason: Error. check failed: 3 rows (minimum 100)');
    expect(result.error?.message).toContain('; plain: The replica workerpool0-0 exited with a non-zero status of 2.');
    expect(result.error?.message).toMatch(/; Job \(project_id = .*\) is failed due to the above error\.$/);
  });
});

describe('ignore upstream failure', () => {
  const failOp = containerComponent({
    name: 'fail-op',
    outputs: { Output: param.string() },
    image: 'alpine',
    command: () => ['sh', '-c', 'exit 1'],
  });
  const printOp = containerComponent({
    name: 'print-op',
    inputs: { message: param.string({ default: 'default' }) },
    outputs: { got: param.string() },
    image: 'alpine',
    command: () => ['sh', '-c', 'printf %s "$0" > "$1"'],
    args: ({ inputs, outputs }) => [inputs.message, outputs.got],
  });
  const pipeline = definePipeline({ name: 'ignore-upstream' }, (p) => {
    const failed = p.task(failOp);
    p.task(printOp, { message: failed.output }).ignoreUpstreamFailure();
    p.task(printOp, { message: failed.output });
  });

  it('runs an ignore_upstream_failure task with its input default; an ordinary downstream task never starts', async () => {
    const { result } = await runPipeline(sb, pipeline);
    expect(result.state).toBe('PIPELINE_STATE_FAILED');
    expect(task(result, 'print-op')).toMatchObject({ state: 'SUCCEEDED', execution: { metadata: { 'input:message': 'default', 'output:got': 'default' } } });
    expect(result.jobDetail.taskDetails.some((t) => t.taskName === 'print-op-2')).toBe(false);
  });
});

describe('retries', () => {
  const counting = 'c=$(cat "$0" 2>/dev/null || echo 0); c=$((c + 1)); echo $c > "$0"; [ "$c" -ge "$1" ]';
  const pipeline = definePipeline({ name: 'with-retries', inputs: { dir: param.string() } }, (p, { dir }) => {
    p.task(shell('flaky', counting), { a: `${String(dir)}/flaky`, b: '2' }).setRetry({ maxRetryCount: 3, backoffDuration: 0.05 });
    p.task(shell('hopeless', counting), { a: `${String(dir)}/hopeless`, b: '99' }).setRetry({ maxRetryCount: 1 });
  });

  it('succeeds on a later attempt, and fails once the retries are used up', async () => {
    const dir = scratch();
    const { result } = await runPipeline(sb, pipeline, { parameterValues: { dir } });
    expect(result.state).toBe('PIPELINE_STATE_FAILED');
    expect(readFileSync(join(dir, 'flaky'), 'utf8').trim()).toBe('2');
    const flaky = task(result, 'flaky');
    expect(flaky.state).toBe('SUCCEEDED');
    expect(flaky.pipelineTaskStatus.map((s) => [s.state, s.error?.code])).toEqual([
      ['PENDING', undefined],
      ['RUNNING', undefined],
      ['RUNNING', 9],
      ['SUCCEEDED', undefined],
    ]);
    expect(readFileSync(join(dir, 'hopeless'), 'utf8').trim()).toBe('2');
    expect(task(result, 'hopeless').state).toBe('FAILED');
  });
});

describe('execution cache', () => {
  const produce = containerComponent({
    name: 'produce',
    inputs: { dir: param.string() },
    outputs: { value: param.string(), data: artifact.dataset() },
    image: 'alpine',
    command: () => ['sh', '-c', 'echo ran >> "$0/runs"; printf v-%s "$(wc -l < "$0/runs" | tr -d " ")" > "$1"; echo payload > "$2"'],
    args: ({ inputs, outputs }) => [inputs.dir, outputs.value, outputs.data.path],
  });
  const consume = containerComponent({
    name: 'consume',
    inputs: { dir: param.string(), value: param.string(), data: artifact.dataset() },
    image: 'alpine',
    command: () => ['sh', '-c', 'echo "$1 $(cat "$2")" >> "$0/seen"'],
    args: ({ inputs }) => [inputs.dir, inputs.value, inputs.data.path],
  });
  const pipeline = definePipeline({ name: 'cached', inputs: { dir: param.string() } }, (p, { dir }) => {
    const made = p.task(produce, { dir });
    p.task(consume, { dir, value: made.outputs.value, data: made.outputs.data }).setCachingOptions(false);
  });

  it('does not run a task again for the same inputs, and hands on the first run outputs', async () => {
    const dir = scratch();
    const first = await runPipeline(sb, pipeline, { parameterValues: { dir } });
    const second = await runPipeline(sb, pipeline, { parameterValues: { dir } });
    expect(first.result.state, summary(first.result)).toBe('PIPELINE_STATE_SUCCEEDED');
    expect(second.result.state, summary(second.result)).toBe('PIPELINE_STATE_SUCCEEDED');
    expect(readFileSync(join(dir, 'runs'), 'utf8')).toBe('ran\n');
    expect(readFileSync(join(dir, 'seen'), 'utf8')).toBe('v-1 payload\nv-1 payload\n');

    const hit = task(second.result, 'produce');
    expect(hit.state).toBe('SKIPPED');
    expect(hit.execution).toMatchObject({ state: 'CACHED', metadata: { 'input:dir': dir, 'output:value': 'v-1' } });
    expect(hit.pipelineTaskStatus.map((s) => s.state)).toEqual(['PENDING', 'SKIPPED']);
    expect(hit.outputs?.data?.artifacts[0]?.uri).toBe(task(first.result, 'produce').outputs?.data?.artifacts[0]?.uri);
    expect(task(second.result, 'consume').state).toBe('SUCCEEDED');
  });
});

describe('failure policy', () => {
  const pipeline = definePipeline({ name: 'fail-policy', inputs: { dir: param.string() } }, (p, { dir }) => {
    p.task(shell('fail-now', 'exit 1'));
    const slow = p.task(shell('slow', 'sleep 0.8; touch "$0/slow"'), { a: dir });
    p.task(shell('later', 'touch "$0/later"'), { a: dir }).after(slow);
  });

  it('FAIL_FAST lets running tasks finish but schedules nothing new', async () => {
    const dir = scratch();
    const { result } = await runPipeline(sb, pipeline, { parameterValues: { dir }, failurePolicy: 'PIPELINE_FAILURE_POLICY_FAIL_FAST' });
    expect(result.state).toBe('PIPELINE_STATE_FAILED');
    expect(task(result, 'slow').state).toBe('SUCCEEDED');
    expect(existsSync(join(dir, 'slow'))).toBe(true);
    expect(existsSync(join(dir, 'later'))).toBe(false);
    expect(result.jobDetail.taskDetails.some((t) => t.taskName === 'later')).toBe(false);
  });

  it('FAIL_SLOW (the default) keeps running the branches that do not depend on the failure', async () => {
    const dir = scratch();
    const { result } = await runPipeline(sb, pipeline, { parameterValues: { dir } });
    expect(result.state).toBe('PIPELINE_STATE_FAILED');
    expect(task(result, 'later').state).toBe('SUCCEEDED');
    expect(existsSync(join(dir, 'later'))).toBe(true);
  });
});

describe('cancellation and images', () => {
  it('kills the running process group when the job is cancelled', async () => {
    const dir = scratch();
    const pipeline = definePipeline({ name: 'cancel-me', inputs: { dir: param.string() } }, (p, { dir }) => {
      const long = p.task(shell('long', 'sleep 30 & echo $! > "$0/pid"; wait'), { a: dir });
      p.task(shell('never', 'touch "$0/never"'), { a: dir }).after(long);
    });
    const controller = new AbortController();
    const pidFile = join(dir, 'pid');
    const watcher = setInterval(() => {
      if (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim()) controller.abort();
    }, 20);
    const started = Date.now();
    const { result } = await runPipeline(sb, pipeline, { parameterValues: { dir }, signal: controller.signal });
    clearInterval(watcher);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ state: 'PIPELINE_STATE_CANCELLED', error: { code: 1 } });
    expect(task(result, 'long')).toMatchObject({ state: 'CANCELLED', execution: { state: 'CANCELLED' } });
    expect(task(result, 'cancel-me').state).toBe('CANCELLED');
    expect(existsSync(join(dir, 'never'))).toBe(false);
    // Signals are delivered asynchronously: give the killed process a moment to go.
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    await expect.poll(() => isAlive(pid), { timeout: 3000, interval: 20 }).toBe(false);
  });

  it('fails a task whose image has no mapping, naming the image and the map file', async () => {
    const pipeline = definePipeline({ name: 'unmapped' }, (p) => {
      p.task(containerComponent({ name: 'mystery', image: 'gcr.io/nowhere/mystery:1.0', command: () => ['run'] }));
    });
    const { result } = await runPipeline(sb, pipeline);
    expect(result.state).toBe('PIPELINE_STATE_FAILED');
    const failed = task(result, 'mystery');
    expect(failed.state).toBe('FAILED');
    expect(failed.error?.message).toContain("'gcr.io/nowhere/mystery:1.0'");
    expect(failed.error?.message).toContain(DEFAULT_IMAGE_MAP_FILE);
    // Not worth retrying: one attempt only.
    expect(failed.pipelineTaskStatus.filter((s) => s.error)).toHaveLength(1);
  });
});

/** Alive and not a zombie waiting for a parent that never reaps it. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
