// Rows of the request-response logging table, in exactly the columns of the table Vertex creates
// (payloads hold one JSON string per instance and per prediction). Latency is not a column:
// Vertex reports it as the prediction_latencies metric in Cloud Monitoring (../metrics/).
import { randomInt } from 'node:crypto';

export interface RequestResponseRow {
  endpoint: string;
  deployed_model_id: string;
  /** RFC 3339; the column is a TIMESTAMP. */
  logging_time: string;
  /** Digits; the column is a NUMERIC, wider than a JS number holds exactly. */
  request_id: string;
  request_payload: string[];
  response_payload: string[];
}

// The columns are declared once, in infra/ (the Pulumi program creates the table with them).
export { REQUEST_RESPONSE_SCHEMA } from '../../../../infra/bigquery-log-tables.js';

export interface ExchangeRecord {
  endpoint: string;
  deployedModelId: string;
  /** The parsed predict request, or the raw body text for rawPredict. */
  request: unknown;
  /** The parsed predict response, or the raw body text. */
  response: unknown;
  at: Date;
}

export function requestResponseRow(record: ExchangeRecord): RequestResponseRow {
  return {
    endpoint: record.endpoint,
    deployed_model_id: record.deployedModelId,
    logging_time: record.at.toISOString(),
    request_id: requestId(),
    request_payload: payloadItems(record.request, 'instances'),
    response_payload: payloadItems(record.response, 'predictions'),
  };
}

/** `{instances: [a, b]}` → [json(a), json(b)]; anything else is logged whole. */
function payloadItems(payload: unknown, key: 'instances' | 'predictions'): string[] {
  if (typeof payload === 'string') return [payload];
  if (typeof payload === 'object' && payload !== null && key in payload) {
    const items: unknown = (payload as Record<string, unknown>)[key];
    if (Array.isArray(items)) return items.map((item) => JSON.stringify(item) ?? 'null');
  }
  return [JSON.stringify(payload) ?? 'null'];
}

/** 18 random digits, no leading zero. */
function requestId(): string {
  return `${randomInt(100_000_000, 1_000_000_000)}${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
}
