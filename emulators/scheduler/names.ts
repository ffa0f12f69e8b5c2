// Resource names: `projects/{project}/locations/{location}/jobs/{job}`, with the id rules of
// google.cloud.scheduler.v1.Job.name, and Google's wording when a name is malformed.
import { randomInt } from 'node:crypto';
import { badRequest } from '../kit/google-error.js';

/** Letters, digits, hyphens, colons and periods (domain-scoped projects have `example.com:p`). */
const PROJECT_ID = /^[A-Za-z0-9:.-]{1,100}$/;
/** Google's region ids all look like `us-central1`, `europe-west4`, `northamerica-northeast1`. */
const LOCATION_ID = /^[a-z]+-[a-z]+[0-9]+$/;
/** Letters, digits, hyphens or underscores, at most 500 characters. */
const JOB_ID = /^[A-Za-z0-9_-]{1,500}$/;

const JOB_NAME_FORMAT = 'Job name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/jobs/<JOB_ID>".';
const PARENT_FORMAT = 'Parent must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>".';

export interface LocationName {
  readonly project: string;
  readonly location: string;
  /** `projects/{project}/locations/{location}` */
  readonly name: string;
}

export interface JobName extends LocationName {
  readonly jobId: string;
  /** The parent location's name. */
  readonly parent: string;
}

export function locationName(project: string, location: string, field = 'parent'): LocationName {
  if (!PROJECT_ID.test(project) || !LOCATION_ID.test(location)) throw badRequest(PARENT_FORMAT, { location: field });
  return { project, location, name: `projects/${project}/locations/${location}` };
}

export function jobName(project: string, location: string, jobId: string, field = 'name'): JobName {
  if (!PROJECT_ID.test(project) || !LOCATION_ID.test(location) || !JOB_ID.test(jobId)) throw badRequest(JOB_NAME_FORMAT, { location: field });
  const parent = `projects/${project}/locations/${location}`;
  return { project, location, jobId, parent, name: `${parent}/jobs/${jobId}` };
}

/** A full job name from a request body (`job.name`), checked against the parent it must live in. */
export function parseJobName(name: string, field: string): JobName {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/jobs\/([^/]+)$/.exec(name);
  if (!m) throw badRequest(JOB_NAME_FORMAT, { location: field });
  return jobName(m[1]!, m[2]!, m[3]!, field);
}

/** Google assigns an id when CreateJob names none; a long decimal, as its generated ids are. */
export function generatedJobId(): string {
  return `${randomInt(1, 10)}${Array.from({ length: 19 }, () => randomInt(0, 10)).join('')}`;
}

/** `projects/{project}/topics/{topic}`: Pub/Sub's topic name rules (3-255 chars, starting with a letter, not `goog`). */
export function parseTopicName(name: string): { project: string; topic: string } | undefined {
  const m = /^projects\/([^/]+)\/topics\/([A-Za-z][A-Za-z0-9\-_.~+%]{2,254})$/.exec(name);
  if (!m || m[2]!.startsWith('goog')) return undefined;
  return { project: m[1]!, topic: m[2]! };
}
