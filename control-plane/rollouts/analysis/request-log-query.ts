// What the request-response log analyses share: the window of log rows, validated, and its filter as
// named parameters (table references, column names and the aggregate query itself are re-exported
// from ../../analysis/bigquery-query.ts).
import { z } from 'zod';
import type { TableRef } from '../../analysis/bigquery-query.js';
import { tableRefSchema } from '../../analysis/bigquery-query.js';

// The shared part lives in ../../analysis/bigquery-query.ts (the drift check uses it too).
export type { TableRef } from '../../analysis/bigquery-query.js';
export { aggregateRows, columnNameSchema, tableRefSchema, tableSql } from '../../analysis/bigquery-query.js';

/** The log rows one comparison reads: one endpoint, two deployed models, `[start, end)`. */
export interface LogWindow {
  readonly logTable: TableRef;
  /** `projects/P/locations/L/endpoints/E`, as Vertex writes it in the log's `endpoint` column. */
  readonly endpoint: string;
  readonly stableDeployedModelId: string;
  readonly canaryDeployedModelId: string;
  readonly start: Date;
  readonly end: Date;
}

export const logWindowSchema = z
  .object({
    logTable: tableRefSchema,
    endpoint: z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/endpoints\/[^/]+$/, 'projects/P/locations/L/endpoints/E'),
    stableDeployedModelId: z.string().min(1),
    canaryDeployedModelId: z.string().min(1),
    start: z.date(),
    end: z.date(),
  })
  .refine((w) => w.start.getTime() < w.end.getTime(), { message: 'start must be before end', path: ['end'] })
  .refine((w) => w.stableDeployedModelId !== w.canaryDeployedModelId, { message: 'the canary and the stable deployed model must differ', path: ['canaryDeployedModelId'] });

/** The WHERE clause over the log (alias `log`) and its parameters. */
export function windowFilter(window: LogWindow): { sql: string; params: Record<string, unknown>; types: Record<string, string> } {
  return {
    sql: [
      'log.endpoint = @endpoint',
      'log.deployed_model_id IN (@stable_deployed_model_id, @canary_deployed_model_id)',
      'log.logging_time >= @window_start',
      'log.logging_time < @window_end',
    ].join('\n    AND '),
    params: {
      endpoint: window.endpoint,
      stable_deployed_model_id: window.stableDeployedModelId,
      canary_deployed_model_id: window.canaryDeployedModelId,
      window_start: window.start,
      window_end: window.end,
    },
    types: {
      endpoint: 'STRING',
      stable_deployed_model_id: 'STRING',
      canary_deployed_model_id: 'STRING',
      window_start: 'TIMESTAMP',
      window_end: 'TIMESTAMP',
    },
  };
}

/** Which version a log row's deployed model id is, or undefined for neither. */
export function versionOf(window: LogWindow, deployedModelId: string): 'stable' | 'canary' | undefined {
  if (deployedModelId === window.stableDeployedModelId) return 'stable';
  if (deployedModelId === window.canaryDeployedModelId) return 'canary';
  return undefined;
}
