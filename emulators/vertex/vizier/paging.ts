// page_size / page_token over a list already in the order the API answers with (studies by
// creation, trials by id), as `{<field>: [...], nextPageToken}`.
import { decodeOffsetToken, encodeOffsetToken, effectivePageSize, queryFingerprint } from '../../kit/page-token.js';
import { invalidArgument } from '../api/errors.js';
import type { QueryValues } from '../api/query.js';
import { numberParam, stringParam } from '../api/query.js';
import type { JsonObject } from '../api/wire-json.js';

const MAX_PAGE_SIZE = 1000;

export function pageOf(items: readonly JsonObject[], params: QueryValues, field: string, listing: string): JsonObject {
  const pageSize = numberParam(params, 'pageSize') ?? 0;
  if (pageSize < 0) throw invalidArgument('page_size must not be negative.', 'page_size');
  const size = effectivePageSize(pageSize, MAX_PAGE_SIZE);
  const key = queryFingerprint([listing]);
  const { offset } = decodeOffsetToken(stringParam(params, 'pageToken'), key, () =>
    invalidArgument('Invalid page_token: it was not issued for this list request.', 'page_token'),
  );
  const page = items.slice(offset, offset + size);
  const next = offset + size < items.length ? encodeOffsetToken(key, offset + size) : undefined;
  return { ...(page.length > 0 ? { [field]: page } : {}), ...(next ? { nextPageToken: next } : {}) };
}
