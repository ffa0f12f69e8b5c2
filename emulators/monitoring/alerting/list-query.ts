// `filter`, `orderBy`, `pageSize` and `pageToken` of alertPolicies.list and
// notificationChannels.list: the filter in Monitoring's filter grammar over the resource's own
// fields (display_name, user_labels.<key>, ...), orderBy a comma-separated list of the same fields
// (a leading `-` sorts descending).
import { decodeOffsetToken, effectivePageSize, encodeOffsetToken, queryFingerprint } from '../../kit/page-token.js';
import { compileFilter, type SelectorResolver } from '../filter/evaluate.js';
import { FilterSyntaxError } from '../filter/lexer.js';
import { parseFilter } from '../filter/parser.js';
import { parseInt32 } from '../proto-json.js';
import { bindQuery, invalidField, queryValue } from '../validation.js';

const MAX_PAGE_SIZE = 1000;

export interface ListPage<T> {
  items: T[];
  nextPageToken?: string;
  totalSize: number;
}

/** Reads the four list parameters and answers one page of `all`, sorted by name unless orderBy says otherwise. */
export function listPage<T extends { name: string }>(
  query: URLSearchParams,
  all: readonly T[],
  resolve: SelectorResolver<T>,
  supported: string,
  scope: readonly string[],
): ListPage<T> {
  const bound = bindQuery(query, { singular: ['filter', 'orderBy', 'pageSize', 'pageToken'] });
  const filter = bound.get('filter')?.[0] ?? '';
  const orderBy = bound.get('orderBy')?.[0] ?? '';
  let matches: (item: T) => boolean = () => true;
  if (filter.trim()) {
    try {
      matches = compileFilter(parseFilter(filter), resolve, supported);
    } catch (err) {
      if (err instanceof FilterSyntaxError) throw invalidField('filter', `${err.message}.`, filter);
      throw err;
    }
  }
  const order = parseOrderBy(orderBy, resolve, supported);
  const pageSize = effectivePageSize(queryValue(bound, 'pageSize', 'TYPE_INT32', parseInt32), MAX_PAGE_SIZE);
  const fingerprint = queryFingerprint([...scope, filter, orderBy]);
  const { offset } = decodeOffsetToken(bound.get('pageToken')?.[0], fingerprint);
  const selected = all.filter(matches).sort((a, b) => order(a, b) || compare(a.name, b.name));
  const items = selected.slice(offset, offset + pageSize);
  return {
    items,
    ...(offset + pageSize < selected.length ? { nextPageToken: encodeOffsetToken(fingerprint, offset + pageSize) } : {}),
    totalSize: selected.length,
  };
}

function parseOrderBy<T>(orderBy: string, resolve: SelectorResolver<T>, supported: string): (a: T, b: T) => number {
  if (!orderBy.trim()) return () => 0;
  const keys = orderBy.split(',').map((raw) => {
    const text = raw.trim();
    const descending = text.startsWith('-');
    const field = descending ? text.slice(1).trim() : text;
    const read = resolve(field);
    if (!read) throw invalidField('order_by', `unsupported field '${field}'; supported: ${supported}`, orderBy);
    return { read, sign: descending ? -1 : 1 };
  });
  return (a, b) => {
    for (const { read, sign } of keys) {
      const c = compare(read(a) ?? '', read(b) ?? '');
      if (c !== 0) return sign * c;
    }
    return 0;
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
