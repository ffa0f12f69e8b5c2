// Vertex resource names (`projects/{project}/locations/{location}/...`): builders and
// parsers in one place so every request spells them the same way.
import { fail } from './errors.js';

export interface LocationRef {
  /** Project ID (`my-project`) or number (`123456789`). */
  readonly project: string;
  /** Region, e.g. `us-central1`. */
  readonly location: string;
}

const PROJECT = /^(?:[a-z][a-z0-9-]{4,28}[a-z0-9]|\d{1,20})$/;
const LOCATION = /^[a-z]+(?:-[a-z]+[0-9]*)*$/;
// Server-assigned ids are numeric; user-chosen ones (models, endpoints, jobs) are lowercase slugs.
const RESOURCE_ID = /^[a-z0-9][a-z0-9_-]{0,127}$/;

function requireProject(project: string, field = 'project'): string {
  if (!PROJECT.test(project)) fail(field, `is not a valid project ID or number: ${JSON.stringify(project)}`);
  return project;
}

function requireLocation(location: string, field = 'location'): string {
  if (!LOCATION.test(location)) fail(field, `is not a valid location (e.g. us-central1): ${JSON.stringify(location)}`);
  return location;
}

/** `projects/{project}/locations/{location}`. */
export function locationName(ref: LocationRef): string {
  return `projects/${requireProject(ref.project)}/locations/${requireLocation(ref.location)}`;
}

export function parseLocationName(name: string, field = 'parent'): LocationRef {
  const match = /^projects\/([^/]+)\/locations\/([^/]+)$/.exec(name);
  if (match === null) fail(field, `must look like projects/{project}/locations/{location}, got ${JSON.stringify(name)}`);
  return { project: requireProject(match[1] ?? '', field), location: requireLocation(match[2] ?? '', field) };
}

/** A resource directly under a location, e.g. `models`, `endpoints`, `customJobs`. */
export type LocationCollection =
  | 'models'
  | 'endpoints'
  | 'customJobs'
  | 'pipelineJobs'
  | 'hyperparameterTuningJobs';

export interface ResourceRef extends LocationRef {
  readonly collection: LocationCollection;
  readonly id: string;
}

function resourceName(ref: LocationRef, collection: LocationCollection, id: string): string {
  if (!RESOURCE_ID.test(id)) fail(`${collection} id`, `is not a valid resource id: ${JSON.stringify(id)}`);
  return `${locationName(ref)}/${collection}/${id}`;
}

function parseResourceName(name: string, collection: LocationCollection, field: string): ResourceRef {
  const match = /^projects\/([^/]+)\/locations\/([^/]+)\/([A-Za-z]+)\/([^/@]+)$/.exec(name);
  if (match === null || match[3] !== collection) {
    fail(field, `must look like projects/{project}/locations/{location}/${collection}/{id}, got ${JSON.stringify(name)}`);
  }
  const id = match[4] ?? '';
  if (!RESOURCE_ID.test(id)) fail(field, `has an invalid ${collection} id ${JSON.stringify(id)}`);
  return {
    project: requireProject(match[1] ?? '', field),
    location: requireLocation(match[2] ?? '', field),
    collection,
    id,
  };
}

export const modelName = (ref: LocationRef, modelId: string): string => resourceName(ref, 'models', modelId);
export const endpointName = (ref: LocationRef, endpointId: string): string => resourceName(ref, 'endpoints', endpointId);

export interface ModelRef extends ResourceRef {
  /** Version id (`3`) or alias (`champion`) after `@`, when given. */
  readonly version: string | undefined;
  /** The model name without the `@version` suffix. */
  readonly baseName: string;
}

/** `projects/p/locations/l/models/m` or `...models/m@version` (version id or alias). */
export function parseModelName(name: string, field = 'model'): ModelRef {
  const at = name.indexOf('@');
  const baseName = at === -1 ? name : name.slice(0, at);
  const version = at === -1 ? undefined : name.slice(at + 1);
  if (version !== undefined && !/^(?:\d+|[a-z][a-zA-Z0-9-]{0,126}[a-z0-9])$/.test(version)) {
    fail(field, `has an invalid version or alias after @: ${JSON.stringify(version)}`);
  }
  return { ...parseResourceName(baseName, 'models', field), version, baseName };
}

export function parseEndpointName(name: string, field = 'endpoint'): ResourceRef {
  return parseResourceName(name, 'endpoints', field);
}

export function sameLocation(a: LocationRef, b: LocationRef): boolean {
  return a.project === b.project && a.location === b.location;
}

// Service accounts: `name@project.iam.gserviceaccount.com` or the default
// `PROJECT_NUMBER-compute@developer.gserviceaccount.com`.
const SERVICE_ACCOUNT = /^[a-z0-9][a-z0-9-]{0,62}@[a-z0-9.-]+\.gserviceaccount\.com$/;

export function requireServiceAccount(email: string, field = 'serviceAccount'): string {
  if (!SERVICE_ACCOUNT.test(email)) fail(field, `must be a service account email (…@….gserviceaccount.com), got ${JSON.stringify(email)}`);
  return email;
}

// Vertex peers with a VPC named by project NUMBER: projects/12345/global/networks/my-vpc.
const NETWORK = /^projects\/\d+\/global\/networks\/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function requireNetwork(network: string, field = 'network'): string {
  if (!NETWORK.test(network)) {
    fail(field, `must look like projects/{project_number}/global/networks/{network}, got ${JSON.stringify(network)}`);
  }
  return network;
}

const KMS_KEY = /^projects\/([^/]+)\/locations\/([^/]+)\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;

/** A Cloud KMS key for encryptionSpec; Vertex needs it in the same region as the resource. */
export function requireKmsKeyName(kmsKeyName: string, resourceLocation: string, field = 'encryptionSpec.kmsKeyName'): string {
  const match = KMS_KEY.exec(kmsKeyName);
  if (match === null) fail(field, `must look like projects/{p}/locations/{l}/keyRings/{r}/cryptoKeys/{k}, got ${JSON.stringify(kmsKeyName)}`);
  if (match[2] !== resourceLocation) fail(field, `key is in ${match[2]} but the resource is in ${resourceLocation}; Vertex needs both in the same region`);
  return kmsKeyName;
}
