"""The model directory contract between ``train``, ``evaluate`` and ``export_serving``.

``train`` writes into its ``--model`` directory:

- ``model.joblib``: a scikit-learn ``Pipeline(preprocess → estimator)`` taking raw feature
  rows in ``model_metadata.json``'s ``features`` order (regression: the predicted value;
  classification: the class *index* into ``classes``, ``predict_proba`` columns in that order);
- ``model_metadata.json``: model and task type, feature order and kinds, classes, effective
  hyperparameters, library versions;
- for ``xgboost`` also ``model.bst``, the booster alone (XGBoost's binary format, what a
  prebuilt XGBoost server loads), and ``preprocessor.joblib``, the fitted ``ColumnTransformer``
  that turns a raw row into the booster's input vector (``transformed_features`` names its
  columns). ``booster.predict(DMatrix(preprocessor.transform(rows)))`` equals
  ``model.joblib``'s output: the value for regression, P(class 1) for binary classification
  (a row of class probabilities for more classes).
"""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

from .paths import ensure_dir, local_path

PIPELINE_FILE = "model.joblib"
BOOSTER_FILE = "model.bst"
PREPROCESSOR_FILE = "preprocessor.joblib"
METADATA_FILE = "model_metadata.json"


def library_versions() -> dict[str, str]:
    import numpy
    import pandas
    import sklearn

    versions = {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                "pandas": pandas.__version__, "numpy": numpy.__version__}
    try:
        import xgboost

        versions["xgboost"] = xgboost.__version__
    except ImportError:
        pass
    return versions


def save_model(directory: str, pipeline: Any, metadata: dict[str, Any], booster: Any = None, preprocessor: Any = None) -> Path:
    import joblib  # imported when used: it drags in setuptools, a fifth of a second per process

    root = ensure_dir(directory)
    joblib.dump(pipeline, root / PIPELINE_FILE)
    files = [PIPELINE_FILE, METADATA_FILE]
    if booster is not None:
        booster.save_model(str(root / BOOSTER_FILE))
        joblib.dump(preprocessor, root / PREPROCESSOR_FILE)
        files += [BOOSTER_FILE, PREPROCESSOR_FILE]
    metadata = {**metadata, "files": files, "library_versions": library_versions()}
    (root / METADATA_FILE).write_text(json.dumps(metadata, indent=2, default=str) + "\n", encoding="utf-8")
    return root


def load_metadata(directory: str) -> dict[str, Any]:
    path = local_path(directory) / METADATA_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: {directory} is not a model directory written by train")
    return json.loads(path.read_text(encoding="utf-8"))


def load_pipeline(directory: str) -> Any:
    import joblib

    return joblib.load(local_path(directory) / PIPELINE_FILE)
