// Query parameters bind to request fields (`pageSize` or `page_size`); Google's system parameters
// (`alt`, `$alt=json;enum-encoding=int`, `prettyPrint`, `key`, ...) are accepted and ignored, and
// anything else fails the way Google's transcoder fails it.
import { snakeToCamel } from '../../../common/suggest.js';
import { invalidArgument } from './errors.js';
import { splitFieldMask } from './wire-json.js';

const SYSTEM_PARAMETERS = new Set([
  'alt', '$alt', 'prettyPrint', '$prettyPrint', 'key', 'fields', '$fields', 'callback', '$callback',
  'quotaUser', 'access_token', 'oauth_token', 'upload_protocol', 'uploadType', '$.xgafv', 'trace', 'userIp',
]);

export type QueryFieldType = 'string' | 'int32' | 'bool' | 'fieldMask';

export type QueryValues = Partial<Record<string, string | number | boolean | string[]>>;

/** Parses the query against the fields a method binds there; throws 400 on anything unknown or malformed. */
export function bindQuery(query: URLSearchParams, fields: Readonly<Record<string, QueryFieldType>>): QueryValues {
  const out: QueryValues = {};
  for (const [rawKey, raw] of query) {
    if (SYSTEM_PARAMETERS.has(rawKey)) continue;
    const key = snakeToCamel(rawKey.replace(/\.paths$/, ''));
    const type = fields[key];
    if (type === undefined) {
      throw invalidArgument(`Invalid JSON payload received. Unknown name "${rawKey}": Cannot bind query parameter. Field '${rawKey}' could not be found in request message.`, rawKey);
    }
    switch (type) {
      case 'string':
        out[key] = raw;
        break;
      case 'int32':
        if (!/^-?\d+$/.test(raw) || Math.abs(Number(raw)) > 2 ** 31 - 1) {
          throw invalidArgument(`Invalid value at '${rawKey}' (TYPE_INT32), "${raw}"`, rawKey);
        }
        out[key] = Number(raw);
        break;
      case 'bool':
        if (raw !== 'true' && raw !== 'false') throw invalidArgument(`Invalid value at '${rawKey}' (TYPE_BOOL), "${raw}"`, rawKey);
        out[key] = raw === 'true';
        break;
      case 'fieldMask': {
        const previous = out[key];
        out[key] = [...(Array.isArray(previous) ? previous : []), ...splitFieldMask(raw)];
        break;
      }
    }
  }
  return out;
}

export const LIST_QUERY: Readonly<Record<string, QueryFieldType>> = {
  filter: 'string',
  pageSize: 'int32',
  pageToken: 'string',
  readMask: 'fieldMask',
  orderBy: 'string',
};

export function stringParam(values: QueryValues, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

export function numberParam(values: QueryValues, key: string): number | undefined {
  const v = values[key];
  return typeof v === 'number' ? v : undefined;
}

export function listParam(values: QueryValues, key: string): string[] | undefined {
  const v = values[key];
  return Array.isArray(v) ? v : undefined;
}
