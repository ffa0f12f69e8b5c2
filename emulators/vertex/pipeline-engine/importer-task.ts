// The importer: no container, just an artifact registered for an existing URI (KFP's dsl.importer).
import { RpcCode, TaskError } from './errors.js';
import type { ImporterSpec } from '../../../pipelines/ir/index.js';
import type { LeafTask } from './container-task.js';
import type { PlaceholderValues } from './placeholders.js';
import { resolveText } from './placeholders.js';
import type { RunContext } from './run-context.js';
import type { RuntimeArtifact, TaskOutcome } from './runtime.js';
import type { JsonObject, JsonValue } from '../../../pipelines/ir/index.js';

const WHOLE_PARAMETER = /^\{\{\$\.inputs\.parameters\[(?:'([^']*)'|"([^"]*)")\]\}\}$/;

/** Metadata strings may be placeholders for injected inputs; a whole-string one keeps the value's type. */
function resolveMetadata(value: JsonValue, v: PlaceholderValues): JsonValue {
  if (typeof value === 'string') {
    const m = WHOLE_PARAMETER.exec(value);
    const whole = m ? v.parameters.get(m[1] ?? m[2] ?? '') : undefined;
    return whole !== undefined ? whole : resolveText(value, v);
  }
  if (Array.isArray(value)) return value.map((x) => resolveMetadata(x, v));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, resolveMetadata(x, v)]));
  return value;
}

export function runImporterTask(run: RunContext, t: LeafTask, importer: ImporterSpec): TaskOutcome {
  const taskName = t.record.taskName;
  t.record.start('system.ImporterExecution', t.inputs.parameters);
  try {
    const source = importer.artifactUri.runtimeParameter;
    const uri = source !== undefined ? t.inputs.parameters.get(source) : importer.artifactUri.constant;
    if (typeof uri !== 'string' || uri === '') {
      throw new TaskError(`Importer '${taskName}': artifact URI ${source !== undefined ? `(input '${source}') ` : ''}is not a non-empty string`, RpcCode.INVALID_ARGUMENT);
    }
    const values: PlaceholderValues = {
      parameters: t.inputs.parameters,
      inputArtifacts: new Map(),
      outputArtifacts: new Map(),
      outputParameterFiles: new Map(),
      outputFile: '',
      executorInput: {},
      system: t.system,
      localPath: () => {
        throw new TaskError('paths are not available to an importer', RpcCode.INVALID_ARGUMENT);
      },
    };
    const artifact: RuntimeArtifact = {
      name: run.recorder.newArtifactName(),
      uri,
      schemaTitle: importer.typeSchema.schemaTitle,
      schemaVersion: importer.typeSchema.schemaVersion,
      metadata: resolveMetadata(importer.metadata ?? {}, values) as JsonObject,
    };
    const outputs = { parameters: new Map<string, JsonValue>(), artifacts: new Map([['artifact', [artifact]]]) };
    t.record.setOutputs(outputs.parameters, outputs.artifacts);
    t.record.finish('SUCCEEDED');
    return { taskName, state: 'SUCCEEDED', outputs };
  } catch (err) {
    const error = err instanceof TaskError ? err : new TaskError(String(err), RpcCode.INTERNAL);
    t.record.finish('FAILED', error.status);
    return { taskName, state: 'FAILED', error: error.status, outputs: { parameters: new Map(), artifacts: new Map() } };
  }
}
