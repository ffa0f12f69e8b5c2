// A baseline written by the pipeline's own code (pipelines/components/python/mlops_components/
// baseline.py and features.py) from a generated training frame, with the frame's rows as a client
// would send them: the numbers the serving histograms of the training data itself must reproduce.
import { python } from './python.js';

export interface TrainingBaseline {
  /** baseline_statistics.json, plus a `prediction` entry of the model's (made-up) predictions. */
  readonly baseline: unknown;
  /** input_schema.json's features, as export_serving.py writes them. */
  readonly inputSchema: unknown;
  /** Each training row as an object instance with the raw timestamp only (`date`, no date_hour). */
  readonly objects: Record<string, unknown>[];
  /** Each training row as a list instance in input_schema order (derived values included). */
  readonly lists: unknown[][];
  readonly predictions: number[];
}

const SCRIPT = `
import pandas as pd
from mlops_components.baseline import baseline_statistics, numeric_statistics
from mlops_components.features import derive_calendar_features
rng = np.random.default_rng(data["seed"])
n = data["rows"]
seconds = rng.integers(0, 365 * 24 * 3600, n)
offsets = rng.choice(["+00:00", "+02:00", "-05:00", ""], n)
start = pd.Timestamp("2024-01-01")
dates = [(start + pd.Timedelta(seconds=int(s))).strftime("%Y-%m-%d %H:%M:%S") + o for s, o in zip(seconds, offsets)]
for i in range(0, n, 97):
    dates[i] = "n/a"
codes = [f"A{k:03d}" for k in range(150)]
weights = 1 / np.arange(1, 151)
origin = rng.choice(codes, n, p=weights / weights.sum()).astype(object)
origin[::53] = None
distance = np.round(rng.lognormal(6, 0.7, n), 1)
distance[5::89] = np.nan
frame = pd.DataFrame({"distance": distance, "date": dates, "origin": origin})
frame, derived = derive_calendar_features(frame, "date")
numeric = ["distance", "date_hour", "date_dayofweek", "date_month"]
baseline = baseline_statistics(frame, numeric, ["origin"], None, True, 20)
prediction = np.round(0.01 * np.nan_to_num(distance, nan=500.0) + rng.normal(0, 1, n), 4)
baseline["prediction"] = numeric_statistics(pd.Series(prediction), 20)
features = numeric + ["origin"]
parts = {d.name: {"source": d.source, "part": d.part} for d in derived}
schema = {"feature_names": features, "features": [
    {"name": f, "index": i, "type": "numeric" if f in numeric else "categorical", **({"derived_from": parts[f]} if f in parts else {})}
    for i, f in enumerate(features)]}
def value(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else (int(v) if isinstance(v, (np.integer,)) else v)
objects = [{"distance": value(r.distance), "date": r.date, "origin": value(r.origin)} for r in frame.itertuples()]
lists = [[value(getattr(r, f)) for f in features] for r in frame.itertuples()]
print(json.dumps({"baseline": baseline, "inputSchema": schema, "objects": objects, "lists": lists, "predictions": prediction.tolist()}))
`;

export function trainingBaseline(seed = 3, rows = 3000): TrainingBaseline {
  return python<TrainingBaseline>(SCRIPT, { seed, rows });
}
