"""Models behind one interface: rows in, JSON-ready predictions out.

Classifiers answer with class labels. ``train`` fits every classifier on class *indices*
(``model_metadata.json``'s ``classes[i]`` is the label of index ``i``), so indices are mapped
back to labels here; a model fitted on labels directly keeps its own ``classes_``. With
``return_probabilities`` each prediction becomes ``{"predicted_class", "classes", "probabilities"}``.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from instances import BadRequest, FeatureSpec, model_input, to_rows


class Predictor(Protocol):
    description: dict[str, Any]

    def predict(self, instances: Any, return_probabilities: bool) -> list[Any]: ...


@dataclass(frozen=True)
class ClassOutput:
    """Turns class indices or probability rows into labels (and probability objects)."""

    classes: list[Any]

    def from_indices(self, indices: Any) -> list[Any]:
        return [json_value(self.classes[int(i)]) for i in np.asarray(indices).ravel()]

    def from_probabilities(self, probabilities: np.ndarray, return_probabilities: bool) -> list[Any]:
        labels = self.from_indices(np.argmax(probabilities, axis=1))
        if not return_probabilities:
            return labels
        classes = [json_value(c) for c in self.classes]
        return [{"predicted_class": label, "classes": classes, "probabilities": [json_value(p) for p in row]}
                for label, row in zip(labels, probabilities)]


class PipelinePredictor:
    """A pickled scikit-learn estimator or pipeline (model.joblib / model.pkl)."""

    def __init__(self, model: Any, spec: FeatureSpec, metadata_classes: list[Any] | None, file: str) -> None:
        from sklearn.base import is_classifier

        self.model = model
        self.spec = spec.or_model_names(model)
        self.classes: ClassOutput | None = None
        self.indexed = False  # predictions are indices into metadata_classes
        if is_classifier(model):
            fitted = [json_value(c) for c in getattr(model, "classes_", [])]
            indexed = metadata_classes is not None and fitted == list(range(len(metadata_classes)))
            self.classes = ClassOutput(metadata_classes if indexed and metadata_classes is not None else fitted)
            self.indexed = indexed
        self.description = {"framework": "scikit-learn", "file": file, "task": "classification" if self.classes else "regression",
                            "features": self.spec.names}

    def predict(self, instances: Any, return_probabilities: bool) -> list[Any]:
        x = model_input(to_rows(instances, self.spec), self.spec, self.model)
        if self.classes is None:
            return [json_value(v) for v in np.asarray(self.model.predict(x)).tolist()]
        if return_probabilities:
            if not hasattr(self.model, "predict_proba"):
                raise BadRequest("this classifier gives no probabilities")
            return self.classes.from_probabilities(np.asarray(self.model.predict_proba(x), dtype=float), True)
        predicted = np.asarray(self.model.predict(x))
        if self.indexed:
            return self.classes.from_indices(predicted)
        return [json_value(v) for v in predicted.tolist()]


class BoosterPredictor:
    """An XGBoost booster (model.bst), behind preprocessor.joblib when the model directory has one."""

    def __init__(self, booster: Any, preprocessor: Any | None, spec: FeatureSpec, task_type: str | None,
                 metadata_classes: list[Any] | None) -> None:
        self.booster = booster
        self.preprocessor = preprocessor
        self.spec = spec.or_model_names(preprocessor) if preprocessor is not None else spec
        self.objective = booster_objective(booster)
        probabilistic = self.objective in ("binary:logistic", "multi:softprob")
        classification = task_type == "classification" if task_type else probabilistic or self.objective == "multi:softmax"
        self.classes: ClassOutput | None = None
        if classification:
            count = int(booster_config(booster)["learner"]["learner_model_param"].get("num_class", "0")) or 2
            self.classes = ClassOutput(metadata_classes or list(range(count)))
        self.probabilistic = probabilistic
        # Booster.predict on one booster from several threads is not documented as safe.
        self.lock = threading.Lock()
        self.description = {"framework": "xgboost", "file": "model.bst", "objective": self.objective,
                            "preprocessor": preprocessor is not None, "task": "classification" if self.classes else "regression",
                            "features": self.spec.names}

    def predict(self, instances: Any, return_probabilities: bool) -> list[Any]:
        import xgboost as xgb

        rows = to_rows(instances, self.spec)
        if self.preprocessor is not None:
            matrix = self.preprocessor.transform(model_input(rows, self.spec, self.preprocessor))
        else:
            try:
                matrix = np.asarray(rows, dtype=float)
            except (TypeError, ValueError):
                raise BadRequest("this booster has no preprocessor.joblib: instances must be numeric") from None
        with self.lock:
            output = np.asarray(self.booster.predict(xgb.DMatrix(matrix, feature_names=self.booster.feature_names)))
        if self.classes is None:
            return [json_value(v) for v in output.tolist()]
        if not self.probabilistic:
            if return_probabilities:
                raise BadRequest(f"objective {self.objective} gives no probabilities")
            return self.classes.from_indices(output)
        probabilities = np.column_stack([1.0 - output, output]) if output.ndim == 1 else output
        return self.classes.from_probabilities(probabilities.astype(float), return_probabilities)


def booster_config(booster: Any) -> dict[str, Any]:
    import json

    return json.loads(booster.save_config())


def booster_objective(booster: Any) -> str:
    return str(booster_config(booster)["learner"]["objective"]["name"])


def json_value(value: Any) -> Any:
    """numpy scalars → Python; NaN and infinities → null (JSON has neither)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
