// The reference computations of the drift tests: a Python snippet run by /usr/bin/python3 with its
// input as JSON on stdin and its answer as JSON on stdout (numpy, scipy, pandas, and the pipeline's
// own baseline.py on PYTHONPATH).
import { spawnSync } from 'node:child_process';
import type { PythonCheck } from '../../components/support.js';
import { PYTHON, PYTHONPATH, checkPython } from '../../components/support.js';

/** Whether numpy, scipy and pandas import; a suite that needs them skips with `reason`. */
export function scipyStack(suite: string): PythonCheck {
  const check = checkPython('numpy, scipy, pandas');
  if (!check.ok) console.warn(`[${suite}] skipped: ${check.reason}`);
  return check;
}

/** Runs `script` (which reads `data` from stdin and prints one JSON document) and parses its answer. */
export function python<T>(script: string, data: unknown): T {
  const prelude = 'import json, sys\nimport numpy as np\ndata = json.load(sys.stdin)\n';
  const result = spawnSync(PYTHON, ['-c', prelude + script], {
    input: JSON.stringify(data),
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PYTHONPATH },
  });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`python failed (exit ${String(result.status)}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}
