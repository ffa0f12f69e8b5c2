// What loading a Vertex AI client costs a fresh Node process: the time from before the import to
// after one client is built, measured inside a new `node` each time (nothing cached in memory).
// Building is most of it for gRPC (the default, as deployed): the REST fallback the local emulator's
// options select builds several times faster, so each transport is its own reference.
import { execFile } from 'node:child_process';
import { z } from 'zod';
import { REPO_ROOT } from '../../emulators/functions/bundle.js';

const V1 = '@google-cloud/aiplatform/build/src/v1';
/** The service modules google-clients/vertex.ts imports (what the control plane loads for any Vertex call). */
const CONTROL_PLANE_MODULES = ['endpoint_service_client', 'job_service_client', 'model_service_client', 'pipeline_service_client', 'prediction_service_client'];
const GRPC = "{ apiEndpoint: 'us-central1-aiplatform.googleapis.com', projectId: 'bench-project' }";
/** What google-clients/environment.ts emulatorGaxOptions gives a client against an emulator (less the auth client). */
const REST = "{ apiEndpoint: '127.0.0.1', port: 9, protocol: 'http', fallback: 'rest', projectId: 'bench-project' }";

const moduleOnly = (options: string) => `const { PipelineServiceClient } = await import('${V1}/pipeline_service_client.js');\nnew PipelineServiceClient(${options});`;

export const CLIENT_IMPORTS = {
  'PipelineServiceClient module, gRPC (deployed)': moduleOnly(GRPC),
  'PipelineServiceClient module, REST (emulator)': moduleOnly(REST),
  'control plane Vertex modules (5), REST (emulator)': `const mods = await Promise.all(${JSON.stringify(CONTROL_PLANE_MODULES.map((m) => `${V1}/${m}.js`))}.map((s) => import(s)));\nnew (mods.find((m) => m.JobServiceClient).JobServiceClient)(${REST});`,
  '@google-cloud/aiplatform root, gRPC': `const { v1 } = await import('@google-cloud/aiplatform');\nnew v1.PipelineServiceClient(${GRPC});`,
} as const;
export type ClientImport = keyof typeof CLIENT_IMPORTS;

const Printed = z.object({ ms: z.number().positive() });

/** Import + build time in ms of one variant, in a new node with `env` (the functions' own environment). */
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
