// The model server predicts on the request's thread: a forest trained with n_jobs = all cores is
// loaded with n_jobs = 1 (a thread pool per small request costs more than the prediction), and
// predicts as trained (to float rounding: the trees are summed in another order).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON, PYTHONPATH, pythonStack } from './support.js';

const stack = pythonStack('serving threads', 'sklearn, joblib');

const SCRIPT = String.raw`
import json, sys, tempfile
from pathlib import Path
import joblib, numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from model_loader import load_predictor
rng = np.random.default_rng(3)
X = rng.uniform(size=(400, 3)); y = X @ [1.0, 2.0, 3.0]
pipeline = Pipeline([("scale", StandardScaler()), ("model", RandomForestRegressor(n_estimators=20, n_jobs=2, random_state=0))]).fit(X, y)
expected = pipeline.predict(X[:5]).tolist()
d = Path(tempfile.mkdtemp()); joblib.dump(pipeline, d / "model.joblib")
predictor = load_predictor(d)
print(json.dumps({"trained": 2, "served": predictor.model.named_steps["model"].n_jobs,
                  "same": bool(np.allclose(predictor.model.predict(X[:5]), expected, rtol=1e-12, atol=0))}))
`;

describe.skipIf(!stack.ok)('model server threads', () => {
  it('loads a pipeline trained with n_jobs=2 with n_jobs=1, predicting the same', () => {
    const run = spawnSync(PYTHON, ['-c', SCRIPT], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: `${join(PYTHONPATH, 'serving')}:${PYTHONPATH}` }, timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual({ trained: 2, served: 1, same: true });
  });
});
