// What loading a Vertex AI client costs a fresh Node process: the time from before the import to
// after one client is built, measured inside a new `node` each time (nothing cached in memory).
import { execFile } from 'node:child_process';
import { z } from 'zod';
import { REPO_ROOT } from '../../emulators/functions/bundle.js';

const V1 = '@google-cloud/aiplatform/build/src/v1';
/** The service modules google-clients/vertex.ts imports (what the control plane loads for any Vertex call). */
const CONTROL_PLANE_MODULES = ['endpoint_service_client', 'job_service_client', 'model_service_client', 'pipeline_service_client', 'prediction_service_client'];
const CLIENT_OPTIONS = "{ apiEndpoint: 'us-central1-aiplatform.googleapis.com', projectId: 'bench-project' }";

export const CLIENT_IMPORTS = {
  /** Only the PipelineServiceClient's own module. */
  'PipelineServiceClient module': `const { PipelineServiceClient } = await import('${V1}/pipeline_service_client.js');\nnew PipelineServiceClient(${CLIENT_OPTIONS});`,
  /** The package's root, which loads every v1 and v1beta1 client. */
  '@google-cloud/aiplatform root': `const { v1 } = await import('@google-cloud/aiplatform');\nnew v1.PipelineServiceClient(${CLIENT_OPTIONS});`,
  /** The five service modules the control plane imports together. */
  'control plane Vertex modules (5)': `const mods = await Promise.all(${JSON.stringify(CONTROL_PLANE_MODULES.map((m) => `${V1}/${m}.js`))}.map((s) => import(s)));\nnew (mods.find((m) => m.PipelineServiceClient).PipelineServiceClient)(${CLIENT_OPTIONS});`,
} as const;
export type ClientImport = keyof typeof CLIENT_IMPORTS;

const Printed = z.object({ ms: z.number().positive() });

/** Import + build time in ms of one variant, in a new node with `env` (e.g. the functions' NODE_OPTIONS). */
export function timeClientImport(variant: ClientImport, env: Readonly<Record<string, string>>): Promise<number> {
  const script = `const t0 = performance.now();\n${CLIENT_IMPORTS[variant]}\nprocess.stdout.write(JSON.stringify({ ms: performance.now() - t0 }));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, env: { ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`timing ${variant}: ${err.message}\n${stderr}`));
      const parsed = Printed.safeParse(JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null'));
      if (!parsed.success) return reject(new Error(`timing ${variant}: unexpected output ${JSON.stringify(stdout.slice(0, 200))}`));
      resolve(parsed.data.ms);
    });
  });
}
