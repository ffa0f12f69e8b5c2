// The cores a local container gets (its CPU limit or machine type, within this machine's) and the
// one warning a job logs when its prebuilt image names a framework version the host doesn't have.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CoreAllocator, cpuQuantityCores, findTaskset, hostCores, parseCpuList } from '../../../emulators/vertex/containers/cpu-allotment.js';
import { machineTypeCpus } from '../../../vertex/shared/machine-types.js';
import { frameworkVersionWarning, hostPythonVersion, imageFramework } from '../../../emulators/vertex/containers/framework-version.js';
import { LocalContainerLauncher } from '../../../emulators/vertex/containers/launcher.js';
import { executeCustomJob } from '../../../emulators/vertex/custom-jobs/execute-custom-job.js';
import { workerPoolsOf } from '../../../emulators/vertex/custom-jobs/worker-pools.js';
import { containerComponent, definePipeline, param } from '../../../pipelines/dsl/index.js';
import { runPipeline, sandbox, summary } from './support.js';

const sb = sandbox();
afterAll(() => sb.cleanup());
afterEach(() => vi.restoreAllMocks());

const pinning = findTaskset() !== undefined;
const HOST_CORES = hostCores();
/** What a child sees: its allowed cores and its thread-pool size. */
const SHOW_CORES = 'grep Cpus_allowed_list /proc/self/status; echo "omp=$OMP_NUM_THREADS"';

function seen(log: string): { cores: number[]; omp: string } {
  // Whole lines only: a pipeline task's log starts with the command line, which contains the script.
  const cores = /^Cpus_allowed_list:\s*(\S+)$/m.exec(log)?.[1];
  return { cores: parseCpuList(cores ?? ''), omp: /^omp=(\d*)$/m.exec(log)?.[1] ?? '' };
}

describe('cores from a CPU limit or a machine type', () => {
  it('reads vCPUs from machine type names and CPU quantities', () => {
    expect(machineTypeCpus('n1-standard-8')).toBe(8);
    expect(machineTypeCpus('e2-highmem-16')).toBe(16);
    expect(machineTypeCpus('n2d-highcpu-224')).toBe(224);
    expect(machineTypeCpus('e2-medium')).toBe(2);
    expect(machineTypeCpus('a2-highgpu-2g')).toBe(24);
    expect(machineTypeCpus('cloud-tpu')).toBeUndefined();
    expect(cpuQuantityCores('4')).toBe(4);
    expect(cpuQuantityCores('500m')).toBe(1);
    expect(cpuQuantityCores('2.5')).toBe(3);
    expect(cpuQuantityCores('lots')).toBeUndefined();
    expect(parseCpuList('0-2,5,7-8')).toEqual([0, 1, 2, 5, 7, 8]);
  });

  it('hands the least busy cores out first, never more than the machine has', () => {
    const cores = new CoreAllocator([0, 1, 2, 3]);
    const a = cores.allot(1);
    const b = cores.allot(1);
    const c = cores.allot(2);
    expect(new Set([...a.cores, ...b.cores, ...c.cores]).size).toBe(4); // side-by-side tasks spread out
    expect(cores.allot(64).cores).toEqual([0, 1, 2, 3]);
    a.release();
    expect(cores.allot(1).cores).toEqual(a.cores);
  });
});

describe.skipIf(!pinning)('LocalContainerLauncher pins a container to its cores', () => {
  const launch = (cpus: number | undefined, name: string) =>
    sb.launcher.launch({
      image: 'alpine',
      command: ['sh', '-c', `${SHOW_CORES}; sleep 0.3`],
      args: [],
      env: {},
      workDir: join(sb.dir, 'work', name),
      logFile: join(sb.dir, 'logs', `${name}.log`),
      ...(cpus !== undefined ? { cpus } : {}),
    });

  it('a CPU limit of 1 gives one core, and side-by-side tasks get different ones', async () => {
    const [first, second] = await Promise.all([launch(1, 'one-a'), launch(1, 'one-b')]);
    expect(first.exitCode).toBe(0);
    expect(second.exitCode).toBe(0);
    const a = seen(readFileSync(join(sb.dir, 'logs', 'one-a.log'), 'utf8'));
    const b = seen(readFileSync(join(sb.dir, 'logs', 'one-b.log'), 'utf8'));
    expect(a).toEqual({ cores: [expect.any(Number)], omp: '1' });
    expect(b.cores).toHaveLength(1);
    if (HOST_CORES.length > 1) expect(a.cores[0]).not.toBe(b.cores[0]);
  });

  it('a larger limit gets that many cores, within the machine', async () => {
    await launch(64, 'many');
    const many = seen(readFileSync(join(sb.dir, 'logs', 'many.log'), 'utf8'));
    expect(many).toEqual({ cores: HOST_CORES, omp: String(HOST_CORES.length) });
  });

  it("a pipeline task's setCpuLimit('1') reaches its process", async () => {
    const show = containerComponent({
      name: 'show-cores',
      inputs: { label: param.string() },
      outputs: {},
      image: 'alpine',
      command: () => ['sh', '-c', SHOW_CORES],
      args: ({ inputs }) => [inputs.label],
    });
    const pipeline = definePipeline({ name: 'cpu-limit', inputs: {} }, (p) => {
      p.task(show, { label: 'x' }).setCpuLimit('1');
    });
    const run = await runPipeline(sb, pipeline, { jobId: 'cpu-limit' });
    expect(run.result.state, summary(run.result)).toBe('PIPELINE_STATE_SUCCEEDED');
    const log = readFileSync(join(sb.logDir, 'cpu-limit', 'show-cores.log'), 'utf8');
    expect(seen(log)).toEqual({ cores: [expect.any(Number)], omp: '1' });
  }, 30_000);
});

describe('framework version of a prebuilt image', () => {
  it('reads the version an image name says', () => {
    expect(imageFramework('us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-5:latest')).toEqual({ distribution: 'scikit-learn', version: '1.5' });
    expect(imageFramework('europe-docker.pkg.dev/vertex-ai/training/tf-gpu.2-15.py310:latest')).toEqual({ distribution: 'tensorflow', version: '2.15' });
    expect(imageFramework('us-docker.pkg.dev/vertex-ai/training/xgboost-cpu.1-7')).toEqual({ distribution: 'xgboost', version: '1.7' });
    expect(imageFramework('python:3.11')).toBeUndefined();
  });

  it('warns when the host version differs and not when it matches', async () => {
    const lookup = (version: string) => () => Promise.resolve(version);
    const image = 'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-5:latest';
    expect(await frameworkVersionWarning(image, lookup('1.2.1'))).toMatch(/names scikit-learn 1\.5, but this machine runs it with scikit-learn 1\.2\.1/);
    expect(await frameworkVersionWarning(image, lookup('1.5.2'))).toBeUndefined();
    expect(await frameworkVersionWarning('python:3.11', lookup('1.2.1'))).toBeUndefined();
  });

  it('a custom job with three replicas on a mismatched image logs one WARNING', async () => {
    const host = await hostPythonVersion('scikit-learn');
    if (host === undefined) return; // no scikit-learn on this machine: nothing to differ from
    const other = host.startsWith('1.5.') ? '1-4' : '1-5';
    const image = `us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.${other}:latest`;
    const pool = { machineSpec: { machineType: 'n1-standard-4' }, containerSpec: { imageUri: image, command: ['python3', '-c', 'pass'] } };
    const jobSpec = { workerPoolSpecs: [pool, { ...pool, replicaCount: '2' }] };
    const writes: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const launcher = new LocalContainerLauncher({ storageRoot: sb.storageRoot });
    const outcome = await executeCustomJob(
      {
        jobName: 'projects/p/locations/l/customJobs/1',
        jobSpec,
        pools: workerPoolsOf(jobSpec, 'custom_job.job_spec'),
        env: { jobId: '1', jobSpec, baseOutputDirectory: undefined },
        logDir: join(sb.dir, 'custom-job-logs'),
        workDir: join(sb.dir, 'custom-job-work'),
        signal: new AbortController().signal,
      },
      { launcher, storageRoot: sb.storageRoot },
    );
    expect(outcome.state).toBe('SUCCEEDED');
    const warnings = writes.map((w) => JSON.parse(w) as { severity: string; message: string; job?: string }).filter((r) => r.severity === 'WARNING');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain(`names scikit-learn ${other.replace('-', '.')}, but this machine runs it with scikit-learn ${host}`);
    expect(warnings[0]?.job).toBe('projects/p/locations/l/customJobs/1');
  }, 30_000);
});
