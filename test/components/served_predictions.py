"""Sends a split's rows to exported serving directories through the model server's own predictor.

Usage: served_predictions.py TRAIN_CSV FEATURE_SCHEMA SERVING_DIR [SERVING_DIR ...]
Prints a JSON object keyed by serving directory: the number of predictions, and their mean, min
and max (numbers: regression) or their count per answered label (classification). The rows go
in as a client sends them, JSON lists in input_schema.json order (null for missing values), so
this is what the served traffic's histogram bins, computed apart from export_serving's code.
"""

import json
import math
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "pipelines/components/python/serving"))

from model_loader import load_predictor  # noqa: E402


def instances(train_csv: str, feature_schema: str) -> list[list[object]]:
    schema = json.loads(Path(feature_schema).read_text())
    frame = pd.read_csv(train_csv, dtype={name: str for name in schema["categorical_features"]})
    rows = frame[schema["features"]].astype(object).where(frame[schema["features"]].notna(), None)
    # Through JSON, as a request body carries them.
    return json.loads(json.dumps(rows.values.tolist()))


def summary(serving: str, rows: list[list[object]]) -> dict[str, object]:
    predictor = load_predictor(Path(serving))
    # The response body's predictions, as JSON carries them.
    predictions = json.loads(json.dumps({"predictions": predictor.predict(rows, False)}))["predictions"]
    if predictor.description["task"] == "regression":
        values = [float(p) for p in predictions if p is not None and math.isfinite(p)]
        return {"n": len(predictions), "mean": sum(values) / len(values), "min": min(values), "max": max(values)}
    return {"n": len(predictions), "labels": dict(Counter(str(p) for p in predictions))}


train_csv, feature_schema, *servings = sys.argv[1:]
rows = instances(train_csv, feature_schema)
print(json.dumps({s: summary(s, rows) for s in servings}))
