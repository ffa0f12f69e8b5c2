// unix-cron schedules in an IANA time zone, through croner: validation when a job is written and
// the next time after a given instant when the runner arms a timer.
import { Cron } from 'croner';

/** Google: "If a time zone is not specified, the default will be in UTC". */
const DEFAULT_TIME_ZONE = 'Etc/UTC';

/** The reason a time zone is not an IANA tz database name, or undefined when it is one. */
export function timeZoneProblem(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return undefined;
  } catch {
    return `'${timeZone}' is not a time zone name from the tz database (e.g. 'Etc/UTC', 'Europe/Paris')`;
  }
}

function cron(schedule: string, timeZone: string | undefined): Cron {
  // Five fields, as unix-cron has: croner would otherwise also take seconds and years.
  return new Cron(schedule.trim(), { mode: '5-part', timezone: timeZone || DEFAULT_TIME_ZONE });
}

/** The reason a schedule is not five-field unix-cron, or undefined when it is. */
export function scheduleProblem(schedule: string): string | undefined {
  try {
    const next = cron(schedule, undefined).nextRun(new Date());
    return next ? undefined : 'the schedule never fires';
  } catch (err) {
    // croner's messages start with the class that threw them.
    return `not a unix-cron schedule ("minute hour day-of-month month day-of-week"): ${(err as Error).message.replace(/^Cron\w*: /, '')}`;
  }
}

/** The first time of the schedule strictly after `after` (epoch ms), or undefined if none is left. */
export function nextScheduleTime(schedule: string, timeZone: string | undefined, after: number): number | undefined {
  return cron(schedule, timeZone).nextRun(new Date(after))?.getTime();
}
