// The multi-replica PyTorch trainer: two processes on loopback, wired together by the same
// CLUSTER_SPEC Vertex gives a CustomJob's replicas, train one model with DDP over gloo.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogRecord } from './support.js';
import { freePort } from '../../emulators/kit/free-port.js';
import { makeWorkDir, pythonStack, readJson, runComponent, runPython } from './support.js';

const epochs = (logs: LogRecord[]): LogRecord[] => logs.filter((l) => l.message === 'epoch finished');

const stack = pythonStack('ddp trainer');

describe.skipIf(!stack.ok)('ddp trainer', () => {
  const work = makeWorkDir('ddp');
  afterAll(() => work.cleanup());

  it('maps CLUSTER_SPEC to ranks: the chief is rank 0, workerpool1 replica i is rank 1 + i', async () => {
    const script = `
import json
from mlops_components.cluster import from_cluster_spec
cluster = {"workerpool0": ["chief:2222"], "workerpool1": ["w0:2222", "w1:2222", "w2:2222"], "workerpool2": ["rs:2222"]}
tasks = [("workerpool0", 0), ("workerpool1", 0), ("workerpool1", 2), ("workerpool2", 0)]
print(json.dumps([vars(from_cluster_spec({"cluster": cluster, "task": {"type": t, "index": i}})) for t, i in tasks]))
`;
    const result = await runPython(['-c', script]);
    expect(result.code, result.stderr).toBe(0);
    const topologies = JSON.parse(result.stdout) as { rank: number; world_size: number; master_addr: string; master_port: number }[];
    expect(topologies.map((t) => t.rank)).toEqual([0, 1, 3, -1]);
    expect(topologies.every((t) => t.world_size === 4 && t.master_addr === 'chief' && t.master_port === 2222)).toBe(true);
  }, 20_000);

  it('trains across two replicas on loopback; both finish and only the chief writes the model', async () => {
    const [chiefPort, workerPort] = [await freePort(), await freePort()];
    const cluster = { workerpool0: [`127.0.0.1:${chiefPort}`], workerpool1: [`127.0.0.1:${workerPort}`] };
    const spec = (type: string) => JSON.stringify({ cluster, task: { type, index: 0 }, environment: 'cloud', job: '{}' });
    const modelDir = join(work.dir, 'model');
    // A CSV with a numeric target and a string column the MLP must leave out.
    const rows = Array.from({ length: 400 }, (_, i) => {
      const a = Math.sin(i), b = Math.cos(i * 0.7), c = (i % 17) / 17;
      return `${a},${b},${c},k${i % 3},${(2 * a - b + 0.5 * c).toFixed(5)}`;
    });
    writeFileSync(join(work.dir, 'data.csv'), `a,b,c,kind,y\n${rows.join('\n')}\n`);
    const args = ['--data', join(work.dir, 'data.csv'), '--target-column', 'y', '--epochs', '3', '--batch-size', '32',
      '--hidden-units', '16', '--init-timeout-seconds', '60', '--hypertune-metric', 'rmse'];
    const env = (type: string) => ({ CLUSTER_SPEC: spec(type), AIP_MODEL_DIR: modelDir, CLOUD_ML_HP_METRIC_FILE: join(work.dir, `hp-${type}`) });

    const [chief, worker] = await Promise.all([
      runComponent('ddp_trainer', args, { env: env('workerpool0'), timeoutMs: 90_000, unpooled: true }),
      runComponent('ddp_trainer', args, { env: env('workerpool1'), timeoutMs: 90_000, unpooled: true }),
    ]);
    expect(chief.code, chief.stderr).toBe(0);
    expect(worker.code, worker.stderr).toBe(0);

    const chiefEpochs = epochs(chief.logs);
    const workerEpochs = epochs(worker.logs);
    expect(chiefEpochs.map((l) => [l.rank, l.world_size, l.epoch])).toEqual([[0, 2, 1], [0, 2, 2], [0, 2, 3]]);
    expect(workerEpochs.map((l) => [l.rank, l.world_size, l.epoch])).toEqual([[1, 2, 1], [1, 2, 2], [1, 2, 3]]);
    // The loss is all-reduced: both ranks log the same global value each epoch, over all rows.
    expect(workerEpochs.map((l) => l.loss)).toEqual(chiefEpochs.map((l) => l.loss));
    expect(chiefEpochs.every((l) => l.rows === 320)).toBe(true);
    expect(Number(chiefEpochs.at(-1)?.loss)).toBeLessThan(Number(chiefEpochs[0]?.loss));

    expect(chief.logs.some((l) => l.message === 'model written')).toBe(true);
    expect(worker.logs.some((l) => l.message === 'model written')).toBe(false);
    for (const file of ['model.pt', 'model_scripted.pt', 'model_config.json']) expect(existsSync(join(modelDir, file)), file).toBe(true);
    const config = readJson<{ feature_names: string[]; world_size: number }>(join(modelDir, 'model_config.json'));
    expect(config).toMatchObject({ feature_names: ['a', 'b', 'c'], world_size: 2 });
    // Only the chief reports to the tuning service.
    expect(existsSync(join(work.dir, 'hp-workerpool0'))).toBe(true);
    expect(existsSync(join(work.dir, 'hp-workerpool1'))).toBe(false);
  }, 120_000);
});
