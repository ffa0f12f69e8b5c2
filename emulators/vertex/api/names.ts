// Resource names under a location: `projects/P/locations/L/<collection>/<id>`.
import { invalidArgument } from './errors.js';

export interface LocationName {
  project: string;
  location: string;
  /** `projects/P/locations/L`. */
  parent: string;
}

const PARENT = /^projects\/([^/]+)\/locations\/([^/]+)$/;

function parseParent(parent: string): LocationName {
  const m = PARENT.exec(parent);
  if (!m) throw invalidArgument(`Invalid parent "${parent}": expected projects/{project}/locations/{location}.`, 'parent');
  return { project: m[1]!, location: m[2]!, parent };
}

/** The location a `/v1/projects/{project}/locations/{location}/...` route names, validated. */
export function locationOf(ctx: { readonly params: Record<string, string> }): string {
  return parseParent(`projects/${ctx.params.project}/locations/${ctx.params.location}`).parent;
}

/** The location (`projects/P/locations/L`) a resource name lives in. */
export function parentOf(name: string): string {
  const m = /^(projects\/[^/]+\/locations\/[^/]+)\//.exec(name);
  return m?.[1] ?? '';
}
