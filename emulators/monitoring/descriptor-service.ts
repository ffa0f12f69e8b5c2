// metricDescriptors.{create,get,list,delete} and monitoredResourceDescriptors.{list,get}.
import { notFound } from '../kit/google-error.js';
import { compileDescriptorFilter } from './filter/compile.js';
import { compileFilter } from './filter/evaluate.js';
import { FilterSyntaxError } from './filter/lexer.js';
import { parseFilter } from './filter/parser.js';
import { descriptorFromRequest, descriptorName, mergeDescriptor, readForm, storedForm } from './descriptors.js';
import type { Encoding } from './enums.js';
import { nowNs, parseInt32, NS_PER_SECOND } from './proto-json.js';
import { decodeOffsetToken, effectivePageSize, encodeOffsetToken, queryFingerprint } from '../kit/page-token.js';
import { renderDescriptor, renderResourceDescriptor } from './render.js';
import { MetricDescriptorSchema } from './request-schemas.js';
import { findResourceType, listResourceTypes, type ResourceType } from './resources.js';
import type { MonitoringStore } from './store.js';
import { isSystemMetricType } from './system-metrics.js';
import { bindQuery, invalidField, parseBody, queryValue } from './validation.js';

const MAX_PAGE_SIZE = 10_000;
/** activeOnly: "recent data (within roughly 25 hours)". */
const ACTIVE_WINDOW_NS = 25n * 3600n * NS_PER_SECOND;

type Json = Record<string, unknown>;

export class DescriptorService {
  constructor(private readonly store: MonitoringStore) {}

  /** Upsert, as Google does: an existing descriptor is replaced, keeping its labels. */
  async create(project: string, query: URLSearchParams, body: unknown, enc: Encoding): Promise<Json> {
    bindQuery(query, { singular: [] });
    const descriptor = descriptorFromRequest(project, parseBody(MetricDescriptorSchema, body, ['metricDescriptor']));
    const existing = await this.store.getDescriptor(project, descriptor.type);
    const stored = existing ? mergeDescriptor(existing, descriptor) : storedForm(descriptor);
    // Docs: altering a descriptor makes the metric's existing data unusable; here it is dropped.
    const dropData = existing !== undefined && (existing.metricKind !== descriptor.metricKind || existing.valueType !== descriptor.valueType);
    await this.store.putDescriptor(project, stored, { dropData });
    return renderDescriptor(descriptor, enc);
  }

  async get(project: string, type: string, query: URLSearchParams, enc: Encoding): Promise<Json> {
    bindQuery(query, { singular: [] });
    return renderDescriptor(readForm(await this.require(project, type)), enc);
  }

  async delete(project: string, type: string, query: URLSearchParams): Promise<Json> {
    bindQuery(query, { singular: [] });
    // Built-in metrics belong to their service: create already refuses their types, delete does too.
    if (isSystemMetricType(type)) {
      throw invalidField('name', `Only descriptors of user-defined metrics can be deleted; ${type} is a built-in metric.`, descriptorName(project, type));
    }
    if (!(await this.store.deleteDescriptor(project, type))) throw missingDescriptor(type);
    return {};
  }

  async list(project: string, query: URLSearchParams, enc: Encoding): Promise<Json> {
    const bound = bindQuery(query, { singular: ['filter', 'pageSize', 'pageToken', 'activeOnly'] });
    const filter = bound.get('filter')?.[0];
    const matches = compileDescriptorFilter(filter);
    const pageSize = effectivePageSize(queryValue(bound, 'pageSize', 'TYPE_INT32', parseInt32), MAX_PAGE_SIZE);
    const activeOnly = queryValue(bound, 'activeOnly', 'TYPE_BOOL', (raw) => (raw === 'true' ? true : raw === 'false' ? false : undefined)) ?? false;
    const fingerprint = queryFingerprint(['metricDescriptors', project, filter ?? '', activeOnly]);
    const { offset } = decodeOffsetToken(bound.get('pageToken')?.[0], fingerprint);

    let all = (await this.store.listDescriptors(project)).filter(matches);
    if (activeOnly) all = all.filter((d) => this.hasRecentData(project, d.type));
    const page = all.slice(offset, offset + pageSize);
    return {
      ...(page.length > 0 ? { metricDescriptors: page.map((d) => renderDescriptor(readForm(d), enc)) } : {}),
      ...(offset + pageSize < all.length ? { nextPageToken: encodeOffsetToken(fingerprint, offset + pageSize) } : {}),
    };
  }

  listResources(project: string, query: URLSearchParams, enc: Encoding): Json {
    const bound = bindQuery(query, { singular: ['filter', 'pageSize', 'pageToken'] });
    const filter = bound.get('filter')?.[0];
    let matches: (r: ResourceType) => boolean = () => true;
    if (filter?.trim()) {
      try {
        matches = compileFilter(parseFilter(filter), (s) => (s === 'resource.type' ? (r: ResourceType) => r.type : undefined), 'resource.type');
      } catch (err) {
        if (err instanceof FilterSyntaxError) throw invalidField('filter', `${err.message}.`, filter);
        throw err;
      }
    }
    const pageSize = effectivePageSize(queryValue(bound, 'pageSize', 'TYPE_INT32', parseInt32), MAX_PAGE_SIZE);
    const fingerprint = queryFingerprint(['monitoredResourceDescriptors', project, filter ?? '']);
    const { offset } = decodeOffsetToken(bound.get('pageToken')?.[0], fingerprint);
    const all = listResourceTypes().filter(matches);
    const page = all.slice(offset, offset + pageSize);
    return {
      ...(page.length > 0 ? { resourceDescriptors: page.map((r) => renderResourceDescriptor(project, r, enc)) } : {}),
      ...(offset + pageSize < all.length ? { nextPageToken: encodeOffsetToken(fingerprint, offset + pageSize) } : {}),
    };
  }

  getResource(project: string, type: string, query: URLSearchParams, enc: Encoding): Json {
    bindQuery(query, { singular: [] });
    const resource = findResourceType(type);
    if (!resource) throw notFound(`The monitored resource descriptor projects/${project}/monitoredResourceDescriptors/${type} does not exist.`);
    return renderResourceDescriptor(project, resource, enc);
  }

  private async require(project: string, type: string) {
    const descriptor = await this.store.getDescriptor(project, type);
    if (!descriptor) throw missingDescriptor(type);
    return descriptor;
  }

  private hasRecentData(project: string, type: string): boolean {
    const since = nowNs() - ACTIVE_WINDOW_NS;
    return this.store.seriesOfMetric(project, type).some((s) => (this.store.lastPoint(s.id)?.endNs ?? 0n) >= since);
  }
}

function missingDescriptor(type: string) {
  return notFound(`Could not find descriptor for metric '${type}'.`);
}
