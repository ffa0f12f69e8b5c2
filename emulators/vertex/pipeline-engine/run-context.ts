// What every part of one job's execution shares.
import type { ContainerLauncher } from '../containers/launcher.js';
import type { PipelineSpec } from '../../../pipelines/ir/index.js';
import type { JobDetailRecorder, TaskRecord } from './job-detail.js';
import type { SystemValues } from './placeholders.js';
import type { Semaphore } from './semaphore.js';

export interface JobInfo {
  /** `projects/P/locations/L/pipelineJobs/ID`. */
  name: string;
  id: string;
  /** `projects/P/locations/L`. */
  parent: string;
  uid: string;
  createTime: string;
  /** `gs://...` without a trailing slash. */
  pipelineRoot: string;
  pipelineName: string;
}

export interface RunContext {
  readonly job: JobInfo;
  readonly spec: PipelineSpec;
  readonly storageRoot: string;
  readonly cacheDir: string;
  /** `<logDir>/<job id>`. */
  readonly logDir: string;
  /** Per-job folder of container working directories. */
  readonly workDir: string;
  readonly launcher: ContainerLauncher;
  readonly signal: AbortSignal;
  readonly failFast: boolean;
  /** Set when a task fails under FAIL_FAST: nothing new starts except exit tasks. */
  stopScheduling: boolean;
  /** Containers running at once. */
  readonly slots: Semaphore;
  readonly recorder: JobDetailRecorder;
}

export function systemValues(job: JobInfo, task: TaskRecord): SystemValues {
  return {
    pipeline_job_name: job.id,
    pipeline_job_resource_name: job.name,
    pipeline_job_uuid: job.uid,
    pipeline_task_name: task.taskName,
    pipeline_task_uuid: task.taskId,
    pipeline_root: job.pipelineRoot,
    pipeline_job_create_time_utc: job.createTime,
    // Not scheduled: the run starts when it is created.
    pipeline_job_schedule_time_utc: job.createTime,
  };
}
