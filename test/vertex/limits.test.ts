// The builders refuse what Vertex refuses, with the same rules the local Vertex applies:
// machine types (with a did-you-mean), boot disks, timeouts and display names.
import { describe, expect, it } from 'vitest';
import { buildCreateCustomJobRequest } from '../../vertex/requests/custom-job.js';
import type { CustomJobInput } from '../../vertex/requests/custom-job.js';
import { buildDeployModelRequest } from '../../vertex/requests/deploy-model.js';
import { buildMachineSpec } from '../../vertex/shared/machine-spec.js';
import { machineTypes } from '../../vertex/shared/machine-types.js';
import { validateRequest } from '../../vertex/validation/proto-validator.js';
import { cpuReplica } from './fixtures.js';
import { expectFieldError, LOCATION } from './support.js';

function job(extra: Partial<CustomJobInput['spec']> = {}, chief = cpuReplica()): CustomJobInput {
  return { ...LOCATION, displayName: 'limits', spec: { pools: { chief }, ...extra } };
}

describe('machine types', () => {
  it('refuses a misspelt machine type and suggests the closest one', () => {
    expectFieldError(() => buildMachineSpec({ machineType: 'n1-standrd-4' }, 'machine', 'training'), 'machine.machineType', /did you mean `n1-standard-4`\?/);
    expectFieldError(() => buildCreateCustomJobRequest(job({}, { ...cpuReplica(), machine: { machineType: 'e2-standard-3' } })), 'spec.pools.chief.machine.machineType', /not a machine type Vertex AI training offers/);
  });

  it('knows training-only types from prediction types', () => {
    expect(machineTypes('training').has('m1-ultramem-40')).toBe(true);
    expect(machineTypes('prediction').has('m1-ultramem-40')).toBe(false);
    expectFieldError(() => buildMachineSpec({ machineType: 'm1-ultramem-40' }, 'machine', 'prediction'), 'machine.machineType', /offered for training, not for prediction/);
    expect(buildMachineSpec({ machineType: 'n1-standard-2' }, 'machine', 'prediction')).toEqual({ machineType: 'n1-standard-2' });
  });

  it('the deploy builder checks prediction machine types', () => {
    expectFieldError(
      () => buildDeployModelRequest({ endpoint: 'projects/my-project/locations/us-central1/endpoints/123', model: 'projects/my-project/locations/us-central1/models/456', resources: { dedicated: { machine: { machineType: 'n1-standard-3' }, minReplicaCount: 1 } } }),
      'resources.dedicated.machine.machineType',
      /did you mean `n1-standard-\d`/,
    );
  });

  it('the validator reports the same machine-type rule on raw requests', () => {
    const issues = validateRequest('CreateCustomJobRequest', {
      parent: 'projects/p/locations/us-central1',
      customJob: { displayName: 'x', jobSpec: { workerPoolSpecs: [{ machineSpec: { machineType: 'n1-standrd-4' }, replicaCount: 1, containerSpec: { imageUri: 'gcr.io/p/i' } }] } },
    }).filter((i) => i.severity === 'error');
    expect(issues.map((i) => [i.path, i.code])).toEqual([['customJob.jobSpec.workerPoolSpecs[0].machineSpec.machineType', 'limit']]);
  });
});

describe('documented limits', () => {
  it('refuses boot disks outside 100 GB-64 TB, negative ones included', () => {
    for (const size of [-5, 99, 64_001]) {
      expectFieldError(() => buildCreateCustomJobRequest(job({}, { ...cpuReplica(), disk: { bootDiskSizeGb: size } })), 'spec.pools.chief.disk.bootDiskSizeGb', /100-64000 GB/);
    }
  });

  it('refuses job timeouts under one second', () => {
    expectFieldError(() => buildCreateCustomJobRequest(job({ scheduling: { timeout: { seconds: 0, nanos: 500 } } })), 'spec.scheduling.timeout', /at least 1s/);
    expectFieldError(() => buildCreateCustomJobRequest(job({ scheduling: { timeout: -3 } })), 'spec.scheduling.timeout');
  });

  it('refuses display names over 128 code points', () => {
    expectFieldError(() => buildCreateCustomJobRequest({ ...job(), displayName: 'é'.repeat(129) }), 'displayName', /at most 128 characters/);
    expect(buildCreateCustomJobRequest({ ...job(), displayName: '🙂'.repeat(128) }).customJob?.displayName).toHaveLength(256);
  });
});
