"""Loads exported serving directories the way a prebuilt Vertex server would, and predicts their examples.

Usage: serving_check.py SERVING_DIR TRAINED_MODEL_DIR [SERVING_DIR TRAINED_MODEL_DIR ...]
Prints a JSON object keyed by serving directory: which file was served, the prediction for
input_schema.json's example instance, and whether it equals the trained pipeline's output.
One process checks every export, since each Python start costs a second of the suite's time.
"""

import json
import sys
from pathlib import Path

import joblib
import numpy as np


def check(serving: Path, trained: Path) -> dict:
    schema = json.loads((serving / "input_schema.json").read_text())
    # A prebuilt server turns the request's instances into numpy.asarray(instances): mixed rows become strings.
    instances = np.asarray([schema["example_instance"]])
    pipeline = joblib.load(trained / "model.joblib")
    classification = schema["task_type"] == "classification"
    if (serving / "model.bst").exists():
        import xgboost as xgb

        booster = xgb.Booster()
        booster.load_model(str(serving / "model.bst"))
        preprocessor = joblib.load(serving / "preprocessor.joblib")
        served = booster.predict(xgb.DMatrix(preprocessor.transform(instances)))
        expected = pipeline.predict_proba(instances)[:, 1] if classification else pipeline.predict(instances)
        loaded = "model.bst"
    else:
        served = joblib.load(serving / "model.joblib").predict(instances)
        expected = pipeline.predict(instances)
        loaded = "model.joblib"
    return {
        "loaded": loaded,
        "prediction": [float(v) for v in served],
        "matches_trained_model": bool(np.allclose(np.asarray(served, dtype=float), np.asarray(expected, dtype=float), rtol=1e-5, atol=1e-6)),
    }


pairs = sys.argv[1:]
print(json.dumps({pairs[i]: check(Path(pairs[i]), Path(pairs[i + 1])) for i in range(0, len(pairs), 2)}))
