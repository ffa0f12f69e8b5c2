"""Regression and classification metrics, computed the same way for training and evaluation.

Conventions (they matter for gates and for Vertex's model-evaluation schema):

- ``mape`` is in percent (like Vertex's ``meanAbsolutePercentageError``) and skips rows whose
  actual value is 0, where a percentage error is undefined;
- ``within_10pct`` / ``within_20pct`` are the share of rows with ``|pred - actual| <= 10% (20%)
  of |actual|`` (a zero actual counts only if predicted exactly);
- classification ``precision``/``recall``/``f1`` are for the positive class (the second class
  in sorted label order) when there are two classes, macro-averaged otherwise;
- undefined metrics (ROC-AUC with one class in the data) are ``None``, never NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn import metrics as skm
from sklearn.preprocessing import label_binarize


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


# Our metric name → its name in Vertex's model-evaluation schemas (the rest have none there).
VERTEX_NAMES: dict[str, str] = {
    "rmse": "rootMeanSquaredError", "mae": "meanAbsoluteError", "mape": "meanAbsolutePercentageError", "r2": "rSquared",
    "pr_auc": "auPrc", "roc_auc": "auRoc", "log_loss": "logLoss",
}


def our_name(metric: str) -> str:
    """``rootMeanSquaredError`` → ``rmse``; our own names are returned as they are."""
    return {vertex: ours for ours, vertex in VERTEX_NAMES.items()}.get(metric, metric)


def _mape(actual: np.ndarray, predicted: np.ndarray) -> float | None:
    nonzero = actual != 0
    return float(np.mean(np.abs((predicted[nonzero] - actual[nonzero]) / actual[nonzero])) * 100.0) if nonzero.any() else None


def _within(share: float) -> Callable[[np.ndarray, np.ndarray], float]:
    return lambda actual, predicted: float(np.mean(np.abs(predicted - actual) <= share * np.abs(actual)))


def _needs_two_rows(score: Callable[[np.ndarray, np.ndarray], float]) -> Callable[[np.ndarray, np.ndarray], float | None]:
    return lambda actual, predicted: None if len(actual) < 2 else _finite(score(actual, predicted))


_REGRESSION: dict[str, Callable[[np.ndarray, np.ndarray], float | None]] = {
    "mse": lambda actual, predicted: float(np.mean((predicted - actual) ** 2)),
    "rmse": lambda actual, predicted: math.sqrt(float(np.mean((predicted - actual) ** 2))),
    "mae": lambda actual, predicted: float(np.mean(np.abs(predicted - actual))),
    "mape": _mape,
    "r2": _needs_two_rows(skm.r2_score),
    "explained_variance": _needs_two_rows(skm.explained_variance_score),
    "within_10pct": _within(0.1),
    "within_20pct": _within(0.2),
}


def regression_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float | None]:
    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    return {name: metric(actual, predicted) for name, metric in _REGRESSION.items()}


def _averaged(score: Callable[..., float]) -> Callable[[np.ndarray, np.ndarray, int], float]:
    """Binary: the positive class (index 1); more classes: the macro average."""
    def compute(actual: np.ndarray, probabilities: np.ndarray, n_classes: int) -> float:
        average = "binary" if n_classes == 2 else "macro"
        return float(score(actual, probabilities.argmax(axis=1), labels=list(range(n_classes)), average=average, zero_division=0))
    return compute


def _area(score: Callable[[np.ndarray, np.ndarray], float]) -> Callable[[np.ndarray, np.ndarray, int], float | None]:
    """Binary: the positive class's score; more classes: the mean over the classes present. Undefined with one class."""
    def compute(actual: np.ndarray, probabilities: np.ndarray, n_classes: int) -> float | None:
        if len(np.unique(actual)) < 2:
            return None
        if n_classes == 2:
            return _finite(score(actual, probabilities[:, 1]))
        onehot = label_binarize(actual, classes=list(range(n_classes)))
        seen = [c for c in range(n_classes) if onehot[:, c].any()]
        return _finite(np.mean([score(onehot[:, c], probabilities[:, c]) for c in seen]))
    return compute


_CLASSIFICATION: dict[str, Callable[[np.ndarray, np.ndarray, int], float | None]] = {
    "accuracy": lambda actual, probabilities, n_classes: float(skm.accuracy_score(actual, probabilities.argmax(axis=1))),
    "precision": _averaged(skm.precision_score),
    "recall": _averaged(skm.recall_score),
    "f1": _averaged(skm.f1_score),
    "log_loss": lambda actual, probabilities, n_classes: _finite(
        skm.log_loss(actual, np.clip(probabilities, 1e-15, 1.0), labels=list(range(n_classes)))),
    "roc_auc": _area(skm.roc_auc_score),
    "pr_auc": _area(skm.average_precision_score),
}


def classification_metrics(actual: np.ndarray, probabilities: np.ndarray, n_classes: int) -> dict[str, float | None]:
    """``actual`` holds class indices 0..n_classes-1; ``probabilities`` has one column per class."""
    actual = np.asarray(actual, dtype=int)
    return {name: metric(actual, probabilities, n_classes) for name, metric in _CLASSIFICATION.items()}


def metric_value(metric: str, actual: np.ndarray, output: np.ndarray, task_type: str, n_classes: int) -> float | None:
    """One metric (our name or Vertex's) of a task, computed alone: what a bootstrap recomputes many times."""
    name = our_name(metric)
    if task_type == "classification":
        return _CLASSIFICATION[name](np.asarray(actual, dtype=int), output, n_classes)
    return _REGRESSION[name](np.asarray(actual, dtype=float), np.asarray(output, dtype=float))


def confusion_matrix(actual: np.ndarray, predicted: np.ndarray, n_classes: int) -> list[list[int]]:
    """``rows[i][j]``: items of true class i predicted as class j."""
    return skm.confusion_matrix(actual, predicted, labels=list(range(n_classes))).astype(int).tolist()


def confidence_metrics(actual: np.ndarray, probabilities: np.ndarray, steps: int = 20) -> list[dict[str, Any]]:
    """Operating points on a fixed threshold grid, with the field names KFP and Vertex share.

    Binary: the positive class's score against the threshold (an ROC/PR curve). More classes:
    the top-1 prediction counts when its score reaches the threshold (Vertex's definition).
    """
    actual = np.asarray(actual, dtype=int)
    binary = probabilities.shape[1] == 2
    points: list[dict[str, Any]] = []
    for step in range(steps + 1):
        threshold = step / steps
        if binary:
            predicted_positive = probabilities[:, 1] >= threshold
            positive = actual == 1
            tp = int(np.sum(predicted_positive & positive))
            fp = int(np.sum(predicted_positive & ~positive))
            fn = int(np.sum(~predicted_positive & positive))
            tn = int(np.sum(~predicted_positive & ~positive))
        else:
            top = probabilities.argmax(axis=1)
            confident = probabilities.max(axis=1) >= threshold
            correct = top == actual
            tp = int(np.sum(confident & correct))
            fp = int(np.sum(confident & ~correct))
            fn = int(len(actual) - tp)
            # One-vs-rest negatives: every (row, other class) pair not predicted.
            tn = int(len(actual) * (probabilities.shape[1] - 1) - fp)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        fpr = fp / (fp + tn) if fp + tn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        points.append({
            "confidenceThreshold": threshold,
            "recall": recall,
            "precision": precision,
            "falsePositiveRate": fpr,
            "f1Score": f1,
            "truePositiveCount": tp,
            "falsePositiveCount": fp,
            "falseNegativeCount": fn,
            "trueNegativeCount": tn,
        })
    return points
