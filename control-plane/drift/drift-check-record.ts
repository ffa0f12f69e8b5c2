// What one check of one model found, as the API shows it and the state bucket keeps it (the latest
// per model, `model-checks/{model}.json`: the alert handler reads the drifted features from it).
import { z } from 'zod';
import type { ControlPlaneContext } from '../runtime/context.js';

const FeatureResult = z.object({
  feature: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  servingCount: z.number(),
  missingFraction: z.number(),
  distance: z.object({ metric: z.enum(['jensen_shannon', 'l_infinity']), value: z.number().optional() }),
  psi: z.number().optional(),
  psiTier: z.string().optional(),
  /** Enough instances per bin for PSI and its tier to mean something (else neither alerts nor triggers). */
  psiReliable: z.boolean().default(true),
  ks: z.number().optional(),
  threshold: z.number(),
  psiThreshold: z.number().optional(),
  drifted: z.boolean(),
});
export type FeatureResult = z.infer<typeof FeatureResult>;

const VersionDrift = z.object({
  /** `projects/.../models/m@N` */
  version: z.string(),
  versionId: z.string(),
  deployedModelId: z.string(),
  trafficPercent: z.number(),
  servedInstances: z.number(),
  /** Why the version was not scored (too little traffic). */
  insufficient: z.string().optional(),
  features: z.array(FeatureResult),
  /** Features beyond their thresholds. */
  drifted: z.array(z.string()),
  error: z.string().optional(),
});
export type VersionDrift = z.infer<typeof VersionDrift>;

const PerformanceResult = z.object({
  version: z.string(),
  metric: z.string(),
  n: z.number(),
  value: z.number().optional(),
  bound: z.object({ min: z.number().optional(), max: z.number().optional() }),
  breached: z.boolean(),
  insufficient: z.string().optional(),
});
export type PerformanceResult = z.infer<typeof PerformanceResult>;

const AgeResult = z.object({ version: z.string(), createTime: z.string(), ageSeconds: z.number(), maxAgeSeconds: z.number(), breached: z.boolean() });
export type AgeResult = z.infer<typeof AgeResult>;

const RetrainResult = z.object({ trigger: z.string(), action: z.enum(['TRIGGERED', 'DEBOUNCED', 'ALREADY_REQUESTED']), requestId: z.string(), trainingRun: z.string().optional(), debouncedBy: z.string().optional(), reason: z.string() });

export const ModelCheckRecord = z.object({
  model: z.string(),
  checkId: z.string(),
  checkedAt: z.string(),
  window: z.object({ start: z.string(), end: z.string() }),
  versions: z.array(VersionDrift),
  performance: PerformanceResult.optional(),
  age: AgeResult.optional(),
  retrains: z.array(RetrainResult),
  /** Why nothing was checked (no endpoint, no logging, nothing deployed). */
  skipped: z.string().optional(),
  /** Why the scores did not reach Cloud Monitoring (e.g. a check within 5 s of the previous one). */
  monitoringError: z.string().optional(),
});
export type ModelCheckRecord = z.infer<typeof ModelCheckRecord>;

const pathOf = (model: string) => `model-checks/${model}.json`;

export async function readLatestCheck(ctx: ControlPlaneContext, model: string): Promise<ModelCheckRecord | undefined> {
  return (await ctx.state.read(pathOf(model), ModelCheckRecord))?.value;
}

/** Keeps the newest check (by checkedAt) whatever order concurrent checks finish in. */
export async function writeLatestCheck(ctx: ControlPlaneContext, record: ModelCheckRecord): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await ctx.state.read(pathOf(record.model), ModelCheckRecord);
    if (current && current.value.checkedAt > record.checkedAt) return;
    const written = current ? await ctx.state.replace(pathOf(record.model), record, current.generation) : await ctx.state.create(pathOf(record.model), record);
    if (written !== undefined) return;
  }
}
