"""Hyperparameters: defaults per model type, merged with the pipeline's JSON and tuning flags.

Precedence, lowest first: defaults → ``--hyperparameters`` JSON → ``--<name>=<value>`` flags
(what a Vertex tuning trial appends). Vizier reports every numeric value as a double, so an
integer parameter arrives as ``256.0``; scikit-learn and XGBoost reject floats for
``n_estimators`` or ``max_depth``, hence :func:`coerce`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

# Re-exported for train/tune/export_serving; the lists themselves live in closed_sets.
from .closed_sets import MODEL_TYPES as MODEL_TYPES, TASK_TYPES as TASK_TYPES, require
from .logs import get_logger

log = get_logger("train")


DEFAULTS: dict[str, dict[str, Any]] = {
    "random_forest": {"n_estimators": 100, "max_depth": None, "min_samples_leaf": 1, "max_features": 1.0},
    "gradient_boosting": {"n_estimators": 100, "learning_rate": 0.1, "max_depth": 3, "subsample": 1.0},
    # Regression: Ridge(alpha). Classification: LogisticRegression(C = 1 / alpha) — the same
    # knob (L2 strength) under one name, so a search space works for both tasks.
    "ridge": {"alpha": 1.0},
    "xgboost": {
        "n_estimators": 200, "learning_rate": 0.1, "max_depth": 6, "subsample": 1.0,
        "colsample_bytree": 1.0, "min_child_weight": 1.0, "reg_lambda": 1.0, "tree_method": "hist",
    },
}

INTEGER_PARAMETERS = frozenset({
    "n_estimators", "max_depth", "max_leaf_nodes",
    "max_bin", "max_iter", "early_stopping_rounds", "num_parallel_tree", "max_delta_step",
    "n_iter_no_change", "max_cat_to_onehot",
})

# scikit-learn reads these as a count given an int and as a fraction given a float, but a trial's
# ``--max_features=1.0`` reaches the refit as JSON ``1``: the type cannot carry the meaning. So the
# value does (the same rule as control-plane/config/tuning-space.ts's FRACTION_OR_COUNT_HYPERPARAMETERS):
# (0, 1) is a fraction, a whole number from 2 a count, and exactly 1 is "all" (max_features,
# max_samples), one sample (min_samples_leaf) or refused (min_samples_split: a count needs 2).
FRACTION_OR_COUNT = {"max_features": "all", "max_samples": "all", "min_samples_leaf": "count", "min_samples_split": "refused"}

# Thread counts follow the cores the container has (see mlops_components.cores); overriding them is refused.
THREAD_PARAMETERS = ("n_jobs", "nthread")


def _parse_flag_value(text: str) -> Any:
    """``"0.1"`` → 0.1, ``"true"`` → True, ``"gini"`` → ``"gini"`` (categorical parameters stay strings)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_flags(extra: Iterable[str]) -> dict[str, Any]:
    """``--max_depth=6.0`` / ``--max_depth 6`` flags left over after the known arguments."""
    values: dict[str, Any] = {}
    tokens = list(extra)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("--"):
            raise ValueError(f"unexpected argument {token!r}: hyperparameters are passed as --name=value")
        name, sep, value = token[2:].partition("=")
        if not sep:
            if i + 1 >= len(tokens) or tokens[i + 1].startswith("--"):
                raise ValueError(f"hyperparameter flag {token!r} has no value")
            value = tokens[i + 1]
            i += 1
        values[name.replace("-", "_")] = _parse_flag_value(value)
        i += 1
    return values


def fraction_or_count(name: str, value: Any) -> Any:
    """The value scikit-learn should get for a FRACTION_OR_COUNT hyperparameter, whatever its JSON type."""
    if value is None or isinstance(value, str):  # None, "sqrt", "log2": no count or fraction
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"hyperparameter {name} must be a fraction in (0, 1) or a whole count, got {value!r}")
    if value < 1:
        return float(value)
    if value == 1:
        one = FRACTION_OR_COUNT[name]
        if one == "refused":
            raise ValueError(f"hyperparameter {name}=1 is neither a count (from 2) nor a fraction below 1")
        return 1.0 if one == "all" else 1
    if not float(value).is_integer():
        raise ValueError(f"hyperparameter {name} must be a fraction in (0, 1) or a whole count, got {value!r}")
    return int(value)


def coerce(name: str, value: Any) -> Any:
    if name in FRACTION_OR_COUNT:
        return fraction_or_count(name, value)
    if name in INTEGER_PARAMETERS and isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"hyperparameter {name} must be finite, got {value}")
        if not value.is_integer():
            log.warning("integer hyperparameter rounded", name=name, value=value, rounded=round(value))
        return int(round(value))
    if name in INTEGER_PARAMETERS and isinstance(value, str) and value.strip().lower() in ("none", "null"):
        return None
    return value


def resolve(model_type: str, from_json: Mapping[str, Any], from_flags: Mapping[str, Any]) -> dict[str, Any]:
    require("model_type", model_type, MODEL_TYPES)
    merged: dict[str, Any] = dict(DEFAULTS[model_type])
    merged.update(from_json)
    merged.update(from_flags)
    for name in THREAD_PARAMETERS:
        if name in merged:
            log.warning("thread count hyperparameter ignored: a model uses the cores its container has", name=name, value=merged[name])
        merged.pop(name, None)
    return {name: coerce(name, value) for name, value in merged.items()}
