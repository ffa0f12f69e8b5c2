// What the console reads from Google's APIs directly, through the clients google-clients/ builds
// (so the same code reads the local cloud or a real project): Vertex AI PipelineJobs, Cloud
// Monitoring's drift series, and Cloud Storage objects (the tuning plots).
import type { ClientEnvironment } from '../google-clients/environment.js';
import { metricServiceClient } from '../google-clients/monitoring.js';
import { storageClient } from '../google-clients/storage.js';
import type { VertexClients } from '../google-clients/vertex.js';
import { vertexClients } from '../google-clients/vertex.js';
import type { protos } from '@google-cloud/aiplatform';
import type { Loaded } from './api-client.js';
import { readRetryingReset } from './connection-reset.js';

/** Drift scores per feature, as checkDrift writes them (control-plane/config/drift-metrics.ts). */
export const FEATURE_SCORE_METRIC = 'custom.googleapis.com/mlops/drift/feature_score';

export interface PipelineTask {
  readonly taskId: string;
  readonly parentTaskId?: string;
  readonly name: string;
  readonly state: string;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly error?: string;
}

export interface PipelineRun {
  readonly name: string;
  readonly id: string;
  readonly displayName: string;
  readonly state: string;
  readonly createTime?: string;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly error?: string;
  readonly tasks: readonly PipelineTask[];
  /** The compiled PipelineSpec as JSON (its `root.dag` and `components`). */
  readonly pipelineSpec?: unknown;
}

/** One page of a model's pipeline runs; `more`: older runs exist that are not shown. */
export interface PipelineRunList {
  readonly runs: readonly PipelineRun[];
  readonly more: boolean;
}

/** How many of a model's newest pipeline runs a page lists. */
export const PIPELINE_RUNS_PAGE = 50;
const PIPELINE_JOB_ID = /^[a-z0-9-]{1,128}$/;

export interface SeriesPoint {
  readonly at: string;
  readonly value: number;
}

export interface FeatureSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly points: readonly SeriesPoint[];
}

type Timestamp = { seconds?: unknown; nanos?: unknown } | null | undefined;
function iso(t: Timestamp): string | undefined {
  if (!t || t.seconds === undefined || t.seconds === null) return undefined;
  return new Date(Number(t.seconds) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6)).toISOString();
}

/** A protobuf Struct/Value (as the REST fallback hands it over: `fields`, `kind`) back to plain JSON. */
export function plainJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plainJson);
  const v = value as Record<string, unknown>;
  const kind = typeof v.kind === 'string' ? v.kind : VALUE_KINDS.find((k) => v[k] !== undefined && v[k] !== null);
  if (kind !== undefined && VALUE_KINDS.includes(kind)) {
    if (kind === 'nullValue') return null;
    if (kind === 'listValue') return ((v.listValue as { values?: unknown[] } | undefined)?.values ?? []).map(plainJson);
    return plainJson(v[kind]);
  }
  if (typeof v.fields === 'object' && v.fields !== null) {
    return Object.fromEntries(Object.entries(v.fields as Record<string, unknown>).map(([k, x]) => [k, plainJson(x)]));
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainJson(x)]));
}

const VALUE_KINDS = ['stringValue', 'numberValue', 'boolValue', 'structValue', 'listValue', 'nullValue'];

async function attempt<T>(what: string, read: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await readRetryingReset(read) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { ok: false, status: code === 5 || code === 404 ? 404 : 502, message: `${what}: ${String((err as Error).message ?? err).slice(0, 300)}` };
  }
}

export class GoogleSources {
  private clients: VertexClients | undefined;
  constructor(
    private readonly ce: ClientEnvironment,
    readonly region: string,
    /** Builds the Vertex clients (google-clients/, or a stand-in in a test). */
    private readonly build: (region: string, ce: ClientEnvironment) => VertexClients = vertexClients,
  ) {}

  /** Built on first use: a page that reads only mlopsApi builds no Vertex client. */
  private get vertex(): VertexClients {
    this.clients ??= this.build(this.region, this.ce);
    return this.clients;
  }

  get parent(): string {
    return `projects/${this.ce.projectId}/locations/${this.region}`;
  }

  /** Closes the Vertex clients if a page built them (their gRPC channels keep the process alive). */
  async close(): Promise<void> {
    const clients = this.clients;
    this.clients = undefined;
    if (clients) await Promise.all(Object.values(clients).map((c) => c.close()));
  }

  /**
   * The model's newest PipelineJobs (labelled `model=<model>`), newest first: one page, filtered and
   * ordered by Vertex, not the whole region's history; `more` when older ones were left out.
   */
  listPipelineRuns(model: string): Promise<Loaded<PipelineRunList>> {
    return attempt('Vertex AI pipelineJobs.list', async () => {
      const [jobs, , response] = await this.vertex.pipelines.listPipelineJobs(
        { parent: this.parent, filter: `labels.model="${model.replace(/["\\]/g, '')}"`, orderBy: 'create_time desc', pageSize: PIPELINE_RUNS_PAGE },
        { autoPaginate: false },
      );
      const runs = jobs
        .map((job) => pipelineRun(job, false))
        // Kept in case a filter is ignored: only this model's runs are ever shown as its own.
        .filter((run) => run.labels.model === model)
        .sort((a, b) => (b.createTime ?? '').localeCompare(a.createTime ?? ''));
      return { runs, more: Boolean(response?.nextPageToken) };
    });
  }

  getPipelineRun(id: string): Promise<Loaded<PipelineRun>> {
    // A PipelineJob id is [a-z0-9-]; anything else would build another resource name.
    if (!PIPELINE_JOB_ID.test(id)) return Promise.resolve({ ok: false, status: 404, message: `pipelineJobs/${id.slice(0, 80)} not found: not a PipelineJob id` });
    return attempt(`Vertex AI pipelineJobs.get ${id}`, async () => {
      const [job] = await this.vertex.pipelines.getPipelineJob({ name: `${this.parent}/pipelineJobs/${id}` });
      return pipelineRun(job, true);
    });
  }

  /** Each drift series (model, version, feature, metric) of `model` over the last `hours`. */
  driftSeries(model: string, hours = 24 * 7, now = new Date()): Promise<Loaded<FeatureSeries[]>> {
    return attempt('Cloud Monitoring timeSeries.list', async () => {
      const client = metricServiceClient(this.ce);
      try {
        const seconds = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: 0 });
        // Google answers NOT_FOUND until the metric type's first point is written: no scores yet.
        const [series] = await client.listTimeSeries(
          {
            name: `projects/${this.ce.projectId}`,
            filter: `metric.type = "${FEATURE_SCORE_METRIC}" AND metric.labels.model = "${model.replace(/["\\]/g, '')}"`,
            interval: { startTime: seconds(now.getTime() - hours * 3_600_000), endTime: seconds(now.getTime() + 60_000) },
            view: 'FULL',
          },
          { autoPaginate: true },
        ).catch((err: { code?: unknown }) => {
          if (err.code === 5) return [[]] as const;
          throw err;
        });
        return series.map((s) => ({
          labels: { ...(s.metric?.labels ?? {}) },
          points: (s.points ?? [])
            .flatMap((p) => {
              const at = iso(p.interval?.endTime);
              const value = p.value?.doubleValue ?? (p.value?.int64Value !== undefined && p.value?.int64Value !== null ? Number(p.value.int64Value) : undefined);
              return at !== undefined && typeof value === 'number' ? [{ at, value }] : [];
            })
            .sort((a, b) => a.at.localeCompare(b.at)),
        }));
      } finally {
        await client.close();
      }
    });
  }

  /** The text of a `gs://bucket/object` (the tuning plots' SVG files). */
  readObject(uri: string): Promise<Loaded<string>> {
    return attempt(`Cloud Storage ${uri}`, async () => {
      const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
      if (!m) throw new Error(`not a gs:// URI: ${uri}`);
      const [bytes] = await storageClient(this.ce).bucket(m[1]!).file(m[2]!).download();
      return bytes.toString('utf8');
    });
  }
}

type PipelineJobProto = protos.google.cloud.aiplatform.v1.IPipelineJob;

function pipelineRun(job: PipelineJobProto, detail: boolean): PipelineRun {
  const name = job.name ?? '';
  const startTime = iso(job.startTime);
  const endTime = iso(job.endTime);
  const createTime = iso(job.createTime);
  return {
    name,
    id: name.split('/').pop() ?? name,
    displayName: job.displayName ?? '',
    state: String(job.state ?? 'PIPELINE_STATE_UNSPECIFIED'),
    ...(createTime ? { createTime } : {}),
    ...(startTime ? { startTime } : {}),
    ...(endTime ? { endTime } : {}),
    labels: { ...(job.labels ?? {}) },
    ...(job.error?.message ? { error: job.error.message } : {}),
    tasks: (job.jobDetail?.taskDetails ?? []).map((t) => {
      const start = iso(t.startTime);
      const end = iso(t.endTime);
      const parent = t.parentTaskId === undefined || t.parentTaskId === null ? undefined : String(t.parentTaskId);
      return {
        taskId: String(t.taskId ?? ''),
        ...(parent !== undefined && parent !== '0' ? { parentTaskId: parent } : {}),
        name: t.taskName ?? String(t.taskId ?? ''),
        state: String(t.state ?? 'STATE_UNSPECIFIED'),
        ...(start ? { startTime: start } : {}),
        ...(end ? { endTime: end } : {}),
        ...(t.error?.message ? { error: t.error.message } : {}),
      };
    }),
    ...(detail && job.pipelineSpec ? { pipelineSpec: plainJson(job.pipelineSpec) } : {}),
  };
}
