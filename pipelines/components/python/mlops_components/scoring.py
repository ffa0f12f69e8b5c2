"""Scoring a fitted estimator on a split: labelled rows → predictions → the metrics of :mod:`metrics`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import labels
from .metrics import classification_metrics, regression_metrics


@dataclass(frozen=True)
class LabelledRows:
    #: The rows that can be scored, in file order.
    frame: pd.DataFrame
    #: Their targets: values (regression) or class indices into the model's classes (classification).
    actual: np.ndarray
    #: Labelled rows left out because their class is not one the model knows.
    unseen: int


def labelled_rows(frame: pd.DataFrame, target_column: str, task_type: str, classes: list[Any] | None) -> LabelledRows:
    """Rows with a target; for classification only those whose label is among ``classes``."""
    if target_column not in frame.columns:
        raise ValueError(f"target column {target_column!r} is not in the data")
    frame = frame.loc[frame[target_column].notna()]
    if task_type == "classification":
        actual = labels.encode(frame[target_column], list(classes or []))
        known = actual >= 0
        return LabelledRows(frame.loc[known], actual[known], int((~known).sum()))
    values = pd.to_numeric(frame[target_column], errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any():
        raise ValueError(f"regression target {target_column!r} has non-numeric values")
    return LabelledRows(frame, values, 0)


def model_output(model: Any, matrix: np.ndarray, task_type: str) -> np.ndarray:
    """Regression: predicted values. Classification: class probabilities, one column per class index."""
    if task_type == "classification":
        return np.asarray(model.predict_proba(matrix), dtype=float)
    return np.asarray(model.predict(matrix), dtype=float)


def metrics_for(output: np.ndarray, actual: np.ndarray, task_type: str, n_classes: int) -> dict[str, float | None]:
    if task_type == "classification":
        return classification_metrics(actual, output, n_classes)
    return regression_metrics(actual, output)
