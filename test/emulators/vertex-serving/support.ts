// Shared set-up for the serving tests: tiny models trained by the host's Python into a fake
// Cloud Storage root, the model resources that name them, and a seeded random source.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';
export const SKLEARN_IMAGE = 'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-5:latest';
export const XGBOOST_IMAGE = 'us-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.2-1:latest';
export const LOCATION = 'projects/local-project/locations/us-central1';

/** Why the Python-backed tests cannot run here, or undefined when they can. */
export function pythonUnavailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import sklearn, xgboost, pandas, joblib'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  return `${PYTHON} cannot import sklearn/xgboost (${probe.error?.message ?? probe.stderr.trim().split('\n').at(-1) ?? `exit ${probe.status}`})`;
}

export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A seeded generator with Math.random's contract. */
export { mulberry32 as seededRandom } from '../../../emulators/vertex/hyperparameter-tuning-jobs/suggestions.js';

export interface TrainedModels {
  /** Instances and what each model predicts for them, as computed in Python. */
  sklearnRegression: { instances: number[][]; objects: Record<string, number>[]; expected: number[] };
  xgboostRegression: { instances: [number, string][]; expected: number[] };
  sklearnClassifier: { instances: number[][]; labels: string[]; probabilities: number[][] };
  xgboostClassifier: { instances: [number, string][]; labels: string[]; probabilities: number[][] };
}

// Three model directories in the layouts the project's training components write
// (pipelines/components/python/mlops_components/model_files.py):
//  sk-reg:  model.joblib (StandardScaler + LinearRegression) and input_schema.json;
//  xgb-reg: model.bst + preprocessor.joblib (positional ColumnTransformer) + model_metadata.json;
//  sk-clf:  model.joblib (LogisticRegression on class indices) + model_metadata.json with labels;
//  xgb-clf: model.bst (binary:logistic, P(class index 1)) + preprocessor.joblib + model_metadata.json.
const TRAIN = String.raw`
import json, sys
import numpy as np, joblib, xgboost as xgb
from pathlib import Path
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

root = Path(sys.argv[1])
rng = np.random.default_rng(7)
out = {}

d = root / "sk-reg"; d.mkdir(parents=True)
X = rng.uniform(-5, 5, size=(40, 2)); y = 2 * X[:, 0] - 3 * X[:, 1] + 5
reg = Pipeline([("scale", StandardScaler()), ("model", LinearRegression())]).fit(X, y)
joblib.dump(reg, d / "model.joblib")
(d / "input_schema.json").write_text(json.dumps({"feature_names": ["x1", "x2"], "features": [
    {"name": "x1", "index": 0, "type": "numeric"}, {"name": "x2", "index": 1, "type": "numeric"}]}))
inst = [[1.0, 2.0], [0.5, -1.5], [3.0, 0.0]]
out["sklearnRegression"] = {"instances": inst, "objects": [{"x1": a, "x2": b} for a, b in inst],
                            "expected": reg.predict(np.array(inst)).tolist()}

d = root / "xgb-reg"; d.mkdir(parents=True)
size = rng.uniform(0, 10, 60); color = rng.choice(["red", "green", "blue"], 60)
target = size * 3 + np.where(color == "red", 10.0, 0.0)
raw = np.array(list(zip(size, color)), dtype=object)
pre = ColumnTransformer([("numeric", StandardScaler(), [0]),
                         ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False), [1])], sparse_threshold=0.0)
booster = xgb.XGBRegressor(n_estimators=20, max_depth=3, n_jobs=1, random_state=0).fit(pre.fit_transform(raw), target).get_booster()
booster.save_model(str(d / "model.bst")); joblib.dump(pre, d / "preprocessor.joblib")
(d / "model_metadata.json").write_text(json.dumps({"model_type": "xgboost", "task_type": "regression", "features": ["size", "color"],
    "numeric_features": ["size"], "categorical_features": ["color"], "classes": None}))
inst = [[2.5, "red"], [7.0, "blue"], [4.0, "purple"]]
out["xgboostRegression"] = {"instances": inst,
    "expected": booster.predict(xgb.DMatrix(pre.transform(np.array(inst, dtype=object)))).tolist()}

d = root / "sk-clf"; d.mkdir(parents=True)
X = rng.uniform(-3, 3, size=(80, 2)); codes = (X[:, 0] + X[:, 1] > 0).astype(int)
clf = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())]).fit(X, codes)
joblib.dump(clf, d / "model.joblib")
(d / "model_metadata.json").write_text(json.dumps({"model_type": "ridge", "task_type": "classification",
    "features": ["u", "v"], "numeric_features": ["u", "v"], "categorical_features": [], "classes": ["no", "yes"]}))
inst = [[2.0, 2.0], [-2.0, -1.0]]
labels = ["no", "yes"]
out["sklearnClassifier"] = {"instances": inst, "labels": [labels[i] for i in clf.predict(np.array(inst))],
                            "probabilities": clf.predict_proba(np.array(inst)).tolist()}
d = root / "xgb-clf"; d.mkdir(parents=True)
codes = (size + np.where(color == "red", 4.0, 0.0) > 6).astype(int)
booster = xgb.XGBClassifier(n_estimators=20, max_depth=3, n_jobs=1, random_state=0).fit(pre.transform(raw), codes).get_booster()
booster.save_model(str(d / "model.bst")); joblib.dump(pre, d / "preprocessor.joblib")
(d / "model_metadata.json").write_text(json.dumps({"model_type": "xgboost", "task_type": "classification", "features": ["size", "color"],
    "numeric_features": ["size"], "categorical_features": ["color"], "classes": ["no", "yes"]}))
inst = [[1.0, "blue"], [9.0, "green"], [3.0, "red"]]
p1 = booster.predict(xgb.DMatrix(pre.transform(np.array(inst, dtype=object))))
out["xgboostClassifier"] = {"instances": inst, "labels": [labels[int(p >= 0.5)] for p in p1],
                            "probabilities": [[1.0 - float(p), float(p)] for p in p1]}
print(json.dumps(out))
`;

/** Trains the models into `<storageRoot>/<bucket>/{sk-reg,xgb-reg,sk-clf}` and returns the expected outputs. */
export function trainModels(storageRoot: string, bucket: string): TrainedModels {
  const stdout = execFileSync(PYTHON, ['-c', TRAIN, join(storageRoot, bucket)], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OMP_NUM_THREADS: '1' },
  });
  return JSON.parse(stdout) as TrainedModels;
}

export function modelResource(id: string, artifactUri: string, imageUri: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `${LOCATION}/models/${id}`,
    displayName: `model-${id}`,
    versionId: '1',
    artifactUri,
    containerSpec: { imageUri, ...extra },
  };
}

export function endpointResource(
  id: string,
  trafficSplit: Record<string, number>,
  deployed: { id: string; model: string }[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name: `${LOCATION}/endpoints/${id}`,
    displayName: `endpoint-${id}`,
    trafficSplit,
    deployedModels: deployed.map((d) => ({ id: d.id, model: `${LOCATION}/models/${d.model}`, modelVersionId: '1' })),
    ...extra,
  };
}
