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

``export_serving`` copies these files into the serving directory, ``model.bst`` and
``preprocessor.joblib`` *instead of* ``model.joblib`` for XGBoost; :func:`load_model` reads
either layout (the champion/challenger comparison scores a serving directory) and the model
server loads boosters through :func:`load_booster`.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .paths import ensure_dir, local_path
from .schema import FeatureSchema

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


def feature_schema(metadata: dict[str, Any]) -> FeatureSchema:
    """The features a model takes, in order, with their kinds, from its ``model_metadata.json``."""
    return FeatureSchema(
        target=metadata["target"], features=metadata["features"],
        numeric_features=metadata["numeric_features"], categorical_features=metadata["categorical_features"],
    )


def load_booster(directory: str | Path) -> tuple[Any, Any | None]:
    """``model.bst`` (predicting on one thread, as components and servers pin every pool) and
    ``preprocessor.joblib`` when the directory has one."""
    import joblib
    import xgboost as xgb

    root = local_path(str(directory))
    booster = xgb.Booster()
    booster.load_model(str(root / BOOSTER_FILE))
    booster.set_param({"nthread": 1})
    preprocessor = joblib.load(root / PREPROCESSOR_FILE) if (root / PREPROCESSOR_FILE).is_file() else None
    return booster, preprocessor


class BoosterModel:
    """``model.bst`` behind ``preprocessor.joblib`` with ``model.joblib``'s interface: raw feature rows
    in, the value (regression) or class index (``predict``) and class probabilities (``predict_proba``) out."""

    def __init__(self, booster: Any, preprocessor: Any, task_type: str) -> None:
        self.booster = booster
        self.preprocessor = preprocessor
        self.task_type = task_type

    def _raw(self, rows: Any) -> np.ndarray:
        import xgboost as xgb

        matrix = self.preprocessor.transform(rows)
        return np.asarray(self.booster.predict(xgb.DMatrix(matrix, feature_names=self.booster.feature_names)), dtype=float)

    def predict_proba(self, rows: Any) -> np.ndarray:
        raw = self._raw(rows)
        return np.column_stack([1.0 - raw, raw]) if raw.ndim == 1 else raw

    def predict(self, rows: Any) -> np.ndarray:
        return self.predict_proba(rows).argmax(axis=1) if self.task_type == "classification" else self._raw(rows)


@dataclass(frozen=True)
class LoadedModel:
    metadata: dict[str, Any]
    #: ``predict`` / ``predict_proba`` on the rows :func:`mlops_components.models.feature_matrix` builds.
    estimator: Any
    #: The file it was loaded from.
    file: str

    @property
    def schema(self) -> FeatureSchema:
        return feature_schema(self.metadata)


def load_model(directory: str) -> LoadedModel:
    """A model directory written by ``train`` or a serving directory written by ``export_serving``:
    ``model.joblib`` when present, else ``model.bst`` with ``preprocessor.joblib`` (an XGBoost export)."""
    metadata = load_metadata(directory)
    root = local_path(directory)
    if (root / PIPELINE_FILE).is_file():
        return LoadedModel(metadata, load_pipeline(directory), PIPELINE_FILE)
    if (root / BOOSTER_FILE).is_file() and (root / PREPROCESSOR_FILE).is_file():
        booster, preprocessor = load_booster(directory)
        return LoadedModel(metadata, BoosterModel(booster, preprocessor, metadata["task_type"]), BOOSTER_FILE)
    present = sorted(p.name for p in root.iterdir())
    raise FileNotFoundError(f"{directory} has neither {PIPELINE_FILE} nor {BOOSTER_FILE} with {PREPROCESSOR_FILE} (it holds {present})")
