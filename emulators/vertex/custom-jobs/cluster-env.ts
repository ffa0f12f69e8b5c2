// The environment Vertex gives each training replica: its role in the cluster (CLUSTER_SPEC, and
// TF_CONFIG for TensorFlow), where to write outputs (AIP_*_DIR), and the PyTorch rendezvous vars.
import { joinGcsUri } from '../containers/gcs-paths.js';
import type { WorkerPool } from './worker-pools.js';

export interface ReplicaAddress {
  pool: number;
  index: number;
  /** `127.0.0.1:PORT`. */
  address: string;
}

export interface JobEnvContext {
  /** The numeric job id (CLOUD_ML_JOB_ID). */
  jobId: string;
  jobSpec: unknown;
  /** `baseOutputDirectory.outputUriPrefix`: AIP_*_DIR derive from it. */
  baseOutputDirectory: string | undefined;
  /** Hyperparameter tuning: the trial's id; its outputs go to `<base>/<trialId>/`. */
  trialId?: string;
  /** Hyperparameter tuning: where the trial writes its hypertune metrics. */
  metricFile?: string;
}

function clusterMap(pools: readonly WorkerPool[], addresses: readonly ReplicaAddress[]): Record<string, string[]> {
  const cluster: Record<string, string[]> = {};
  for (const pool of pools) {
    if (pool.replicaCount === 0) continue;
    cluster[pool.role.clusterType] = addresses.filter((a) => a.pool === pool.index).map((a) => a.address);
  }
  return cluster;
}

export function replicaEnv(pools: readonly WorkerPool[], addresses: readonly ReplicaAddress[], replica: ReplicaAddress, ctx: JobEnvContext): Record<string, string> {
  const pool = pools[replica.pool]!;
  const cluster = clusterMap(pools, addresses);
  const job = JSON.stringify(ctx.jobSpec);
  const clusterSpec = { cluster, environment: 'cloud', task: { type: pool.role.clusterType, index: replica.index, ...(ctx.trialId ? { trial: ctx.trialId } : {}) }, job };

  // TensorFlow's evaluator is not part of the training cluster.
  const tfCluster: Record<string, string[]> = {};
  for (const p of pools) {
    if (p.replicaCount === 0 || p.role.tfType === 'evaluator') continue;
    tfCluster[p.role.tfType] = cluster[p.role.clusterType] ?? [];
  }
  const tfConfig = { cluster: tfCluster, task: { type: pool.role.tfType, index: replica.index, ...(ctx.trialId ? { trial: ctx.trialId } : {}) }, environment: 'cloud', job };

  const chief = addresses.find((a) => a.pool === 0) ?? replica;
  const [masterAddr, masterPort] = chief.address.split(':');
  const trainingReplicas = addresses.filter((a) => pools[a.pool]?.role.tfType !== 'evaluator');
  const rank = trainingReplicas.findIndex((a) => a.pool === replica.pool && a.index === replica.index);

  const env: Record<string, string> = {
    CLUSTER_SPEC: JSON.stringify(clusterSpec),
    TF_CONFIG: JSON.stringify(tfConfig),
    CLOUD_ML_JOB_ID: ctx.jobId,
    MASTER_ADDR: masterAddr ?? '127.0.0.1',
    MASTER_PORT: masterPort ?? '',
    WORLD_SIZE: String(trainingReplicas.length),
    RANK: String(Math.max(rank, 0)),
  };
  if (ctx.baseOutputDirectory) {
    const base = ctx.trialId ? joinGcsUri(ctx.baseOutputDirectory, ctx.trialId) : ctx.baseOutputDirectory;
    env.AIP_MODEL_DIR = `${joinGcsUri(base, 'model')}/`;
    env.AIP_CHECKPOINT_DIR = `${joinGcsUri(base, 'checkpoints')}/`;
    env.AIP_TENSORBOARD_LOG_DIR = `${joinGcsUri(base, 'logs')}/`;
  }
  if (ctx.trialId) env.CLOUD_ML_TRIAL_ID = ctx.trialId;
  if (ctx.metricFile) env.CLOUD_ML_HP_METRIC_FILE = ctx.metricFile;
  return env;
}
