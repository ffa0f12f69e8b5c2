// Model names: `projects/P/locations/L/models/ID`, optionally `@VERSION_ID` or `@ALIAS`.
import { notFound } from '../api/errors.js';

export interface ModelRef {
  /** Without `@...`. */
  baseName: string;
  parent: string;
  modelId: string;
  /** A version id (`2`), an alias (`champion`), or undefined (the default version). */
  version: string | undefined;
}

const MODEL_NAME = /^(projects\/[^/]+\/locations\/[^/]+)\/models\/([^/@]+)(?:@([^/]+))?$/;

export function parseModelRef(name: string): ModelRef {
  const m = MODEL_NAME.exec(name);
  if (!m) throw notFound(`Model ${name} not found: expected projects/{project}/locations/{location}/models/{model}[@{version}].`);
  return { baseName: `${m[1]!}/models/${m[2]!}`, parent: m[1]!, modelId: m[2]!, version: m[3] };
}

// model.proto: aliases are [a-z][a-zA-Z0-9-]{0,126}[a-z0-9], which keeps them apart from version ids.
export const VERSION_ALIAS = /^[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]$/;
export const DEFAULT_ALIAS = 'default';
// UploadModelRequest.model_id: up to 63 of [a-z0-9_-], not starting with a digit or hyphen.
export const MODEL_ID = /^[a-z_][a-z0-9_-]{0,62}$/;
