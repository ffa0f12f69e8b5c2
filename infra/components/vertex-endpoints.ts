// Each model's Vertex AI endpoint (id = the model's name, as the control plane addresses it), with
// request-response logging to the spec's BigQuery table: the canary analysis and the drift check
// read it. The endpoint is created empty; deployments and traffic are the control plane's
// (first champion, rollouts), so Pulumi never takes the traffic split back.
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { tableReferenceText } from '../../control-plane/config/bigquery-source.js';
import type { ResolvedModelSpec } from '../../control-plane/config/load-model-specs.js';
import type { StackConfig } from '../config.js';
import { childOptions } from './child-options.js';

export interface VertexEndpointsArgs {
  readonly config: Pick<StackConfig, 'project' | 'region'>;
  readonly specs: readonly Pick<ResolvedModelSpec, 'name' | 'endpoint'>[];
  /** The request-response logs' datasets: Vertex writes into a dataset that must already exist. */
  readonly dependsOn?: readonly pulumi.Input<pulumi.Resource>[];
}

/** An AiEndpoint's arguments for a model spec (`bq://project.dataset.table` for its request-response log). */
export function endpointArgs(config: Pick<StackConfig, 'project' | 'region'>, spec: Pick<ResolvedModelSpec, 'name' | 'endpoint'>): gcp.vertex.AiEndpointArgs {
  const logging = spec.endpoint.requestResponseLogging;
  return {
    // A user-chosen endpoint id (lowercase letters, digits, hyphens), as control-plane/registry/first-deployment.ts creates it.
    name: spec.name,
    project: config.project,
    location: config.region,
    region: config.region,
    displayName: spec.endpoint.displayName,
    description: `Serving endpoint of model ${spec.name}`,
    labels: { model: spec.name, managed_by: 'mlops-control-plane' },
    ...(logging
      ? { predictRequestResponseLoggingConfig: { enabled: true, samplingRate: logging.samplingRate, bigqueryDestination: { outputUri: `bq://${tableReferenceText(logging.bigqueryTable, config.project)}` } } }
      : {}),
  };
}

export class VertexEndpoints extends pulumi.ComponentResource {
  /** By model name. */
  readonly endpoints: Record<string, gcp.vertex.AiEndpoint>;

  constructor(name: string, args: VertexEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mlops:infra:VertexEndpoints', name, {}, opts);
    this.endpoints = {};
    for (const spec of args.specs) {
      this.endpoints[spec.name] = new gcp.vertex.AiEndpoint(`endpoint-${spec.name}`, endpointArgs(args.config, spec), { ...childOptions(this, opts, args.dependsOn), ignoreChanges: ['trafficSplit'] });
    }
    this.registerOutputs({});
  }
}
