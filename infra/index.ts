// The Pulumi program (infra/Pulumi.yaml runs this file through tsx): the stack's configuration,
// the model specs resolved for its environment, and the whole stack. Exports are the stack outputs.
import { loadModelSpecs, resolveForEnvironment } from '../control-plane/config/load-model-specs.js';
import { readStackConfig, resolveStackPaths } from './config.js';
import { defineStack } from './stack.js';

const config = resolveStackPaths(readStackConfig());
const specs = loadModelSpecs(config.modelSpecsDir).map((spec) => resolveForEnvironment(spec, config.environment));

export const { apiUrl, buckets, topics, endpoints } = defineStack(config, specs);
