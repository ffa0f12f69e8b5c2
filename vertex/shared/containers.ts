import type { IEnvVar } from './proto-types.js';
import { fail } from './errors.js';

// `[host[:port]/]path[:tag|@sha256:digest]`, lowercase repository path as registries require.
const IMAGE_URI = /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9._/-]+(?::[\w.-]{1,128}|@sha256:[a-f0-9]{64})?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function requireImageUri(uri: string, field: string): string {
  if (!IMAGE_URI.test(uri)) fail(field, `is not a container image URI: ${JSON.stringify(uri)}`);
  return uri;
}

/** `{NAME: value}` to the proto's EnvVar list, keeping the caller's order. */
export function toEnvVars(env: Readonly<Record<string, string>> | undefined, field: string): IEnvVar[] | undefined {
  if (env === undefined) return undefined;
  return Object.entries(env).map(([name, value]) => {
    if (!ENV_NAME.test(name)) fail(`${field}.${name}`, 'environment variable names must match [A-Za-z_][A-Za-z0-9_]*');
    if (typeof value !== 'string') fail(`${field}.${name}`, `value must be a string, got ${typeof value}`);
    return { name, value };
  });
}

/** Copies a list of strings, rejecting non-strings (args and commands are passed verbatim). */
export function toStringList(list: readonly string[] | undefined, field: string): string[] | undefined {
  if (list === undefined) return undefined;
  return list.map((item, i) => {
    if (typeof item !== 'string') fail(`${field}[${i}]`, `must be a string, got ${typeof item}`);
    return item;
  });
}
