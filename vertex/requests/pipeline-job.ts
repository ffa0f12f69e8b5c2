// CreatePipelineJobRequest: runs a compiled KFP pipeline (the IR JSON) on Vertex AI Pipelines.
import type { ICreatePipelineJobRequest, IPipelineJob } from '../shared/proto-types.js';
import { fail, requireDisplayName, requireNonEmpty } from '../shared/errors.js';
import { deterministicId } from '../shared/ids.js';
import { validateLabels } from '../shared/labels.js';
import type { LocationRef } from '../shared/resource-names.js';
import { locationName, requireKmsKeyName, requireNetwork, requireServiceAccount } from '../shared/resource-names.js';
import { requireGcsUri } from '../shared/storage-uris.js';
import type { JsonValue, PipelineSpec } from '../../pipelines/ir/index.js';
import { toStruct, toValueMap } from '../shared/struct.js';
import type { IrParameter } from '../shared/pipeline-parameters.js';
import { parameterTypeProblem, rootParameters } from '../shared/pipeline-parameters.js';
import { getProtoRegistry } from '../validation/proto-registry.js';
import { didYouMean } from '../../common/suggest.js';

/** google.cloud.aiplatform.v1.PipelineFailurePolicy. */
export type PipelineFailurePolicy = 'PIPELINE_FAILURE_POLICY_UNSPECIFIED' | 'PIPELINE_FAILURE_POLICY_FAIL_FAST' | 'PIPELINE_FAILURE_POLICY_FAIL_SLOW';

/** The strings a parameter accepts: as its value (a string parameter) or as its object's keys. */
export interface ParameterChoices {
  readonly appliesTo: 'value' | 'keys';
  readonly values: readonly string[];
}

export interface PipelineJobInput extends LocationRef {
  /** The compiled pipeline (KFP IR JSON): `pipelineInfo`, `root`, `components`, ... */
  readonly pipelineSpec: PipelineSpec;
  /** Identifies this run of the pipeline (e.g. a date or commit); the job id derives from it. */
  readonly runKey: string;
  /** Defaults to `pipelineSpec.pipelineInfo.name`. */
  readonly pipelineName?: string;
  /** Defaults to the pipeline name. At most 128 characters. */
  readonly displayName?: string;
  /** Pipeline root: where Vertex writes artifacts. Must be gs://. */
  readonly gcsOutputDirectory: string;
  readonly parameterValues?: Readonly<Record<string, JsonValue>>;
  /**
   * Closed sets of values some parameters accept (the project's pipelines declare them; KFP's IR
   * cannot): a value, or a key of an object value, outside its set is refused with a suggestion.
   */
  readonly parameterChoices?: Readonly<Record<string, ParameterChoices>>;
  readonly failurePolicy?: PipelineFailurePolicy;
  readonly labels?: Readonly<Record<string, string>>;
  readonly serviceAccount?: string;
  readonly network?: string;
  readonly encryptionKmsKeyName?: string;
}

// Vertex accepts ids of `[a-z0-9-]` under 128 characters; the Python SDK also insists on a
// leading letter, so ids built here satisfy both.
const PIPELINE_JOB_ID = /^[a-z][a-z0-9-]{0,126}$/;
const MAX_PIPELINE_JOB_ID = 127;

/**
 * Deterministic job id for (pipeline, run key): creating the same run twice fails with
 * ALREADY_EXISTS instead of starting a duplicate.
 */
export function pipelineJobId(pipelineName: string, runKey: string): string {
  requireNonEmpty(pipelineName, 'pipelineName');
  requireNonEmpty(runKey, 'runKey');
  const id = deterministicId(pipelineName, [pipelineName, runKey], MAX_PIPELINE_JOB_ID);
  if (!PIPELINE_JOB_ID.test(id)) fail('pipelineJobId', `derived id ${id} does not match ${PIPELINE_JOB_ID.source}`);
  return id;
}

export function buildCreatePipelineJobRequest(input: PipelineJobInput): ICreatePipelineJobRequest {
  const spec = input.pipelineSpec;
  const specInfo = readPipelineSpec(spec);
  const pipelineName = input.pipelineName ?? specInfo.name;
  if (pipelineName === undefined) fail('pipelineName', 'is required when pipelineSpec.pipelineInfo.name is absent');
  const displayName = requireDisplayName(input.displayName ?? pipelineName);

  const runtimeConfig: NonNullable<IPipelineJob['runtimeConfig']> = {
    gcsOutputDirectory: requireGcsUri(input.gcsOutputDirectory, 'gcsOutputDirectory'),
  };
  if (input.parameterValues !== undefined) {
    // Conversion first: it rejects non-JSON values before their pipeline types are checked.
    runtimeConfig.parameterValues = toValueMap(input.parameterValues, 'parameterValues');
  }
  checkParameters(input.parameterValues ?? {}, specInfo.parameters);
  checkChoices(input.parameterValues ?? {}, input.parameterChoices ?? {});
  checkAccelerators(spec);
  if (input.failurePolicy !== undefined) runtimeConfig.failurePolicy = input.failurePolicy;

  const pipelineJob: IPipelineJob = {
    displayName,
    pipelineSpec: toStruct(spec, 'pipelineSpec'),
    runtimeConfig,
  };
  const labels = validateLabels(input.labels);
  if (labels !== undefined) pipelineJob.labels = labels;
  if (input.serviceAccount !== undefined) pipelineJob.serviceAccount = requireServiceAccount(input.serviceAccount);
  if (input.network !== undefined) pipelineJob.network = requireNetwork(input.network);
  if (input.encryptionKmsKeyName !== undefined) {
    pipelineJob.encryptionSpec = { kmsKeyName: requireKmsKeyName(input.encryptionKmsKeyName, input.location, 'encryptionKmsKeyName') };
  }
  return {
    parent: locationName(input),
    pipelineJobId: pipelineJobId(pipelineName, input.runKey),
    pipelineJob,
  };
}

interface PipelineSpecInfo {
  readonly name: string | undefined;
  /** Undefined when the spec declares no root inputs (nothing to check against). */
  readonly parameters: ReadonlyMap<string, IrParameter> | undefined;
}

function readPipelineSpec(spec: PipelineSpec): PipelineSpecInfo {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) fail('pipelineSpec', 'must be the compiled pipeline JSON object');
  const info = asObject(spec.pipelineInfo);
  const root = asObject(spec.root);
  if (info === undefined || root === undefined) {
    fail('pipelineSpec', 'does not look like a compiled KFP pipeline (needs `pipelineInfo` and `root`)');
  }
  const name = typeof info.name === 'string' && info.name !== '' ? info.name : undefined;
  return { name, parameters: rootParameters(spec) };
}

function checkParameters(values: Readonly<Record<string, JsonValue>>, declared: ReadonlyMap<string, IrParameter> | undefined): void {
  if (declared === undefined) return;
  for (const [name, value] of Object.entries(values)) {
    const parameter = declared.get(name);
    if (parameter === undefined) {
      fail(`parameterValues.${name}`, `the pipeline declares no input parameter ${name}${didYouMean(name, declared.keys())}`);
    }
    const problem = parameterTypeProblem(parameter.type, value);
    if (problem !== undefined) fail(`parameterValues.${name}`, problem);
  }
  for (const [name, parameter] of declared) {
    if (!parameter.optional && !(name in values)) fail(`parameterValues.${name}`, 'is required by the pipeline and has no default');
  }
}

/** `'random_forrest' is not one of …; did you mean \`random_forest\`?`, the wording the Python components share. */
function notOneOf(value: string, choices: readonly string[]): string {
  return `'${value}' is not one of ${choices.join(', ')}${didYouMean(value, choices)}`;
}

function checkChoices(values: Readonly<Record<string, JsonValue>>, choices: Readonly<Record<string, ParameterChoices>>): void {
  for (const [name, { appliesTo, values: allowed }] of Object.entries(choices)) {
    const value = values[name];
    if (value === undefined) continue;
    if (appliesTo === 'value') {
      if (typeof value === 'string' && !allowed.includes(value)) fail(`parameterValues.${name}`, notOneOf(value, allowed));
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const key of Object.keys(value)) {
        if (!allowed.includes(key)) fail(`parameterValues.${name}.${key}`, notOneOf(key, allowed));
      }
    }
  }
}

/** Vertex picks machines by accelerator type: a static type must be one of MachineSpec's AcceleratorType names. */
function checkAccelerators(spec: PipelineSpec): void {
  const registry = getProtoRegistry();
  const machineSpec = registry.findMessage('MachineSpec');
  const field = machineSpec?.fieldsByName.get('acceleratorType');
  const resolved = machineSpec && field ? registry.resolveField(machineSpec, field) : undefined;
  if (resolved?.kind !== 'enum') return;
  const names = [...resolved.values.keys()].filter((n) => n !== 'ACCELERATOR_TYPE_UNSPECIFIED');
  const executors = asObject(asObject(spec.deploymentSpec)?.executors) ?? {};
  for (const [label, executor] of Object.entries(executors)) {
    const accelerator = asObject(asObject(asObject(asObject(executor)?.container)?.resources)?.accelerator);
    const type = accelerator?.resourceType ?? accelerator?.type;
    if (typeof type !== 'string' || type.includes('{{')) continue;
    if (!names.includes(type)) {
      fail(
        `pipelineSpec.deploymentSpec.executors.${label}.container.resources.accelerator`,
        `'${type}' is not a Vertex AcceleratorType${didYouMean(type, names)}`,
      );
    }
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
