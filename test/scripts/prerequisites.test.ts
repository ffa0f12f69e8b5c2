// The prerequisite check: a Python without the ML packages, or a missing command, stops the
// command before anything starts, with the exact apt-get line read from the one package list.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findMissing, installCommand, missingReport, readRequirements } from '../../scripts/prerequisites/check.js';

const dir = mkdtempSync(join(tmpdir(), 'prereq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The system Python without site-packages: what a fresh machine's python3 can import. */
function barePython(): string {
  const path = join(dir, 'python3');
  writeFileSync(path, '#!/bin/sh\nexec /usr/bin/python3 -S -I "$@"\n');
  chmodSync(path, 0o755);
  return path;
}

describe('prerequisites', () => {
  it('reads the one package list that .ci/run reads too', () => {
    const requirements = readRequirements();
    expect(requirements.filter((r) => r.group === 'python').map((r) => r.debianPackage)).toEqual([
      'python3-sklearn',
      'python3-pandas',
      'python3-xgboost',
      'python3-torch',
      'python3-joblib',
    ]);
    expect(() => readRequirements('python python3-x sklearn\n')).toThrow(/expected '<python\|pubsub\|console> <debian package> <check>'/);
  });

  it('a python that lacks the ML packages gives a clear message with the command to run', () => {
    const python = barePython();
    const missing = findMissing({ groups: ['python'], python });
    expect(missing.map((m) => m.requirement.debianPackage)).toEqual(['python3-sklearn', 'python3-pandas', 'python3-xgboost', 'python3-torch', 'python3-joblib']);
    expect(missing[0]!.reason).toBe(`${python} cannot import sklearn (ModuleNotFoundError: No module named 'sklearn')`);
    const report = missingReport(missing, { asRoot: false });
    expect(report).toContain('sudo apt-get update && sudo apt-get install -y python3-sklearn python3-pandas python3-xgboost python3-torch python3-joblib\n');
    expect(report).toMatch(/^The local cloud cannot start/);
  });

  it('only what is missing is named; a python that cannot run at all counts every module as missing', () => {
    const requirements = readRequirements('python python3-sklearn python-module:sklearn\npython python3-nothing python-module:no_such_module_here\n');
    const missing = findMissing({ groups: ['python'], requirements, python: '/usr/bin/python3' });
    expect(missing.map((m) => m.requirement.debianPackage)).toEqual(['python3-nothing']);
    expect(installCommand(missing, true)).toBe('apt-get update && apt-get install -y python3-nothing');
    const none = findMissing({ groups: ['python'], requirements, python: join(dir, 'no-python') });
    expect(none).toHaveLength(2);
    expect(none[0]!.reason).toContain('could not run');
  });

  it('lists Chromium in the console group, which the demo and npm run local never check', () => {
    expect(readRequirements().filter((r) => r.group === 'console')).toEqual([{ group: 'console', debianPackage: 'chromium', check: 'command:chromium' }]);
    const requirements = readRequirements('console chromium command:chromium\n');
    expect(findMissing({ groups: ['python', 'pubsub'], requirements, path: '' })).toEqual([]);
    expect(findMissing({ groups: ['console'], requirements, path: join(dir, 'empty-bin') }).map((m) => m.requirement.debianPackage)).toEqual(['chromium']);
  });

  it('checks Java only where Pub/Sub is used, and offers --no-pubsub', () => {
    const requirements = readRequirements('pubsub default-jre-headless command:java\n');
    expect(findMissing({ groups: ['python'], requirements, path: '' })).toEqual([]);
    const missing = findMissing({ groups: ['python', 'pubsub'], requirements, path: join(dir, 'empty-bin') });
    expect(missing.map((m) => m.reason)).toEqual(['java is not on PATH']);
    // This machine has java (the Pub/Sub emulator runs here): found on the real PATH.
    expect(findMissing({ groups: ['pubsub'], requirements })).toEqual([]);
    expect(missingReport(missing, { asRoot: true, noPubSubFlag: 'npm run local -- --no-pubsub' })).toContain('Or run without Pub/Sub: npm run local -- --no-pubsub');
  });
});
