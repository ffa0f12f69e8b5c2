// One implementation of List for every collection: filter, order_by, page_size/page_token and
// read_mask, answered as `{<collection>: [...], nextPageToken}`.
import { snakeToCamel } from '../../../common/suggest.js';
import { decodeOffsetToken, encodeOffsetToken, queryFingerprint } from '../../kit/page-token.js';
import { invalidArgument } from './errors.js';
import { parseFilter } from './filter.js';
import type { QueryValues } from './query.js';
import { listParam, numberParam, stringParam } from './query.js';
import type { JsonObject } from './wire-json.js';
import { text } from './wire-json.js';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

const invalidToken = () => invalidArgument('Invalid page_token: it was not issued for this list request (the filter and order_by must stay the same).', 'page_token');

/** `create_time desc, display_name` → comparator; default newest first. */
function comparator(orderBy: string | undefined): (a: JsonObject, b: JsonObject) => number {
  const keys = (orderBy ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map((part) => {
    const [field = '', direction = 'asc', ...rest] = part.split(/\s+/);
    if (rest.length > 0 || !/^(asc|desc)$/i.test(direction) || !/^[a-z_][a-zA-Z0-9_.]*$/.test(field)) {
      throw invalidArgument(`Invalid order_by "${orderBy ?? ''}": use "field [asc|desc], ...".`, 'order_by');
    }
    return { field: snakeToCamel(field), sign: direction.toLowerCase() === 'desc' ? -1 : 1 };
  });
  if (keys.length === 0) keys.push({ field: 'createTime', sign: -1 }, { field: 'name', sign: 1 });
  return (a, b) => {
    for (const { field, sign } of keys) {
      const x = sortKey(a[field]);
      const y = sortKey(b[field]);
      if (x !== y) return (x < y ? -1 : 1) * sign;
    }
    return 0;
  };
}

function sortKey(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : text(value);
}

/** Only the masked top-level fields (and `name`, which every client needs to follow up). */
function applyReadMask(resource: JsonObject, mask: string[] | undefined): JsonObject {
  if (mask === undefined || mask.length === 0) return resource;
  const wanted = new Set(mask.map((p) => snakeToCamel(p.split('.')[0] ?? '')));
  wanted.add('name');
  return Object.fromEntries(Object.entries(resource).filter(([k]) => wanted.has(k)));
}

export function listPage(items: readonly JsonObject[], params: QueryValues, collection: string): JsonObject {
  const filter = stringParam(params, 'filter') ?? '';
  const orderBy = stringParam(params, 'orderBy') ?? '';
  const pageSize = numberParam(params, 'pageSize') ?? 0;
  if (pageSize < 0) throw invalidArgument('page_size must not be negative.', 'page_size');
  const size = Math.min(pageSize === 0 ? DEFAULT_PAGE_SIZE : pageSize, MAX_PAGE_SIZE);
  // A token only continues the listing (filter and order) it was issued for.
  const key = queryFingerprint([filter, orderBy]);
  const rawToken = stringParam(params, 'pageToken');
  const { offset } = decodeOffsetToken(rawToken, key, invalidToken);
  const predicate = parseFilter(filter);
  const sorted = items.filter(predicate).sort(comparator(orderBy));
  const page = sorted.slice(offset, offset + size).map((r) => applyReadMask(r, listParam(params, 'readMask')));
  const next = offset + size < sorted.length ? encodeOffsetToken(key, offset + size) : undefined;
  return { ...(page.length > 0 ? { [collection]: page } : {}), ...(next ? { nextPageToken: next } : {}) };
}
