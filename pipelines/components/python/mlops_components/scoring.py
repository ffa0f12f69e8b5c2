"""Scoring a fitted estimator on a split: predictions → the metrics of :mod:`metrics`."""

from __future__ import annotations

from typing import Any

import numpy as np

from .metrics import classification_metrics, regression_metrics


def model_output(model: Any, matrix: np.ndarray, task_type: str) -> np.ndarray:
    """Regression: predicted values. Classification: class probabilities, one column per class index."""
    if task_type == "classification":
        return np.asarray(model.predict_proba(matrix), dtype=float)
    return np.asarray(model.predict(matrix), dtype=float)


def metrics_for(output: np.ndarray, actual: np.ndarray, task_type: str, n_classes: int) -> dict[str, float | None]:
    if task_type == "classification":
        return classification_metrics(actual, output, n_classes)
    return regression_metrics(actual, output)
