// PipelineJob.templateUri: a compiled pipeline (JSON or YAML IR) in Cloud Storage is read from the
// storage emulator's files; Artifact Registry templates cannot be fetched off-cloud.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { gcsUriToLocalPath } from '../containers/gcs-paths.js';
import { invalidArgument } from '../api/errors.js';

export async function loadTemplate(templateUri: string, storageRoot: string): Promise<unknown> {
  const field = 'pipeline_job.template_uri';
  if (!templateUri.startsWith('gs://')) {
    throw invalidArgument(`${field} "${templateUri}" cannot be fetched by the local emulator: only gs:// templates (read from the storage emulator) are supported; send pipeline_spec instead.`, field);
  }
  let text: string;
  try {
    text = await readFile(gcsUriToLocalPath(templateUri, storageRoot), 'utf8');
  } catch {
    throw invalidArgument(`${field}: the template ${templateUri} was not found.`, field);
  }
  try {
    const parsed: unknown = templateUri.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    return parsed;
  } catch (err) {
    throw invalidArgument(`${field}: ${templateUri} is not a JSON or YAML pipeline spec: ${err instanceof Error ? err.message : String(err)}`, field);
  }
}
