// The control plane of this function instance: settings and model specs read once, clients built on
// first use. A configuration error (a bad variable, a bad spec) is kept and thrown at each call, so
// every request answers it clearly instead of the instance failing to start.
import { clientEnvironment } from '../../google-clients/environment.js';
import { ModelCatalog, modelSpecsDir } from '../config/load-model-specs.js';
import { lazyClients } from './clients.js';
import type { ControlPlaneContext } from './context.js';
import { controlPlaneContext } from './context.js';
import { readSettings } from './settings.js';

let instance: { context?: ControlPlaneContext; error?: Error } | undefined;

export function controlPlaneFromEnvironment(env: NodeJS.ProcessEnv = process.env): ControlPlaneContext {
  if (instance === undefined) {
    try {
      const settings = readSettings(env);
      const models = ModelCatalog.load(settings.environment, settings.modelSpecsDir ?? modelSpecsDir(env));
      const ce = clientEnvironment(env);
      instance = { context: controlPlaneContext(settings, models, lazyClients(ce, settings.region), ce) };
    } catch (error) {
      instance = { error: error instanceof Error ? error : new Error(JSON.stringify(error)) };
    }
  }
  if (instance.error !== undefined) throw instance.error;
  return instance.context!;
}
