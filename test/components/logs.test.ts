// The one Python logger (mlops_components.logs): Cloud Logging JSON by default, readable text with
// LOG_FORMAT=text, LOG_LEVEL as the threshold — the rules of logging/log.ts — and the model server writes through it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHONPATH, checkPython, runPython } from './support.js';

const stack = checkPython('json');

const SCRIPT = `
from mlops_components.logs import get_logger
log = get_logger("demo")
log.debug("hidden unless LOG_LEVEL=DEBUG", n=0)
log.info("rows read", rows=3, path="a b.csv", severity="NOT-THIS", message="nor this")
log.error("failed", traceback="line 1\\nline 2")
`;

describe.skipIf(!stack.ok)('mlops_components.logs', () => {
  it('writes one Cloud Logging JSON record per line; fields never overwrite severity or message', async () => {
    const result = await runPython(['-c', SCRIPT]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs.map((r) => [r.severity, r.message])).toEqual([['INFO', 'rows read'], ['ERROR', 'failed']]);
    expect(result.logs[0]).toMatchObject({ component: 'demo', rows: 3, path: 'a b.csv' });
    expect(result.logs[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(result.logs[1]!.traceback).toBe('line 1\nline 2');
  });

  it('writes readable lines with LOG_FORMAT=text and honours LOG_LEVEL', async () => {
    const result = await runPython(['-c', SCRIPT], { env: { LOG_FORMAT: 'text', LOG_LEVEL: 'debug' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs).toEqual([]);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} DEBUG {3}hidden unless LOG_LEVEL=DEBUG component=demo n=0$/);
    expect(lines[1]).toMatch(/ INFO {4}rows read component=demo rows=3 path="a b.csv"$/);
    expect(lines.slice(2)).toEqual([expect.stringMatching(/ ERROR {3}failed component=demo$/), '  traceback:', '    line 1', '    line 2']);
  });

  it('reports a bad LOG_LEVEL once, as JSON, and keeps INFO', async () => {
    const result = await runPython(['-c', SCRIPT], { env: { LOG_LEVEL: 'loud' } });
    expect(result.logs.map((r) => r.severity)).toEqual(['WARNING', 'INFO', 'ERROR']);
    expect(result.logs[0]!.message).toBe("LOG_LEVEL must be one of DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL; ignoring 'loud'");
  });

  it('is the model server\'s logger too', async () => {
    const result = await runPython([join(PYTHONPATH, 'serving/model_server.py')], { env: { AIP_STORAGE_URI: '' } });
    expect(result.code).toBe(2);
    expect(result.logs).toEqual([expect.objectContaining({ severity: 'ERROR', component: 'model_server', message: 'AIP_STORAGE_URI is not set: nothing to serve' })]);
  });
});
