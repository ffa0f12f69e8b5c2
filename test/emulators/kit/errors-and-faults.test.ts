import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../emulators/kit/faults.js';
import { errorStyleFor, GoogleApiError } from '../../../emulators/kit/google-error.js';

describe('Google error shapes', () => {
  it('older JSON APIs carry errors[].reason; newer ones only code, message, status', () => {
    const err = new GoogleApiError(412, 'Precondition failed', { reason: 'conditionNotMet' });
    expect(err.toBody(errorStyleFor('storage'))).toEqual({
      error: { code: 412, message: 'Precondition failed', status: 'FAILED_PRECONDITION', errors: [{ message: 'Precondition failed', domain: 'global', reason: 'conditionNotMet' }] },
    });
    expect(err.toBody(errorStyleFor('vertex'))).toEqual({ error: { code: 412, message: 'Precondition failed', status: 'FAILED_PRECONDITION' } });
    expect(errorStyleFor('bigquery')).toBe('json-api');
    expect(errorStyleFor('monitoring')).toBe('grpc-gateway');
  });
});

describe('fault injection', () => {
  it('fails the next N matching calls, then lets them through', () => {
    const faults = new FaultInjector();
    faults.add({ service: 'bigquery', method: 'post', path: '/queries$', fault: 429, count: 2 });
    const decide = () => faults.decide('bigquery', 'POST', '/projects/p/queries').kind;
    expect([decide(), decide(), decide()]).toEqual(['status', 'status', 'none']);
    expect(faults.decide('storage', 'POST', '/projects/p/queries').kind).toBe('none');
    expect(faults.decide('bigquery', 'GET', '/projects/p/queries').kind).toBe('none');
  });

  it('fails at a rate, deciding with the given random source', () => {
    const draws = [0.1, 0.9, 0.2, 0.8];
    const faults = new FaultInjector(() => draws.shift() ?? 1);
    faults.configure([{ path: '^/v1/', fault: 'timeout', rate: 0.5 }]);
    const kinds = [1, 2, 3, 4].map(() => faults.decide('vertex', 'GET', '/v1/projects/p').kind);
    expect(kinds).toEqual(['timeout', 'none', 'timeout', 'none']);
  });

  it('rejects a rule with both or neither of count and rate, naming the problem', () => {
    const faults = new FaultInjector();
    expect(() => faults.configure([{ path: 'x', fault: 503 }])).toThrow(/exactly one of count or rate/);
    expect(() => faults.configure([{ path: 'x', fault: 503, count: 1, rate: 0.5 }])).toThrow(/exactly one of count or rate/);
    expect(() => faults.configure([{ path: 'x', fault: 418, count: 1 }])).toThrow();
  });
});
