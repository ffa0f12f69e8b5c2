// UploadModelRequest: registers a model (or a new version of one) in the Model Registry.
import type { IModel, IModelContainerSpec, IUploadModelRequest } from '../shared/proto-types.js';
import { requireImageUri, toEnvVars, toStringList } from '../shared/containers.js';
import { fail, requireDisplayName, requireInteger } from '../shared/errors.js';
import { validateLabels } from '../shared/labels.js';
import type { LocationRef } from '../shared/resource-names.js';
import { locationName, parseModelName, requireKmsKeyName, requireServiceAccount, sameLocation } from '../shared/resource-names.js';
import { requireGcsUri } from '../shared/storage-uris.js';
import type { JsonValue } from '../shared/struct.js';
import { toProtoValue } from '../shared/struct.js';
import { isPrebuiltServingImage } from './prebuilt-containers.js';

export interface ServingContainerInput {
  /** A prebuilt image (see prebuilt-containers.ts) or a custom serving container. */
  readonly imageUri: string;
  readonly predictRoute?: string;
  readonly healthRoute?: string;
  /** The port the server listens on (Vertex uses the first port only). */
  readonly port?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
}

export interface UploadModelInput extends LocationRef {
  readonly displayName: string;
  /** ID for a NEW model (`[a-z0-9_-]`, up to 63, not starting with a digit or hyphen). */
  readonly modelId?: string;
  /** Full name of an existing model: the upload becomes a new version of it. */
  readonly parentModel?: string;
  /** gs:// directory with the model artifacts; required by prebuilt images. */
  readonly artifactUri?: string;
  readonly container: ServingContainerInput;
  /** Extra aliases for this version (e.g. `challenger`); `default` is set via makeDefaultVersion. */
  readonly versionAliases?: readonly string[];
  /** Move the `default` alias to this version (a model's first version gets it anyway). */
  readonly makeDefaultVersion?: boolean;
  readonly versionDescription?: string;
  readonly description?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Stored as google.protobuf.Value; usually an object described by metadataSchemaUri. */
  readonly metadata?: JsonValue;
  readonly metadataSchemaUri?: string;
  /** Service account the upload uses to read artifactUri. */
  readonly serviceAccount?: string;
  readonly encryptionKmsKeyName?: string;
}

const MODEL_ID = /^[a-z_][a-z0-9_-]{0,62}$/;
// From model.proto: aliases are `[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]`, which also keeps them
// distinct from numeric version ids.
const VERSION_ALIAS = /^[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]$/;
const DEFAULT_ALIAS = 'default';

export function buildUploadModelRequest(input: UploadModelInput): IUploadModelRequest {
  const parent = locationName(input);
  const model: IModel = {
    displayName: requireDisplayName(input.displayName),
    containerSpec: buildServingContainer(input.container, input.artifactUri !== undefined),
  };
  if (input.artifactUri !== undefined) model.artifactUri = requireGcsUri(input.artifactUri, 'artifactUri');
  const aliases = versionAliases(input.versionAliases, input.makeDefaultVersion === true);
  if (aliases.length > 0) model.versionAliases = aliases;
  if (input.versionDescription !== undefined) model.versionDescription = input.versionDescription;
  if (input.description !== undefined) model.description = input.description;
  const labels = validateLabels(input.labels);
  if (labels !== undefined) model.labels = labels;
  if (input.metadata !== undefined) model.metadata = toProtoValue(input.metadata, 'metadata');
  if (input.metadataSchemaUri !== undefined) model.metadataSchemaUri = requireGcsUri(input.metadataSchemaUri, 'metadataSchemaUri');
  if (input.encryptionKmsKeyName !== undefined) {
    model.encryptionSpec = { kmsKeyName: requireKmsKeyName(input.encryptionKmsKeyName, input.location, 'encryptionKmsKeyName') };
  }

  const request: IUploadModelRequest = { parent, model };
  if (input.parentModel !== undefined) {
    if (input.modelId !== undefined) fail('modelId', 'cannot be combined with parentModel: a new version keeps its parent\'s id');
    const ref = parseModelName(input.parentModel, 'parentModel');
    if (ref.version !== undefined) fail('parentModel', 'must name the model without @version');
    if (!sameLocation(ref, input)) fail('parentModel', `is in projects/${ref.project}/locations/${ref.location}, not in ${parent}`);
    request.parentModel = ref.baseName;
  }
  if (input.modelId !== undefined) {
    if (!MODEL_ID.test(input.modelId)) fail('modelId', `must be up to 63 of [a-z0-9_-] and not start with a digit or hyphen, got ${JSON.stringify(input.modelId)}`);
    request.modelId = input.modelId;
  }
  if (input.serviceAccount !== undefined) request.serviceAccount = requireServiceAccount(input.serviceAccount);
  return request;
}

function buildServingContainer(input: ServingContainerInput, hasArtifacts: boolean): IModelContainerSpec {
  const imageUri = requireImageUri(input.imageUri, 'container.imageUri');
  if (isPrebuiltServingImage(imageUri) && !hasArtifacts) {
    fail('artifactUri', 'is required with a prebuilt serving image: it loads the model from there');
  }
  const spec: IModelContainerSpec = { imageUri };
  for (const key of ['predictRoute', 'healthRoute'] as const) {
    const route = input[key];
    if (route === undefined) continue;
    if (!route.startsWith('/') || /\s/.test(route)) fail(`container.${key}`, `must be an HTTP path starting with /, got ${JSON.stringify(route)}`);
    spec[key] = route;
  }
  if (input.port !== undefined) spec.ports = [{ containerPort: requireInteger(input.port, 'container.port', 1, 65_535) }];
  const env = toEnvVars(input.env, 'container.env');
  const command = toStringList(input.command, 'container.command');
  const args = toStringList(input.args, 'container.args');
  if (env !== undefined) spec.env = env;
  if (command !== undefined) spec.command = command;
  if (args !== undefined) spec.args = args;
  return spec;
}

function versionAliases(aliases: readonly string[] | undefined, makeDefault: boolean): string[] {
  const result: string[] = [];
  for (const [i, alias] of (aliases ?? []).entries()) {
    if (alias === DEFAULT_ALIAS) fail(`versionAliases[${i}]`, 'use makeDefaultVersion: true instead of listing "default"');
    if (!VERSION_ALIAS.test(alias)) {
      fail(`versionAliases[${i}]`, `must match [a-z][a-zA-Z0-9-]{0,126}[a-z0-9] (start with a lowercase letter, not purely numeric), got ${JSON.stringify(alias)}`);
    }
    if (result.includes(alias)) fail(`versionAliases[${i}]`, `duplicate alias ${alias}`);
    result.push(alias);
  }
  if (makeDefault) result.push(DEFAULT_ALIAS);
  return result;
}
