// Every script answers --help, and an unknown option gets one line naming it plus the usage, exit 2.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, usage } from '../../scripts/cli.js';

const run = promisify(execFile);

const spec = {
  command: 'npm run thing --',
  summary: 'Does a thing.',
  options: {
    seed: { type: 'string', default: 'all', choices: ['none', 'all'], valueName: 'name', description: 'what to load' },
    reset: { type: 'boolean', default: false, description: 'wipe first' },
    out: { type: 'string', description: 'where' },
  },
} as const;

describe('parseCommandLine', () => {
  it('returns typed values with defaults', () => {
    const outcome = parseCommandLine(spec, ['--reset', '--out', 'x']);
    expect(outcome).toEqual({ kind: 'ok', values: { seed: 'all', reset: true, out: 'x' } });
  });

  it('answers --help and -h with the usage, which lists every option with its default and choices', () => {
    for (const flag of ['--help', '-h']) {
      const outcome = parseCommandLine(spec, [flag]);
      expect(outcome.kind).toBe('help');
      if (outcome.kind !== 'help') return;
      expect(outcome.text).toBe(usage(spec));
      expect(outcome.text).toMatch(/^Usage: npm run thing -- \[options\]/);
      expect(outcome.text).toMatch(/--seed <name>\s+what to load \(one of none, all; default all\)/);
      expect(outcome.text).toMatch(/--reset\s+wipe first/);
      expect(outcome.text).toMatch(/-h, --help/);
    }
  });

  it.each([
    [['--bogus'], "npm run thing: Unknown option '--bogus'"],
    [['--seed', 'some'], "npm run thing: --seed must be one of none, all, got 'some'"],
    [['--out'], "npm run thing: Option '--out <value>' argument missing"],
    [['stray'], "npm run thing: Unexpected argument 'stray'."],
  ])('rejects %j with one line naming the problem, then the usage', (argv, firstLine) => {
    const outcome = parseCommandLine(spec, argv);
    expect(outcome.kind).toBe('error');
    if (outcome.kind !== 'error') return;
    const [line, blank, ...rest] = outcome.text.split('\n');
    expect(line).toBe(firstLine);
    expect(blank).toBe('');
    expect(rest.join('\n')).toBe(usage(spec));
  });
});

const SCRIPTS = ['scripts/demo.ts', 'scripts/local-cloud.ts', 'scripts/compile-pipelines.ts', 'scripts/bench.ts', 'scripts/build-functions.ts', 'scripts/report.ts'];

async function script(path: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path, ...args], { env: { ...process.env, LOG_FORMAT: 'json' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Each run loads the script's imports (the demo's are many): allow for a busy machine.
describe('the scripts', { timeout: 60_000 }, () => {
  it.each(SCRIPTS)('%s --help prints the usage on stdout and exits 0, starting nothing', async (path) => {
    const { code, stdout, stderr } = await script(path, ['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run [\w:]+ -- \[options\]\n/);
    expect(stdout).toContain('--help');
    expect(stderr).toBe('');
  });

  it.each(SCRIPTS)('%s --no-such-option names it in one line, prints the usage and exits 2 without a stack trace', async (path) => {
    const { code, stdout, stderr } = await script(path, ['--no-such-option']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const [first, , usageLine] = stderr.split('\n');
    expect(first).toMatch(/^npm run [\w:]+: Unknown option '--no-such-option'$/);
    expect(usageLine).toMatch(/^Usage: npm run [\w:]+ -- \[options\]$/);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
