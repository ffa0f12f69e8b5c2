// Durations in model specs: Google's JSON form ("3600s", "1.5s", what Duration fields and
// Cloud Scheduler's retry config take) or gcloud's unit form ("30m", "2h", "1d", "1h30m"), which
// reads better for policies that run from seconds locally to days in production.

const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;

/** Units largest first, each at most once; only the seconds part may have a fraction. */
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d{1,9})?)s)?$/;

/** Seconds of `text`, or what is wrong with it. */
export function parseDuration(text: string): { seconds: number } | { problem: string } {
  const match = DURATION.exec(text);
  if (text === '' || match === null) {
    return { problem: `must be a duration such as "30s", "90m", "2h", "1d" or "1h30m", got ${JSON.stringify(text)}` };
  }
  const [, days, hours, minutes, seconds] = match;
  const total =
    Number(days ?? 0) * UNIT_SECONDS.d + Number(hours ?? 0) * UNIT_SECONDS.h + Number(minutes ?? 0) * UNIT_SECONDS.m + Number(seconds ?? 0);
  if (!Number.isSafeInteger(Math.ceil(total))) return { problem: `is too long: ${JSON.stringify(text)}` };
  return { seconds: total };
}

/** The shortest unit form of a number of seconds, for messages and round trips ("90s" → "1m30s"). */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  let rest = seconds;
  let text = '';
  for (const unit of ['d', 'h', 'm'] as const) {
    const count = Math.floor(rest / UNIT_SECONDS[unit]);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * UNIT_SECONDS[unit];
  }
  // Keep the fraction exact to nanoseconds without float noise.
  if (rest > 0) text += `${Number(rest.toFixed(9))}s`;
  return text;
}
