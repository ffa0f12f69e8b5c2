// Cloud Scheduler's schedule fields: a unix-cron expression (five fields, no seconds, no
// extensions such as L, W, # or @weekly that other cron dialects accept) and an IANA time zone.
import { Cron } from 'croner';
import { closestName } from '../../common/suggest.js';
import { suggestion } from './suggestion.js';

// One field of unix-cron: `*`, numbers, or three-letter names, with ranges, steps and lists.
const CRON_ITEM = /^(?:\*|\d+|[A-Za-z]{3})(?:-(?:\d+|[A-Za-z]{3}))?(?:\/\d+)?$/;
const CRON_FIELDS = ['minute', 'hour', 'day of month', 'month', 'day of week'] as const;

/** What is wrong with `cron` as Cloud Scheduler's unix-cron schedule; undefined when it is fine. */
export function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) {
    return `must be a unix-cron expression of 5 fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * 1", got ${JSON.stringify(cron)}`;
  }
  for (const [index, field] of fields.entries()) {
    if (!field.split(',').every((item) => CRON_ITEM.test(item))) {
      return `${CRON_FIELDS[index]} field ${JSON.stringify(field)} is not unix-cron (numbers, *, names, ranges a-b, steps /n and lists)`;
    }
  }
  try {
    // croner checks ranges and names (minute 61, month FOO); the job itself is never started.
    new Cron(cron, { mode: '5-part', paused: true }).stop();
  } catch (error) {
    return `is not a valid cron expression: ${(error as Error).message.replace(/^CronPattern: /, '')}`;
  }
  return undefined;
}

let zoneNames: readonly string[] | undefined;
function knownTimeZones(): readonly string[] {
  zoneNames ??= ['UTC', ...Intl.supportedValuesOf('timeZone')];
  return zoneNames;
}

/** What is wrong with `timeZone` as a tz database name; undefined when it is fine. */
export function timeZoneProblem(timeZone: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return `must be a time zone from the tz database such as "Etc/UTC" or "America/New_York", got ${JSON.stringify(timeZone)}${suggestion(closestName(timeZone, knownTimeZones()))}`;
  }
  // Intl ignores case; Cloud Scheduler does not.
  if (resolved !== timeZone && resolved.toLowerCase() === timeZone.toLowerCase()) {
    return `time zone names are case-sensitive, got ${JSON.stringify(timeZone)}${suggestion(resolved)}`;
  }
  return undefined;
}
