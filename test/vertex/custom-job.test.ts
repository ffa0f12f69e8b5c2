import { describe, expect, it } from 'vitest';
import type { CustomJobInput, CustomJobSpecInput, WorkerPoolsInput } from '../../vertex/requests/custom-job.js';
import { buildCreateCustomJobRequest, buildWorkerPoolSpecs, REDUCTION_SERVER_IMAGE } from '../../vertex/requests/custom-job.js';
import { multiWorkerMirroredJob, parameterServerJob, reductionServerJob } from '../../vertex/requests/custom-job-presets.js';
import type { MachineSpecInput } from '../../vertex/shared/machine-spec.js';
import { buildMachineSpec } from '../../vertex/shared/machine-spec.js';
import { cpuReplica, t4Replica, TRAINER_IMAGE } from './fixtures.js';
import { expectFieldError, expectValidRequest, LOCATION } from './support.js';

function job(spec: Partial<CustomJobSpecInput> & Pick<CustomJobSpecInput, 'pools'>, extra: Partial<CustomJobInput> = {}): CustomJobInput {
  return { ...LOCATION, displayName: 'churn-train', spec, ...extra };
}

function build(spec: Partial<CustomJobSpecInput> & Pick<CustomJobSpecInput, 'pools'>): ReturnType<typeof buildCreateCustomJobRequest> {
  const request = buildCreateCustomJobRequest(job(spec));
  expectValidRequest('CreateCustomJobRequest', request);
  return request;
}

describe('buildCreateCustomJobRequest', () => {
  it('builds a single-replica container job with all job-level options', () => {
    const request = buildCreateCustomJobRequest(job({
      pools: { chief: { ...cpuReplica(), disk: { bootDiskType: 'pd-ssd', bootDiskSizeGb: 200 } } },
      scheduling: { timeout: '7200s', restartJobOnWorkerRestart: true, strategy: 'SPOT', disableRetries: false },
      baseOutputDirectory: 'gs://mlops-demo-models/churn/run-1',
      serviceAccount: 'trainer@mlops-demo.iam.gserviceaccount.com',
      network: 'projects/123456789/global/networks/vertex-vpc',
    }, { labels: { team: 'churn' } }));
    expectValidRequest('CreateCustomJobRequest', request);
    const spec = request.customJob?.jobSpec;
    expect(spec?.workerPoolSpecs).toHaveLength(1);
    expect(spec?.workerPoolSpecs?.[0]?.replicaCount).toBe(1);
    expect(spec?.scheduling?.timeout).toEqual({ seconds: 7200 });
    expect(spec?.baseOutputDirectory?.outputUriPrefix).toBe('gs://mlops-demo-models/churn/run-1');
  });

  it('builds a Python package job', () => {
    const request = build({
      pools: {
        chief: {
          machine: { machineType: 'n1-standard-4' },
          task: { pythonPackage: { executorImageUri: 'us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest', packageUris: ['gs://mlops-demo-code/trainer-0.1.tar.gz'], pythonModule: 'trainer.task', env: { MODE: 'full' } } },
        },
      },
    });
    const pool = request.customJob?.jobSpec?.workerPoolSpecs?.[0];
    expect(pool?.pythonPackageSpec?.pythonModule).toBe('trainer.task');
    expect(pool?.pythonPackageSpec?.env).toEqual([{ name: 'MODE', value: 'full' }]);
    expect(pool?.containerSpec).toBeUndefined();
  });

  it('keeps Vertex pool positions, filling unused ones with empty pools', () => {
    const pools: WorkerPoolsInput = { chief: cpuReplica(), evaluators: { ...cpuReplica(), replicaCount: 1 } };
    const specs = build({ pools }).customJob?.jobSpec?.workerPoolSpecs ?? [];
    expect(specs).toHaveLength(4);
    expect(specs[1]).toEqual({});
    expect(specs[2]).toEqual({});
    expect(specs[3]?.replicaCount).toBe(1);
  });

  it('multiWorkerMirroredJob: chief plus N identical workers', () => {
    const specs = build({ pools: multiWorkerMirroredJob({ replica: t4Replica(2), workerCount: 3 }) }).customJob?.jobSpec?.workerPoolSpecs ?? [];
    expect(specs).toHaveLength(2);
    expect(specs[0]?.replicaCount).toBe(1);
    expect(specs[1]?.replicaCount).toBe(3);
    expect(specs[1]?.machineSpec).toEqual(specs[0]?.machineSpec);
  });

  it('parameterServerJob: chief, workers and parameter servers in pool 2', () => {
    const specs = build({
      pools: parameterServerJob({ worker: cpuReplica(), workerCount: 4, parameterServer: { ...cpuReplica(), machine: { machineType: 'n1-highmem-8' } }, parameterServerCount: 2 }),
    }).customJob?.jobSpec?.workerPoolSpecs ?? [];
    expect(specs.map((s) => s.replicaCount)).toEqual([1, 4, 2]);
    expect(specs[2]?.machineSpec?.machineType).toBe('n1-highmem-8');
  });

  it('reductionServerJob: GPU workers plus reduction servers on CPU machines', () => {
    const specs = build({ pools: reductionServerJob({ replica: t4Replica(4), workerCount: 2, reductionServerCount: 4 }) }).customJob?.jobSpec?.workerPoolSpecs ?? [];
    expect(specs).toHaveLength(3);
    expect(specs[2]?.containerSpec?.imageUri).toBe(REDUCTION_SERVER_IMAGE);
    expect(specs[2]?.machineSpec?.acceleratorType).toBeUndefined();
    expect(specs[2]?.replicaCount).toBe(4);
  });

  it('rejects invalid pool layouts', () => {
    expectFieldError(() => reductionServerJob({ replica: cpuReplica(), workerCount: 2, reductionServerCount: 1 }), 'replica.machine.acceleratorType');
    expectFieldError(() => buildWorkerPoolSpecs({ chief: t4Replica(), reductionServer: { replicaCount: 1 } }), 'pools.workers');
    expectFieldError(() => buildWorkerPoolSpecs({ chief: cpuReplica(), workers: { ...cpuReplica(), replicaCount: 2 }, reductionServer: { replicaCount: 1 } }),
      'pools.chief.machine.acceleratorType', /GPU/);
    expectFieldError(() => buildWorkerPoolSpecs({ chief: t4Replica(), workers: { ...t4Replica(), replicaCount: 1 }, reductionServer: { replicaCount: 1, machineType: 'a2-highgpu-1g' } }),
      'pools.reductionServer.machineType.acceleratorType');
    expectFieldError(() => buildWorkerPoolSpecs({
      chief: cpuReplica(), workers: { ...cpuReplica(), replicaCount: 1 },
      parameterServers: { ...cpuReplica(), replicaCount: 1 }, reductionServer: { replicaCount: 1 },
    }), 'pools.reductionServer', /not both/);
    expectFieldError(() => buildWorkerPoolSpecs({ chief: cpuReplica(), parameterServers: { ...cpuReplica(), replicaCount: 1 } }), 'pools.workers');
    expectFieldError(() => buildWorkerPoolSpecs({ chief: cpuReplica(), workers: { ...cpuReplica(), replicaCount: 0 } }), 'pools.workers.replicaCount');
    expectFieldError(() => multiWorkerMirroredJob({ replica: cpuReplica(), workerCount: 1.5 }), 'workerCount');
  });

  it('requires exactly one task kind and valid task fields', () => {
    const both = { container: { imageUri: TRAINER_IMAGE }, pythonPackage: { executorImageUri: TRAINER_IMAGE, packageUris: ['gs://mlops-demo-code/p.tgz'], pythonModule: 'm' } };
    expectFieldError(() => buildWorkerPoolSpecs({ chief: { machine: { machineType: 'n1-standard-4' }, task: both as never } }), 'pools.chief.task');
    expectFieldError(() => buildWorkerPoolSpecs({ chief: { machine: { machineType: 'n1-standard-4' }, task: { pythonPackage: { executorImageUri: TRAINER_IMAGE, packageUris: ['s3://mlops-demo-code/p'], pythonModule: 'trainer.task' } } } }),
      'pools.chief.task.pythonPackage.packageUris[0]');
    expectFieldError(() => buildWorkerPoolSpecs({ chief: { machine: { machineType: 'n1-standard-4' }, task: { container: { imageUri: TRAINER_IMAGE, env: { 'BAD-NAME': '1' } } } } }),
      'pools.chief.task.container.env.BAD-NAME');
  });

  it('checks scheduling and disk options', () => {
    const pools = { chief: cpuReplica() };
    expectFieldError(() => buildCreateCustomJobRequest(job({ pools, scheduling: { strategy: 'SPOT', maxWaitDuration: 600 } })), 'spec.scheduling.maxWaitDuration', /FLEX_START/);
    expect(build({ pools, scheduling: { strategy: 'FLEX_START', maxWaitDuration: '1800s' } }).customJob?.jobSpec?.scheduling?.maxWaitDuration).toEqual({ seconds: 1800 });
    expectFieldError(() => buildCreateCustomJobRequest(job({ pools, scheduling: { timeout: '1h' } })), 'spec.scheduling.timeout');
    expectFieldError(() => buildCreateCustomJobRequest(job({ pools, scheduling: { timeout: 0 } })), 'spec.scheduling.timeout');
    expectFieldError(() => buildCreateCustomJobRequest(job({ pools: { chief: { ...cpuReplica(), disk: { bootDiskSizeGb: 50 } } } })), 'spec.pools.chief.disk.bootDiskSizeGb');
    expectFieldError(() => buildCreateCustomJobRequest(job({ pools: { chief: { ...cpuReplica(), disk: { bootDiskType: 'pd-balanced' as never } } } })), 'spec.pools.chief.disk.bootDiskType');
    expectFieldError(() => buildCreateCustomJobRequest(job({ pools, baseOutputDirectory: 'gs:/b' })), 'spec.baseOutputDirectory');
    expectFieldError(() => buildCreateCustomJobRequest({ ...job({ pools }), displayName: ' ' }), 'displayName');
  });
});

describe('buildMachineSpec: GPUs', () => {
  const ok: readonly MachineSpecInput[] = [
    { machineType: 'n1-standard-8', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 4 },
    { machineType: 'n1-highmem-16', acceleratorType: 'NVIDIA_TESLA_V100', acceleratorCount: 8 },
    { machineType: 'g2-standard-24', acceleratorType: 'NVIDIA_L4', acceleratorCount: 2 },
    { machineType: 'a2-highgpu-4g', acceleratorType: 'NVIDIA_TESLA_A100', acceleratorCount: 4 },
    { machineType: 'a2-megagpu-16g', acceleratorType: 'NVIDIA_TESLA_A100', acceleratorCount: 16 },
    { machineType: 'a2-ultragpu-8g', acceleratorType: 'NVIDIA_A100_80GB', acceleratorCount: 8 },
    { machineType: 'a3-highgpu-8g', acceleratorType: 'NVIDIA_H100_80GB', acceleratorCount: 8 },
    { machineType: 'a3-megagpu-8g', acceleratorType: 'NVIDIA_H100_MEGA_80GB', acceleratorCount: 8 },
    { machineType: 'a3-ultragpu-8g', acceleratorType: 'NVIDIA_H200_141GB', acceleratorCount: 8 },
  ];
  it.each(ok)('accepts $acceleratorType ×$acceleratorCount on $machineType', (machine) => {
    expect(buildMachineSpec(machine, 'machine')).toEqual(machine);
    expectValidRequest('CreateCustomJobRequest', buildCreateCustomJobRequest(job({ pools: { chief: { ...cpuReplica(), machine } } })));
  });

  it('rejects impossible combinations, naming the field', () => {
    expectFieldError(() => buildMachineSpec({ machineType: 'n1-standard-8', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 3 }, 'm'), 'm.acceleratorCount');
    expectFieldError(() => buildMachineSpec({ machineType: 'n1-standard-8', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 8 }, 'm'), 'm.acceleratorCount');
    expectFieldError(() => buildMachineSpec({ machineType: 'n1-standard-8', acceleratorType: 'NVIDIA_L4', acceleratorCount: 1 }, 'm'), 'm.machineType');
    expectFieldError(() => buildMachineSpec({ machineType: 'a2-highgpu-2g', acceleratorType: 'NVIDIA_TESLA_A100', acceleratorCount: 1 }, 'm'), 'm.acceleratorCount');
    expectFieldError(() => buildMachineSpec({ machineType: 'a2-highgpu-1g', acceleratorType: 'NVIDIA_A100_80GB', acceleratorCount: 1 }, 'm'), 'm.machineType');
    expectFieldError(() => buildMachineSpec({ machineType: 'a3-highgpu-8g' }, 'm'), 'm.acceleratorType', /NVIDIA_H100_80GB/);
    expectFieldError(() => buildMachineSpec({ machineType: 'n1-standard-8', acceleratorType: 'NVIDIA_TESLA_T4' }, 'm'), 'm.acceleratorCount');
    expectFieldError(() => buildMachineSpec({ machineType: 'n1-standard-8', acceleratorCount: 1 }, 'm'), 'm.acceleratorType');
    expectFieldError(() => buildMachineSpec({ machineType: 'n1-standard-8', acceleratorType: 'NVIDIA_TESLA_K80', acceleratorCount: 1 }, 'm'), 'm.acceleratorType');
    expectFieldError(() => buildMachineSpec({ machineType: 'n1-standard-8', tpuTopology: '2x2' }, 'm'), 'm.tpuTopology');
    expectFieldError(() => buildMachineSpec({ machineType: 'N1 standard' }, 'm'), 'm.machineType');
  });
});

describe('buildMachineSpec: TPUs', () => {
  it('accepts legacy cloud-tpu with 8 TPU_V2/TPU_V3 cores', () => {
    const machine: MachineSpecInput = { machineType: 'cloud-tpu', acceleratorType: 'TPU_V3', acceleratorCount: 8 };
    expectValidRequest('CreateCustomJobRequest', buildCreateCustomJobRequest(job({ pools: { chief: { ...cpuReplica(), machine } } })));
    expectFieldError(() => buildMachineSpec({ ...machine, acceleratorCount: 4 }, 'm'), 'm.acceleratorCount');
    expectFieldError(() => buildMachineSpec({ machineType: 'cloud-tpu', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 8 }, 'm'), 'm.acceleratorType');
    expectFieldError(() => buildMachineSpec({ machineType: 'n1-standard-8', acceleratorType: 'TPU_V2', acceleratorCount: 8 }, 'm'), 'm.acceleratorType');
  });

  it('accepts v5e, v5p and v6e slices with a matching topology', () => {
    const slices: readonly MachineSpecInput[] = [
      { machineType: 'ct5lp-hightpu-1t', tpuTopology: '1x1' },
      { machineType: 'ct5lp-hightpu-4t', tpuTopology: '4x4', acceleratorType: 'TPU_V5_LITEPOD' },
      { machineType: 'ct5lp-hightpu-8t', tpuTopology: '2x4' },
      { machineType: 'ct5p-hightpu-4t', tpuTopology: '2x2x2' },
      { machineType: 'ct6e-standard-4t', tpuTopology: '2x2' },
    ];
    for (const machine of slices) {
      expect(buildMachineSpec(machine, 'm')).toEqual(machine);
      expectValidRequest('CreateCustomJobRequest', buildCreateCustomJobRequest(job({ pools: { chief: { ...cpuReplica(), machine } } })));
    }
  });

  it('rejects TPU slices without or with a wrong topology', () => {
    expectFieldError(() => buildMachineSpec({ machineType: 'ct5lp-hightpu-4t' }, 'm'), 'm.tpuTopology', /required/);
    expectFieldError(() => buildMachineSpec({ machineType: 'ct5lp-hightpu-8t', tpuTopology: '4x4' }, 'm'), 'm.tpuTopology');
    expectFieldError(() => buildMachineSpec({ machineType: 'ct5p-hightpu-4t', tpuTopology: '2x2' }, 'm'), 'm.tpuTopology', /3D/);
    expectFieldError(() => buildMachineSpec({ machineType: 'ct5p-hightpu-4t', tpuTopology: '1x1x3' }, 'm'), 'm.tpuTopology');
    expectFieldError(() => buildMachineSpec({ machineType: 'ct6e-standard-4t', tpuTopology: '2x2', acceleratorType: 'TPU_V5_LITEPOD' }, 'm'), 'm.acceleratorType');
    expectFieldError(() => buildMachineSpec({ machineType: 'ct5lp-hightpu-4t', tpuTopology: '2x2', acceleratorCount: 4 }, 'm'), 'm.acceleratorCount');
    expectFieldError(() => buildMachineSpec({ machineType: 'ct9-hightpu-4t', tpuTopology: '2x2' }, 'm'), 'm.machineType');
  });
});
