// Query parameters of the JSON API: preconditions, generations, integers, booleans.
import type { IncomingMessage } from 'node:http';
import { badRequest } from '../kit/google-error.js';
import type { Preconditions } from './generations.js';
import { parseInt64, PRECONDITION_NAMES } from './generations.js';

/** `ifGenerationMatch`... or, with `Source`, `ifSourceGenerationMatch`... (copy and rewrite). */
export function preconditionsFrom(query: URLSearchParams, infix: '' | 'Source' = ''): Preconditions {
  const out: Preconditions = {};
  for (const name of PRECONDITION_NAMES) {
    const param = infix ? name.replace(/^if/, `if${infix}`) : name;
    const value = query.get(param);
    if (value !== null) out[name] = parseInt64(value, param).toString();
  }
  return out;
}

export function generationFrom(query: URLSearchParams, param = 'generation'): string | undefined {
  const value = query.get(param);
  return value === null ? undefined : parseInt64(value, param).toString();
}

export function intFrom(query: URLSearchParams, param: string): number | undefined {
  const value = query.get(param);
  if (value === null) return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`Invalid value for ${param}: '${value}'`, { location: param });
  return Number(value);
}

export function boolFrom(query: URLSearchParams, param: string): boolean | undefined {
  const value = query.get(param);
  if (value === null) return undefined;
  if (value !== 'true' && value !== 'false') throw badRequest(`Invalid value for ${param}: '${value}'`, { location: param });
  return value === 'true';
}

/** Base URL for links in resources: the address this client reached us at. */
export function baseUrlOf(req: IncomingMessage, fallback: () => string): string {
  const host = req.headers.host;
  return host ? `http://${host}` : fallback();
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}
