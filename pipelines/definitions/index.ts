// Every pipeline the project ships; `npm run compile` writes each to dist/pipelines/.
import type { PipelineDefinition } from '../dsl/pipeline-definition.js';
import { evaluationPipeline } from './evaluation-pipeline.js';
import { trainingPipeline, trainingPipelineWithTuning } from './training-pipeline.js';
import { tuningPipeline } from './tuning-pipeline.js';

export function projectPipelines(options: { componentImage?: string } = {}): PipelineDefinition[] {
  return [trainingPipeline(options), trainingPipelineWithTuning(options), evaluationPipeline(options), tuningPipeline(options)];
}
