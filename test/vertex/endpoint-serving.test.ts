import { describe, expect, it } from 'vitest';
import type { DeployModelInput } from '../../vertex/requests/deploy-model.js';
import { AUTOSCALING_METRICS, buildDeployModelRequest } from '../../vertex/requests/deploy-model.js';
import type { EndpointInput } from '../../vertex/requests/endpoint.js';
import { buildCreateEndpointRequest } from '../../vertex/requests/endpoint.js';
import { canarySplit, planTrafficUpdate, validateTrafficSplit } from '../../vertex/requests/traffic-split.js';
import { buildUndeployModelRequest } from '../../vertex/requests/undeploy-model.js';
import type { IEndpoint } from '../../vertex/shared/proto-types.js';
import { expectFieldError, expectValidRequest, LOCATION, PARENT } from './support.js';

const ENDPOINT = `${PARENT}/endpoints/1234567890`;
const MODEL = `${PARENT}/models/churn`;

/** An endpoint as getEndpoint returns it: stable model 111 at 90%, canary 222 at 10%. */
function liveEndpoint(overrides: Partial<IEndpoint> = {}): IEndpoint {
  return {
    name: ENDPOINT,
    displayName: 'churn',
    etag: 'AMEw9yN3ZXRhZw==',
    deployedModels: [{ id: '111', model: `${MODEL}@1` }, { id: '222', model: `${MODEL}@2` }],
    trafficSplit: { '111': 90, '222': 10 },
    ...overrides,
  };
}

describe('buildCreateEndpointRequest', () => {
  const input: EndpointInput = {
    ...LOCATION,
    displayName: 'churn-endpoint',
    endpointId: 'churn-prod',
    labels: { team: 'churn' },
    requestResponseLogging: { samplingRate: 0.25, bigqueryDestination: 'bq://mlops-demo.serving_logs.churn' },
    dedicatedEndpoint: true,
    inferenceTimeout: 30,
  };

  it('builds an endpoint with request-response logging to BigQuery', () => {
    const request = buildCreateEndpointRequest(input);
    expectValidRequest('CreateEndpointRequest', request);
    expect(request.endpoint?.predictRequestResponseLoggingConfig).toEqual({
      enabled: true,
      samplingRate: 0.25,
      bigqueryDestination: { outputUri: 'bq://mlops-demo.serving_logs.churn' },
    });
    expect(request.endpoint?.dedicatedEndpointEnabled).toBe(true);
  });

  it('rejects invalid settings, naming the field', () => {
    expectFieldError(() => buildCreateEndpointRequest({ ...input, requestResponseLogging: { samplingRate: 0, bigqueryDestination: 'bq://mlops-demo' } }),
      'requestResponseLogging.samplingRate');
    expectFieldError(() => buildCreateEndpointRequest({ ...input, requestResponseLogging: { samplingRate: 1.5, bigqueryDestination: 'bq://mlops-demo' } }),
      'requestResponseLogging.samplingRate');
    expectFieldError(() => buildCreateEndpointRequest({ ...input, requestResponseLogging: { samplingRate: 0.1, bigqueryDestination: 'mlops-demo.logs.t' } }),
      'requestResponseLogging.bigqueryDestination', /bq:\/\//);
    expectFieldError(() => buildCreateEndpointRequest({ ...input, endpointId: '0123' }), 'endpointId');
    expectFieldError(() => buildCreateEndpointRequest({ ...input, endpointId: 'Churn' }), 'endpointId');
    expectFieldError(() => buildCreateEndpointRequest({ ...input, network: 'projects/123/global/networks/vpc' }), 'dedicatedEndpoint');
    expectFieldError(() => buildCreateEndpointRequest({ ...input, displayName: 'x'.repeat(129) }), 'displayName');
  });
});

describe('buildDeployModelRequest', () => {
  const base: DeployModelInput = {
    endpoint: ENDPOINT,
    model: `${MODEL}@3`,
    displayName: 'churn-v3',
    resources: {
      dedicated: {
        machine: { machineType: 'n1-standard-4', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 1 },
        minReplicaCount: 1,
        maxReplicaCount: 4,
        autoscaling: [
          { metricName: AUTOSCALING_METRICS.cpuUtilization, target: 70 },
          { metricName: AUTOSCALING_METRICS.acceleratorDutyCycle, target: 60 },
        ],
        spot: false,
      },
    },
    enableAccessLogging: true,
  };

  it('deploys with dedicated resources and autoscaling, leaving traffic alone by default', () => {
    const request = buildDeployModelRequest(base);
    expectValidRequest('DeployModelRequest', request);
    expect(request.trafficSplit).toBeUndefined();
    expect(request.deployedModel?.dedicatedResources?.autoscalingMetricSpecs).toHaveLength(2);
  });

  it('replaces the split when one is given, with "0" standing for the new model', () => {
    const request = buildDeployModelRequest({ ...base, deployedModelId: '333', currentEndpoint: liveEndpoint(), trafficSplit: { '0': 10, '111': 90 } });
    expectValidRequest('DeployModelRequest', request);
    expect(request.trafficSplit).toEqual({ '0': 10, '111': 90 });
    expect(request.deployedModel?.id).toBe('333');
  });

  it('supports automatic resources', () => {
    const request = buildDeployModelRequest({ ...base, resources: { automatic: { minReplicaCount: 1, maxReplicaCount: 2 } } });
    expectValidRequest('DeployModelRequest', request);
    expect(request.deployedModel?.automaticResources).toEqual({ minReplicaCount: 1, maxReplicaCount: 2 });
  });

  it('rejects invalid deployments, naming the field', () => {
    const dedicated = (patch: object): DeployModelInput => ({ ...base, resources: { dedicated: { ...base.resources.dedicated!, ...patch } } });
    expectFieldError(() => buildDeployModelRequest(dedicated({ minReplicaCount: 0 })), 'resources.dedicated.minReplicaCount');
    expectFieldError(() => buildDeployModelRequest(dedicated({ minReplicaCount: 3, maxReplicaCount: 2 })), 'resources.dedicated.maxReplicaCount');
    expectFieldError(() => buildDeployModelRequest(dedicated({ autoscaling: [{ metricName: 'cpu', target: 60 }] })), 'resources.dedicated.autoscaling[0].metricName');
    expectFieldError(() => buildDeployModelRequest(dedicated({ autoscaling: [{ metricName: AUTOSCALING_METRICS.cpuUtilization, target: 120 }] })),
      'resources.dedicated.autoscaling[0].target');
    expectFieldError(() => buildDeployModelRequest(dedicated({ machine: { machineType: 'n1-standard-4' }, autoscaling: [{ metricName: AUTOSCALING_METRICS.acceleratorDutyCycle, target: 60 }] })),
      'resources.dedicated.autoscaling[0].metricName', /GPU/);
    expectFieldError(() => buildDeployModelRequest({ ...base, model: 'projects/mlops-demo/locations/europe-west4/models/churn' }), 'model');
    expectFieldError(() => buildDeployModelRequest({ ...base, deployedModelId: 'abc' }), 'deployedModelId');
    expectFieldError(() => buildDeployModelRequest({ ...base, deployedModelId: '0' }), 'deployedModelId');
    expectFieldError(() => buildDeployModelRequest({ ...base, deployedModelId: '111', currentEndpoint: liveEndpoint() }), 'deployedModelId', /already deployed/);
    expectFieldError(() => buildDeployModelRequest({ ...base, trafficSplit: { '0': 50, '111': 40 } }), 'trafficSplit', /100/);
    expectFieldError(() => buildDeployModelRequest({ ...base, trafficSplit: { '111': 100 } }), 'trafficSplit', /"0"/);
    expectFieldError(() => buildDeployModelRequest({ ...base, currentEndpoint: liveEndpoint(), trafficSplit: { '0': 50, '999': 50 } }), 'trafficSplit.999', /not deployed/);
    expectFieldError(() => buildDeployModelRequest({ ...base, deployedModelId: '333', trafficSplit: { '0': 50, '333': 50 } }), 'trafficSplit.333', /"0"/);
    expectFieldError(() => buildDeployModelRequest({ ...base, currentEndpoint: liveEndpoint({ network: 'projects/1/global/networks/v' }) }), 'endpoint', /one deployed model/);
    expectFieldError(() => buildDeployModelRequest({ ...base, resources: {} as never }), 'resources');
  });
});

describe('traffic updates', () => {
  it('plans an UpdateEndpoint carrying the etag and a traffic_split mask', () => {
    const current = liveEndpoint();
    const request = planTrafficUpdate(current, canarySplit('111', '222', 50));
    expectValidRequest('UpdateEndpointRequest', request);
    expect(request.updateMask).toEqual({ paths: ['traffic_split'] });
    expect(request.endpoint).toEqual({ name: current.name, etag: current.etag, trafficSplit: { '111': 50, '222': 50 } });
  });

  it('canarySplit gives the rest to the stable model', () => {
    for (const percent of [0, 5, 25, 100]) {
      const split = canarySplit('111', '222', percent);
      expect(split['222']).toBe(percent);
      expect((split['111'] ?? 0) + (split['222'] ?? 0)).toBe(100);
    }
    expectFieldError(() => canarySplit('111', '111', 10), 'canaryId');
    expectFieldError(() => canarySplit('111', '222', 12.5), 'canaryPercent');
    expectFieldError(() => canarySplit('111', '222', 101), 'canaryPercent');
  });

  it('refuses unsafe or invalid updates', () => {
    expectFieldError(() => planTrafficUpdate(liveEndpoint({ etag: undefined }), { '111': 100 }), 'currentEndpoint.etag', /getEndpoint/);
    expectFieldError(() => planTrafficUpdate(liveEndpoint(), { '111': 50, '333': 50 }), 'desiredSplit.333', /not deployed/);
    expectFieldError(() => planTrafficUpdate(liveEndpoint(), { '111': 60, '222': 30 }), 'desiredSplit', /100/);
    expectFieldError(() => planTrafficUpdate(liveEndpoint(), { '111': 99.5, '222': 0.5 }), 'desiredSplit.111');
    expectFieldError(() => planTrafficUpdate(liveEndpoint(), {}), 'desiredSplit');
    expectFieldError(() => planTrafficUpdate(liveEndpoint({ name: 'endpoints/1' }), { '111': 100 }), 'currentEndpoint.name');
    expectFieldError(() => planTrafficUpdate(liveEndpoint({ network: 'projects/1/global/networks/v' }), canarySplit('111', '222', 10)), 'desiredSplit', /private/);
    expectFieldError(() => validateTrafficSplit({ '0': 100 }, { field: 'split' }), 'split.0');
  });
});

describe('buildUndeployModelRequest', () => {
  it('undeploys a model without traffic with no split', () => {
    const request = buildUndeployModelRequest({ currentEndpoint: liveEndpoint({ trafficSplit: { '111': 100, '222': 0 } }), deployedModelId: '222' });
    expectValidRequest('UndeployModelRequest', request);
    expect(request).toEqual({ endpoint: ENDPOINT, deployedModelId: '222' });
  });

  it('moves the traffic of the undeployed model to the remaining ones', () => {
    const request = buildUndeployModelRequest({ currentEndpoint: liveEndpoint(), deployedModelId: '222', trafficSplit: { '111': 100 } });
    expectValidRequest('UndeployModelRequest', request);
    expect(request.trafficSplit).toEqual({ '111': 100 });
  });

  it('allows undeploying the last model with its traffic', () => {
    const last = liveEndpoint({ deployedModels: [{ id: '111', model: MODEL }], trafficSplit: { '111': 100 } });
    expectValidRequest('UndeployModelRequest', buildUndeployModelRequest({ currentEndpoint: last, deployedModelId: '111' }));
    expectFieldError(() => buildUndeployModelRequest({ currentEndpoint: last, deployedModelId: '111', trafficSplit: { '222': 100 } }), 'trafficSplit', /no models remain/);
  });

  it('refuses to leave traffic on an undeployed model', () => {
    expectFieldError(() => buildUndeployModelRequest({ currentEndpoint: liveEndpoint(), deployedModelId: '222' }), 'trafficSplit', /10%/);
    expectFieldError(() => buildUndeployModelRequest({ currentEndpoint: liveEndpoint(), deployedModelId: '222', trafficSplit: { '111': 90, '222': 10 } }),
      'trafficSplit.222');
    expectFieldError(() => buildUndeployModelRequest({ currentEndpoint: liveEndpoint(), deployedModelId: '222', trafficSplit: { '111': 80 } }), 'trafficSplit', /100/);
    expectFieldError(() => buildUndeployModelRequest({ currentEndpoint: liveEndpoint(), deployedModelId: '333' }), 'deployedModelId', /not deployed/);
  });
});

describe('deployed model ids', () => {
  it('accepts 19-digit ids Vertex generates in traffic splits, but only 1-10 digits when chosen', () => {
    expect(canarySplit('7556783295491440640', '1', 10)).toEqual({ '7556783295491440640': 90, '1': 10 });
    expect(() => canarySplit('75567832954914406401', '1', 10)).toThrow(/stableId: deployed model ids are 1-19 digits/);
    expect(() =>
      buildDeployModelRequest({
        endpoint: 'projects/my-project/locations/us-central1/endpoints/123',
        model: 'projects/my-project/locations/us-central1/models/456',
        deployedModelId: '75567832954',
        resources: { dedicated: { machine: { machineType: 'n1-standard-2' }, minReplicaCount: 1 } },
      }),
    ).toThrow(/deployedModelId: a chosen deployed model id is 1-10 digits/);
  });
});
