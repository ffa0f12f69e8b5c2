"""Class labels ↔ class indices.

Every classifier is trained on indices 0..k-1 of the sorted train-split labels (XGBoost
requires that, and one convention for all model types keeps the serving contract single).
``classes[i]`` in the model metadata is the label of index ``i``. Labels are matched by their
string form, so ``1`` read from one CSV and ``"1"`` from another are the same class.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

MAX_CLASSES = 100


def class_vocabulary(labels: pd.Series) -> list[Any]:
    values = labels.dropna().unique().tolist()
    try:
        classes = sorted(values)
    except TypeError:  # mixed types: fall back to string order
        classes = sorted(values, key=str)
    if len(classes) < 2:
        raise ValueError(f"classification needs at least two classes in the train split, found {classes}")
    if len(classes) > MAX_CLASSES:
        raise ValueError(f"{len(classes)} distinct target values: too many classes; is this a regression target?")
    return [c.item() if hasattr(c, "item") else c for c in classes]


def encode(labels: pd.Series, classes: list[Any]) -> np.ndarray:
    """Class indices; -1 for a label the model never saw in training."""
    index = {str(c): i for i, c in enumerate(classes)}
    return np.array([index.get(str(v), -1) for v in labels], dtype=int)
