// KFP's executor contract: the ExecutorInput a container receives ({{$}}) and the outputs read
// back after it exits (output parameter files, and the ExecutorOutput file when one was written).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { RpcCode, TaskError } from './errors.js';
import type { IODefinitions } from '../../../pipelines/ir/index.js';
import type { IOValues, RuntimeArtifact } from './runtime.js';
import type { JsonObject, JsonValue } from '../../../pipelines/ir/index.js';
import { coerceParameter, parseOutputParameter } from './values.js';

export interface OutputLocations {
  artifacts: Map<string, RuntimeArtifact[]>;
  /** Output parameter → local file. */
  parameterFiles: Map<string, string>;
  /** Local ExecutorOutput file. */
  outputFile: string;
}

function artifactJson(a: RuntimeArtifact): JsonObject {
  return { name: a.name, type: { schemaTitle: a.schemaTitle, schemaVersion: a.schemaVersion }, uri: a.uri, metadata: a.metadata };
}

/** ExecutorInput in protobuf JSON form. */
export function executorInput(inputs: IOValues, outputs: OutputLocations): JsonObject {
  const artifactsOf = (m: ReadonlyMap<string, RuntimeArtifact[]>): JsonObject =>
    Object.fromEntries([...m].map(([k, list]) => [k, { artifacts: list.map(artifactJson) }]));
  const out: JsonObject = {
    outputFile: outputs.outputFile,
  };
  if (outputs.parameterFiles.size) out.parameters = Object.fromEntries([...outputs.parameterFiles].map(([k, f]) => [k, { outputFile: f }]));
  if (outputs.artifacts.size) out.artifacts = artifactsOf(outputs.artifacts);
  const ins: JsonObject = {};
  if (inputs.parameters.size) ins.parameterValues = Object.fromEntries(inputs.parameters);
  if (inputs.artifacts.size) ins.artifacts = artifactsOf(inputs.artifacts);
  return { inputs: ins, outputs: out };
}

const executorOutputSchema = z.object({
  parameterValues: z.record(z.string(), z.json()).optional(),
  artifacts: z
    .record(
      z.string(),
      z.object({ artifacts: z.array(z.object({ uri: z.string().optional(), metadata: z.record(z.string(), z.json()).optional() })).default([]) }),
    )
    .optional(),
});

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Outputs after a successful exit. Output files win over ExecutorOutput parameterValues (as in
 * KFP's local runner); ExecutorOutput artifacts contribute metadata (and may move the URI).
 */
export async function collectOutputs(definitions: IODefinitions | undefined, locations: OutputLocations, newArtifactName: () => string): Promise<IOValues> {
  const text = await readIfExists(locations.outputFile);
  let written: z.infer<typeof executorOutputSchema> = {};
  if (text !== undefined && text.trim() !== '') {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new TaskError(`The executor output file ${locations.outputFile} is not JSON`, RpcCode.FAILED_PRECONDITION, true);
    }
    const parsed = executorOutputSchema.safeParse(raw);
    if (!parsed.success) throw new TaskError(`The executor output file ${locations.outputFile} is not an ExecutorOutput: ${z.prettifyError(parsed.error)}`, RpcCode.FAILED_PRECONDITION, true);
    written = parsed.data;
  }
  const parameters = new Map<string, JsonValue>();
  for (const [name, def] of Object.entries(definitions?.parameters ?? {})) {
    const file = locations.parameterFiles.get(name);
    const fromFile = file === undefined ? undefined : await readIfExists(file);
    if (fromFile !== undefined) {
      parameters.set(name, parseOutputParameter(fromFile, def.parameterType, name));
    } else if (written.parameterValues && Object.hasOwn(written.parameterValues, name)) {
      parameters.set(name, coerceParameter(written.parameterValues[name] as JsonValue, def.parameterType, `output parameter '${name}'`));
    } else {
      throw new TaskError(`Output parameter '${name}' was not written: expected the file ${file ?? '(none)'} or an entry in ${locations.outputFile}`, RpcCode.FAILED_PRECONDITION, true);
    }
  }
  const artifacts = new Map<string, RuntimeArtifact[]>();
  for (const [name, list] of locations.artifacts) {
    const reported = written.artifacts?.[name]?.artifacts ?? [];
    const base = list[0]!;
    artifacts.set(
      name,
      reported.length === 0
        ? list
        : reported.map((r, i) => ({
            ...base,
            name: i === 0 ? base.name : newArtifactName(),
            uri: r.uri ?? base.uri,
            metadata: { ...base.metadata, ...((r.metadata ?? {}) as JsonObject) },
          })),
    );
  }
  return { parameters, artifacts };
}
