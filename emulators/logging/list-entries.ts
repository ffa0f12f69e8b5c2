// entries.list (POST /v2/entries:list): ListLogEntriesRequest validated at the edge, the filter
// compiled, entries of the named projects ordered by timestamp (ties by insertId) and paged.
import { z } from 'zod';
import { badRequest } from '../kit/google-error.js';
import { parseTimestamp } from '../monitoring/proto-json.js';
import { decodeOffsetToken, encodeOffsetToken, queryFingerprint } from '../kit/page-token.js';
import { compileLoggingFilter } from './filter/compile.js';
import type { EntryPredicate } from './filter/compile.js';
import { LoggingFilterError } from './filter/lexer.js';
import type { LogEntry } from './log-entry.js';
import type { LogSource } from './log-source.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

const ListLogEntriesRequest = z.strictObject({
  resourceNames: z.array(z.string()).optional(),
  /** Deprecated in favour of resourceNames, still accepted by Google. */
  projectIds: z.array(z.string()).optional(),
  filter: z.string().optional(),
  orderBy: z.string().optional(),
  pageSize: z.number().int().optional(),
  pageToken: z.string().optional(),
});

export interface ListLogEntriesResponse {
  entries?: LogEntry[];
  nextPageToken?: string;
}

export async function listLogEntries(body: unknown, sources: readonly LogSource[]): Promise<ListLogEntriesResponse> {
  const request = ListLogEntriesRequest.parse(body);
  const projects = projectsOf(request.resourceNames ?? [], request.projectIds ?? []);
  const descending = orderDescending(request.orderBy);
  const matches = compile(request.filter);
  if (request.pageSize !== undefined && request.pageSize < 0) throw badRequest('pageSize must not be negative.', { location: 'pageSize' });
  const pageSize = !request.pageSize ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
  const fingerprint = queryFingerprint([projects, request.filter ?? '', descending]);
  const { offset } = decodeOffsetToken(request.pageToken, fingerprint);

  const found: { entry: LogEntry; at: bigint }[] = [];
  for (const project of projects) {
    for (const source of sources) {
      for (const entry of await source.entries(project)) {
        if (matches(entry)) found.push({ entry, at: parseTimestamp(entry.timestamp) ?? 0n });
      }
    }
  }
  found.sort((a, b) => (a.at === b.at ? (a.entry.insertId < b.entry.insertId ? -1 : a.entry.insertId > b.entry.insertId ? 1 : 0) : a.at < b.at ? -1 : 1));
  if (descending) found.reverse();
  const page = found.slice(offset, offset + pageSize).map((f) => f.entry);
  const more = offset + pageSize < found.length;
  return { ...(page.length ? { entries: page } : {}), ...(more ? { nextPageToken: encodeOffsetToken(fingerprint, offset + pageSize) } : {}) };
}

/** `projects/P` names; the other parents Logging accepts are outside the local emulator. */
function projectsOf(resourceNames: readonly string[], projectIds: readonly string[]): string[] {
  if (resourceNames.length === 0 && projectIds.length === 0) throw badRequest('resourceNames is required: name at least one parent such as "projects/my-project".', { location: 'resourceNames' });
  const projects = new Set(projectIds);
  for (const name of resourceNames) {
    const m = /^projects\/([^/]+)$/.exec(name);
    if (m) projects.add(m[1]!);
    else if (/^(projects|organizations|folders|billingAccounts)\//.test(name)) {
      throw badRequest(`resourceNames: "${name}" is not supported by the local Logging emulator; it holds project logs only ("projects/PROJECT_ID").`, { location: 'resourceNames' });
    } else {
      throw badRequest(`resourceNames: invalid resource name "${name}"; expected "projects/PROJECT_ID".`, { location: 'resourceNames' });
    }
  }
  return [...projects].sort();
}

function orderDescending(orderBy: string | undefined): boolean {
  const normalized = (orderBy ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
  if (normalized === '' || normalized === 'timestamp' || normalized === 'timestamp asc') return false;
  if (normalized === 'timestamp desc') return true;
  throw badRequest(`orderBy "${orderBy ?? ''}" is not supported: Logging orders by "timestamp asc" or "timestamp desc".`, { location: 'orderBy' });
}

function compile(filter: string | undefined): EntryPredicate {
  try {
    return compileLoggingFilter(filter);
  } catch (err) {
    if (err instanceof LoggingFilterError) throw badRequest(`Unparseable filter: ${err.message} (at column ${err.pos + 1})`, { location: 'filter' });
    throw err;
  }
}
