// The two filter dialects this API has: time series filters (timeSeries.list) and metric
// descriptor filters (metricDescriptors.list), with Google-shaped 400s for anything invalid.
import { GoogleApiError } from '../../kit/google-error.js';
import type { MetricDescriptor, SeriesIdentity } from '../model.js';
import { invalidField } from '../validation.js';
import { compileFilter, singleMetricType, type Predicate } from './evaluate.js';
import { FilterSyntaxError } from './lexer.js';
import { parseFilter } from './parser.js';

export interface SeriesSubject {
  project: string;
  identity: SeriesIdentity;
}

const LABEL_SELECTOR = /^(metric|resource)\.labels?\.(.+)$/;

function seriesSelector(selector: string): ((s: SeriesSubject) => string | undefined) | undefined {
  if (selector === 'metric.type') return (s) => s.identity.metricType;
  if (selector === 'resource.type') return (s) => s.identity.resourceType;
  if (selector === 'project') return (s) => s.project;
  const m = LABEL_SELECTOR.exec(selector);
  if (!m) return undefined;
  const key = m[2]!;
  return m[1] === 'metric' ? (s) => s.identity.metricLabels[key] : (s) => s.identity.resourceLabels[key];
}

function descriptorSelector(selector: string): ((d: MetricDescriptor) => string | undefined) | undefined {
  if (selector === 'metric.type') return (d) => d.type;
  return undefined;
}

function toApiError(filter: string, err: unknown, field = 'filter'): unknown {
  if (!(err instanceof FilterSyntaxError)) return err;
  const where = err.pos > 0 ? ` (at position ${err.pos})` : '';
  return invalidField(field, `${err.message}${where}.`, filter);
}

export interface SeriesFilter {
  metricType: string;
  matches: Predicate<SeriesSubject>;
}

/** `field` names the filter in errors: `filter` for timeSeries.list, a condition's path for alerting. */
export function compileSeriesFilter(filter: string | undefined, field = 'filter'): SeriesFilter {
  if (!filter?.trim()) throw new GoogleApiError(400, `Field ${field} had an invalid value: A filter is required and must specify a metric type.`, { location: field });
  try {
    const expr = parseFilter(filter);
    const matches = compileFilter(expr, seriesSelector, 'metric.type, metric.labels.<key>, resource.type, resource.labels.<key>, project');
    return { metricType: singleMetricType(expr), matches };
  } catch (err) {
    throw toApiError(filter, err, field);
  }
}

/** An empty filter matches every descriptor. */
export function compileDescriptorFilter(filter: string | undefined): Predicate<MetricDescriptor> {
  if (!filter?.trim()) return () => true;
  try {
    return compileFilter(parseFilter(filter), descriptorSelector, 'metric.type');
  } catch (err) {
    throw toApiError(filter, err);
  }
}
