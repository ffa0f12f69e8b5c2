// What a serving container is started with: Vertex's AIP_* variables, its routes, and
// Kubernetes-style `$(VAR)` references in command, args and env expanded.
import type { ContainerSpec, ServedModel } from './resources.js';
import { lastSegment } from './resources.js';

export interface ServingRoutes {
  predictRoute: string;
  healthRoute: string;
}

/** Vertex's defaults when the Model's containerSpec names no routes. */
export function servingRoutes(spec: ContainerSpec, endpointName: string, deployedModelId: string): ServingRoutes {
  const base = `/v1/endpoints/${lastSegment(endpointName)}/deployedModels/${deployedModelId}`;
  return { predictRoute: spec.predictRoute || `${base}:predict`, healthRoute: spec.healthRoute || base };
}

export interface ContainerEnvInput {
  model: ServedModel;
  endpointName: string;
  deployedModelId: string;
  port: number;
  routes: ServingRoutes;
  /** The local cloud's settings (project, emulator hosts): lowest precedence. */
  base: Readonly<Record<string, string>>;
  storageRoot: string;
}

/**
 * Precedence: the local cloud's settings, then containerSpec.env, then the AIP_* variables
 * (the port and routes must be the ones the runtime talks to).
 */
export function containerEnv(input: ContainerEnvInput): Record<string, string> {
  const { model, routes } = input;
  const aip: Record<string, string> = {
    AIP_MODE: 'PREDICTION',
    AIP_HTTP_PORT: String(input.port),
    AIP_PREDICT_ROUTE: routes.predictRoute,
    AIP_HEALTH_ROUTE: routes.healthRoute,
    AIP_DEPLOYED_MODEL_ID: input.deployedModelId,
    AIP_ENDPOINT_ID: lastSegment(input.endpointName),
    // The model server resolves gs:// URIs under this root, as it would under the /gcs mount.
    GCS_LOCAL_ROOT: input.storageRoot,
  };
  if (model.artifactUri) {
    aip.AIP_STORAGE_URI = model.artifactUri;
    aip.AIP_MODEL_DIR = model.artifactUri;
  }
  const env: Record<string, string> = { ...input.base };
  for (const { name, value } of model.containerSpec.env ?? []) env[name] = expandVars(value ?? '', { ...aip, ...env });
  return { ...env, ...aip };
}

/** `$(NAME)` → its value when defined (else left as written); `$$` → `$`. */
export function expandVars(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) => {
    if (name === undefined) return '$';
    return vars[name] ?? match;
  });
}
