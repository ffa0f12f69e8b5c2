// monitoring.regex.full_match through the official client: RE2 semantics (Google's engine), so
// RE2-only syntax works, what RE2 refuses is a 400 naming the filter, and a pattern that
// backtracks exponentially in JavaScript answers at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignedSecondsAgo, at, callError, PARENT, PROJECT, startTestEmulator, type TestEmulator } from './support.js';

const TYPE = 'custom.googleapis.com/emulator/regex_probe';
const LABELS = ['a'.repeat(30), `${'a'.repeat(30)}!`, 'AAAb', 'a'.repeat(1024)];

let env: TestEmulator;
let T: number;

beforeAll(async () => {
  env = await startTestEmulator();
  T = alignedSecondsAgo(1);
  await env.client.createTimeSeries({
    name: PARENT,
    timeSeries: LABELS.map((s) => ({
      metric: { type: TYPE, labels: { s } },
      resource: { type: 'global', labels: { project_id: PROJECT } },
      points: [{ interval: { endTime: at(T) }, value: { doubleValue: 1 } }],
    })),
  });
});
afterAll(async () => {
  await env.stop();
});

/** The `s` labels of the series the regex selects. */
async function matching(pattern: string): Promise<string[]> {
  const [series] = await env.client.listTimeSeries({
    name: PARENT,
    filter: `metric.type = "${TYPE}" AND metric.labels.s = monitoring.regex.full_match("${pattern}")`,
    interval: { startTime: at(T - 60), endTime: at(T) },
  });
  return series.map((s) => s.metric?.labels?.s ?? '').sort();
}

describe('monitoring.regex.full_match', () => {
  it('understands RE2 syntax that JavaScript lacks (inline flags)', async () => {
    expect(await matching('(?i)a+b')).toEqual(['AAAb']);
  });

  it('answers 400 naming the filter for what RE2 refuses: backreferences and lookahead', async () => {
    for (const pattern of ['(a)\\\\1', '(?=a)a+']) {
      const err = await callError(matching(pattern));
      expect(err.code, pattern).toBe(3); // INVALID_ARGUMENT
      expect(err.message).toMatch(/^Field filter had an invalid value of ".*": invalid regular expression .*\(RE2 syntax\)/);
    }
  });

  it('matches whole values only, answering correctly for a pattern that is exponential in JavaScript', async () => {
    // (a+)+ against 30 a's and a '!' backtracks 2^30 times in a backtracking engine.
    expect(await matching('(a+)+')).toEqual(['a'.repeat(30), 'a'.repeat(1024)]);
    expect(await matching('a+!')).toEqual([`${'a'.repeat(30)}!`]);
  });
});
