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
from typing import Any

import numpy as np
from sklearn import metrics as skm
from sklearn.preprocessing import label_binarize


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def regression_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float | None]:
    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    errors = predicted - actual
    mse = float(np.mean(errors ** 2))
    nonzero = actual != 0
    mape = float(np.mean(np.abs(errors[nonzero] / actual[nonzero])) * 100.0) if nonzero.any() else None
    tolerance = np.abs(actual)
    single = len(actual) < 2
    return {
        "mse": mse,
        "rmse": math.sqrt(mse),
        "mae": float(np.mean(np.abs(errors))),
        "mape": mape,
        "r2": None if single else _finite(skm.r2_score(actual, predicted)),
        "explained_variance": None if single else _finite(skm.explained_variance_score(actual, predicted)),
        "within_10pct": float(np.mean(np.abs(errors) <= 0.1 * tolerance)),
        "within_20pct": float(np.mean(np.abs(errors) <= 0.2 * tolerance)),
    }


def classification_metrics(actual: np.ndarray, probabilities: np.ndarray, n_classes: int) -> dict[str, float | None]:
    """``actual`` holds class indices 0..n_classes-1; ``probabilities`` has one column per class."""
    actual = np.asarray(actual, dtype=int)
    predicted = probabilities.argmax(axis=1)
    labels = list(range(n_classes))
    binary = n_classes == 2
    average = "binary" if binary else "macro"
    present = np.unique(actual)
    result: dict[str, float | None] = {
        "accuracy": float(skm.accuracy_score(actual, predicted)),
        "precision": float(skm.precision_score(actual, predicted, labels=labels, average=average, zero_division=0)),
        "recall": float(skm.recall_score(actual, predicted, labels=labels, average=average, zero_division=0)),
        "f1": float(skm.f1_score(actual, predicted, labels=labels, average=average, zero_division=0)),
        "log_loss": _finite(skm.log_loss(actual, np.clip(probabilities, 1e-15, 1.0), labels=labels)),
        "roc_auc": None,
        "pr_auc": None,
    }
    if len(present) < 2:
        return result  # AUCs are undefined without both classes
    if binary:
        result["roc_auc"] = _finite(skm.roc_auc_score(actual, probabilities[:, 1]))
        result["pr_auc"] = _finite(skm.average_precision_score(actual, probabilities[:, 1]))
    else:
        onehot = label_binarize(actual, classes=labels)
        seen = [c for c in labels if onehot[:, c].any()]
        result["roc_auc"] = _finite(np.mean([skm.roc_auc_score(onehot[:, c], probabilities[:, c]) for c in seen]))
        result["pr_auc"] = _finite(np.mean([skm.average_precision_score(onehot[:, c], probabilities[:, c]) for c in seen]))
    return result


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
