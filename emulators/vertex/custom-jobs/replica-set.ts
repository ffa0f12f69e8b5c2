// One attempt at running every replica of a CustomJob as local processes. The chief decides:
// its exit 0 ends the job successfully (remaining replicas, e.g. parameter servers, are stopped);
// any replica exiting non-zero fails the attempt and stops the rest.
import { join } from 'node:path';
import { freePort } from '../../kit/free-port.js';
import type { ContainerLauncher, LaunchResult } from '../containers/launcher.js';
import { errorMessage } from '../api/errors.js';
import type { JobEnvContext, ReplicaAddress } from './cluster-env.js';
import { replicaEnv } from './cluster-env.js';
import type { WorkerPool } from './worker-pools.js';

export interface ReplicaSetRequest {
  pools: readonly WorkerPool[];
  env: JobEnvContext;
  /** Appended to every replica's args (hyperparameters of a trial). */
  extraArgs: readonly string[];
  /** Extra environment for every replica (PYTHONPATH of python packages). */
  extraEnv: Readonly<Record<string, string>>;
  logDir: string;
  workDir: string;
  /** Aborting stops every replica. */
  signal: AbortSignal;
  /** Called once every replica has been started. */
  onStarted?: () => void;
}

export type AttemptResult =
  | { kind: 'succeeded' }
  | { kind: 'aborted' }
  /** A replica failed; `chief` tells whether it was the chief. */
  | { kind: 'failed'; chief: boolean; message: string };

interface Finished {
  replica: ReplicaAddress;
  result: LaunchResult;
}

function replicaLabel(replica: Pick<ReplicaAddress, 'pool' | 'index'>): string {
  return `workerpool${replica.pool}-${replica.index}`;
}

export function replicaLogFile(logDir: string, replica: Pick<ReplicaAddress, 'pool' | 'index'>): string {
  return join(logDir, `${replicaLabel(replica)}.log`);
}

async function allocateAddresses(pools: readonly WorkerPool[]): Promise<ReplicaAddress[]> {
  const addresses: ReplicaAddress[] = [];
  for (const pool of pools) {
    for (let index = 0; index < pool.replicaCount; index++) {
      addresses.push({ pool: pool.index, index, address: `127.0.0.1:${await freePort()}` });
    }
  }
  return addresses;
}

function failureMessage(replica: ReplicaAddress, result: LaunchResult, logFile: string): string {
  const what = result.error
    ? `could not be started: ${result.error}`
    : result.signal
      ? `was terminated by signal ${result.signal}`
      : `exited with a non-zero status of ${result.exitCode ?? 'unknown'}`;
  return `The replica ${replicaLabel(replica)} ${what}. To find out more about why your job exited please check the logs: ${logFile}`;
}

export async function runReplicaSet(launcher: ContainerLauncher, request: ReplicaSetRequest): Promise<AttemptResult> {
  const addresses = await allocateAddresses(request.pools);
  const stopAll = new AbortController();
  const signal = AbortSignal.any([request.signal, stopAll.signal]);
  const running = new Map<string, Promise<Finished>>();

  for (const replica of addresses) {
    const pool = request.pools[replica.pool]!;
    const launch = pool.launch!;
    const logFile = replicaLogFile(request.logDir, replica);
    const env = { ...launch.env, ...request.extraEnv, ...replicaEnv(request.pools, addresses, replica, request.env) };
    const result = launcher
      .launch({
        image: launch.image,
        command: launch.command,
        args: [...launch.args, ...request.extraArgs],
        env,
        workDir: join(request.workDir, replicaLabel(replica)),
        logFile,
        signal,
        ...(launch.cpus !== undefined ? { cpus: launch.cpus } : {}),
      })
      .catch((err: unknown): LaunchResult => ({ exitCode: null, signal: null, error: errorMessage(err) }))
      .then((r) => ({ replica, result: r }));
    running.set(replicaLabel(replica), result);
  }
  request.onStarted?.();

  let outcome: AttemptResult | undefined;
  while (running.size > 0 && outcome === undefined) {
    const { replica, result } = await Promise.race(running.values());
    running.delete(replicaLabel(replica));
    if (signal.aborted) break;
    const chief = replica.pool === 0;
    const ok = result.exitCode === 0 && result.error === undefined;
    if (chief && ok) outcome = { kind: 'succeeded' };
    else if (!ok) outcome = { kind: 'failed', chief, message: failureMessage(replica, result, replicaLogFile(request.logDir, replica)) };
  }
  stopAll.abort();
  await Promise.allSettled(running.values());
  if (request.signal.aborted) return { kind: 'aborted' };
  return outcome ?? { kind: 'aborted' };
}
