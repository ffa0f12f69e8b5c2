"""Per-feature statistics of the training data: the baseline that drift detection compares to.

Numeric features: count, nulls, mean, std, min, max, quantiles and a histogram (bin edges and
counts; ``histogram_bins`` equal-width bins over the observed range). Categorical features:
counts and relative frequencies of the most frequent values (the rest summed as
``__other__``). A monitoring job bins serving traffic on the *same* edges and compares.

``prediction`` (top level, when ``export_serving`` could score the training rows): the same
statistics of the model's predictions on its training data, for prediction drift. Regression:
numeric statistics of the predicted values (``histogram_bins`` bins). Classification:
categorical statistics of the predicted class *labels* as strings (``str(classes[index])``, the
form the target's statistics use), with ``classes`` listing the labels in index order so a
server that answers with indices can be mapped onto the same keys. ``output`` says which
(``value`` or ``label``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
MAX_CATEGORIES = 100
OTHER = "__other__"


def numeric_statistics(series: pd.Series, bins: int) -> dict[str, Any]:
    values = pd.to_numeric(series, errors="coerce").astype(float)
    present = values.dropna().to_numpy()
    stats: dict[str, Any] = {
        "type": "numeric",
        "count": int(len(values)),
        "null_count": int(values.isna().sum()),
        "null_fraction": float(values.isna().mean()) if len(values) else 0.0,
    }
    if present.size == 0:
        return stats
    counts, edges = np.histogram(present, bins=bins)
    stats.update(
        mean=float(present.mean()),
        std=float(present.std(ddof=0)),
        min=float(present.min()),
        max=float(present.max()),
        quantiles={f"p{int(q * 100):02d}": float(np.quantile(present, q)) for q in QUANTILES},
        histogram={"bin_edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    )
    return stats


def categorical_statistics(series: pd.Series) -> dict[str, Any]:
    values = series.dropna().astype(str)
    counts = values.value_counts()
    top = counts.head(MAX_CATEGORIES)
    kept = {str(k): int(v) for k, v in top.items()}
    other = int(counts.iloc[MAX_CATEGORIES:].sum()) if len(counts) > MAX_CATEGORIES else 0
    if other:
        kept[OTHER] = other
    total = max(1, len(values))
    return {
        "type": "categorical",
        "count": int(len(series)),
        "null_count": int(series.isna().sum()),
        "null_fraction": float(series.isna().mean()) if len(series) else 0.0,
        "n_unique": int(counts.size),
        "counts": kept,
        "frequencies": {k: v / total for k, v in kept.items()},
    }


def prediction_statistics(predictions: Any, task_type: str, bins: int, classes: list[Any] | None = None) -> dict[str, Any]:
    """Regression: ``predictions`` are values (non-finite ones count as nulls, as a server answers
    them ``null``). Classification: class indices, mapped to ``classes`` labels."""
    if task_type == "regression":
        values = pd.Series(np.asarray(predictions, dtype=float).ravel())
        values[~np.isfinite(values.to_numpy())] = np.nan
        return {"output": "value", **numeric_statistics(values, bins)}
    if not classes:
        raise ValueError("classification predictions need the model's classes")
    indices = np.asarray(predictions).ravel().astype(int)
    labels = pd.Series([str(classes[i]) for i in indices], dtype=object)
    return {"output": "label", "classes": [str(c) for c in classes], **categorical_statistics(labels)}


def baseline_statistics(frame: pd.DataFrame, numeric: list[str], categorical: list[str], target: str | None,
                        target_is_numeric: bool, bins: int, prediction: dict[str, Any] | None = None) -> dict[str, Any]:
    features: dict[str, Any] = {}
    for name in numeric:
        features[name] = numeric_statistics(frame[name], bins)
    for name in categorical:
        features[name] = categorical_statistics(frame[name])
    result: dict[str, Any] = {"row_count": int(len(frame)), "histogram_bins": bins, "features": features}
    if target is not None and target in frame.columns:
        result["target"] = {"name": target, **(numeric_statistics(frame[target], bins) if target_is_numeric else categorical_statistics(frame[target]))}
    if prediction is not None:
        result["prediction"] = prediction
    return result
