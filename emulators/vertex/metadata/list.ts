// List pages of metadata resources: order_by over the resource's attributes (default: oldest
// first), page_size 1-1000 (default 100), page tokens tied to the listing they came from.
import { snakeToCamel } from '../../../common/suggest.js';
import { decodeOffsetToken, encodeOffsetToken, queryFingerprint } from '../../kit/page-token.js';
import { invalidArgument } from '../api/errors.js';
import type { QueryValues } from '../api/query.js';
import { numberParam, stringParam } from '../api/query.js';
import type { JsonObject } from '../api/wire-json.js';
import { text } from '../api/wire-json.js';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const ORDERABLE = new Set(['name', 'display_name', 'uri', 'state', 'schema_title', 'schema_version', 'create_time', 'update_time', 'description']);

function comparator(orderBy: string): (a: JsonObject, b: JsonObject) => number {
  const keys = orderBy
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((part) => {
      const [field = '', direction = 'asc', ...rest] = part.split(/\s+/);
      const snake = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      if (rest.length > 0 || !/^(asc|desc)$/i.test(direction)) throw invalidArgument(`Invalid order_by "${orderBy}": use "field [asc|desc], ...".`, 'order_by');
      if (!ORDERABLE.has(snake)) throw invalidArgument(`Invalid order_by "${orderBy}": cannot order by "${field}" (supported: ${[...ORDERABLE].join(', ')}).`, 'order_by');
      return { field: snakeToCamel(snake), sign: direction.toLowerCase() === 'desc' ? -1 : 1 };
    });
  keys.push({ field: 'createTime', sign: 1 }, { field: 'name', sign: 1 });
  return (a, b) => {
    for (const { field, sign } of keys) {
      const x = text(a[field]);
      const y = text(b[field]);
      if (x !== y) return (x < y ? -1 : 1) * sign;
    }
    return 0;
  };
}

/** One page of `items` (already filtered) as `{<field>: [...], nextPageToken}`. */
export function pageOfNodes(items: readonly JsonObject[], params: QueryValues, field: string, listing: readonly unknown[]): JsonObject {
  const orderBy = stringParam(params, 'orderBy') ?? '';
  const pageSize = numberParam(params, 'pageSize') ?? 0;
  if (pageSize < 0) throw invalidArgument('page_size must not be negative.', 'page_size');
  const size = Math.min(pageSize === 0 ? DEFAULT_PAGE_SIZE : pageSize, MAX_PAGE_SIZE);
  const key = queryFingerprint([...listing, stringParam(params, 'filter') ?? '', orderBy]);
  const { offset } = decodeOffsetToken(stringParam(params, 'pageToken'), key, () =>
    invalidArgument('Invalid page_token: it was not issued for this list request (the parent, filter and order_by must stay the same).', 'page_token'),
  );
  const sorted = [...items].sort(comparator(orderBy));
  const page = sorted.slice(offset, offset + size).map((r) => structuredClone(r));
  const next = offset + size < sorted.length ? encodeOffsetToken(key, offset + size) : undefined;
  return { ...(page.length > 0 ? { [field]: page } : {}), ...(next ? { nextPageToken: next } : {}) };
}
