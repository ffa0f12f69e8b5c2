// The one logger: Cloud Logging JSON off a terminal, readable lines on one, LOG_FORMAT / LOG_LEVEL override.
import { describe, expect, it } from 'vitest';
import { Logger } from '../../logging/log.js';

function capture(isTTY: boolean, env: NodeJS.ProcessEnv = {}) {
  const lines: string[] = [];
  const logger = new Logger({ stream: { isTTY, write: (chunk: string) => lines.push(chunk) }, env });
  return { logger, lines };
}

describe('logger', () => {
  it('writes one Cloud Logging JSON object per line when the stream is not a terminal', () => {
    const { logger, lines } = capture(false);
    logger.log('WARNING', 'disk almost full', { bucket: 'b', free: 12, big: 10n, severity: 'DEBUG', message: 'not me' });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({ severity: 'WARNING', message: 'disk almost full', bucket: 'b', free: 12, big: '10' });
  });

  it('writes a readable line on a terminal, with multi-line values (stacks) below it', () => {
    const { logger, lines } = capture(true, { NO_COLOR: '1' });
    const err = new Error('boom');
    logger.log('ERROR', 'demo failed', { job: 'projects/p/x', note: 'two words', error: err });
    const [head, ...rest] = lines[0]!.split('\n');
    expect(head).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR {3}demo failed job=projects\/p\/x note="two words"$/);
    expect(rest[0]).toBe('  error:');
    expect(rest[1]).toBe('    Error: boom');
    expect(lines[0]).not.toContain('{"severity"');
  });

  it('LOG_FORMAT forces JSON on a terminal and text off one', () => {
    const json = capture(true, { LOG_FORMAT: 'json' });
    json.logger.log('INFO', 'hello');
    expect(JSON.parse(json.lines[0]!)).toEqual({ severity: 'INFO', message: 'hello' });
    const text = capture(false, { LOG_FORMAT: 'text', NO_COLOR: '1' });
    text.logger.log('INFO', 'hello');
    expect(text.lines[0]).toMatch(/ INFO {4}hello\n$/);
  });

  it('drops lines below the threshold: LOG_LEVEL wins over the default the program sets', () => {
    const { logger, lines } = capture(false);
    logger.setDefaultLevel('WARNING');
    logger.log('INFO', 'chatter');
    logger.log('WARNING', 'shown');
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(['shown']);

    const verbose = capture(false, { LOG_LEVEL: 'debug' });
    verbose.logger.setDefaultLevel('WARNING');
    verbose.logger.log('DEBUG', 'detail');
    expect(verbose.lines).toHaveLength(1);
  });

  it('reports a bad LOG_LEVEL once and keeps logging at the default', () => {
    const { logger, lines } = capture(false, { LOG_LEVEL: 'loud' });
    logger.log('INFO', 'a');
    logger.log('INFO', 'b');
    const records = lines.map((l) => JSON.parse(l) as { severity: string; message: string });
    expect(records.filter((r) => r.severity === 'WARNING')).toEqual([{ severity: 'WARNING', message: "LOG_LEVEL must be one of DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL; ignoring 'loud'" }]);
    expect(records.filter((r) => r.severity === 'INFO').map((r) => r.message)).toEqual(['a', 'b']);
  });
});
