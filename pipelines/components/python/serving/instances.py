"""Request instances → model input rows.

Instances are lists in feature order or objects keyed by feature name. The feature order and
kinds come from ``input_schema.json`` (written by ``export_serving``), else
``model_metadata.json`` (written by ``train``), else the model's own ``feature_names_in_``.
Values are coerced to what training fed the model: floats for numeric features, strings for
categorical ones, ``NaN`` for missing values (the pipelines' imputers expect ``NaN``).
Calendar features derived from a timestamp (``ts_hour`` from ``ts``) may be left out of an
object instance that carries the timestamp itself; they are derived here as training did.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


# Fields that identify an instance (to join ground truth with the request-response log later)
# rather than describe it: accepted in object instances and not passed to the model.
INSTANCE_KEYS = frozenset(k.strip() for k in os.environ.get("MODEL_SERVER_INSTANCE_KEYS", "").split(",") if k.strip())


class BadRequest(Exception):
    """The client's fault: answered 400 with this message."""


@dataclass(frozen=True)
class FeatureSpec:
    names: list[str] | None = None
    # name → "numeric" | "categorical"; features without a known kind are passed as given.
    kinds: dict[str, str] = field(default_factory=dict)
    # derived feature → (timestamp source column, calendar part: hour | dayofweek | month)
    derived: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def from_model_dir(cls, directory: Path) -> FeatureSpec:
        schema = read_json(directory / "input_schema.json")
        if schema and isinstance(schema.get("feature_names"), list):
            entries = [f for f in schema.get("features", []) if isinstance(f, dict) and "name" in f]
            kinds = {f["name"]: f.get("type", "") for f in entries}
            derived = {f["name"]: (d["source"], d["part"]) for f in entries
                       if isinstance(d := f.get("derived_from"), dict) and "source" in d and "part" in d}
            return cls([str(n) for n in schema["feature_names"]], kinds, derived)
        metadata = read_json(directory / "model_metadata.json")
        if metadata and isinstance(metadata.get("features"), list):
            kinds = {n: "numeric" for n in metadata.get("numeric_features") or []}
            kinds.update({n: "categorical" for n in metadata.get("categorical_features") or []})
            return cls([str(n) for n in metadata["features"]], kinds)
        return cls()

    def or_model_names(self, model: Any) -> FeatureSpec:
        """Fall back to the column names a model fitted on a DataFrame remembers."""
        names = getattr(model, "feature_names_in_", None)
        if self.names is None and names is not None:
            return FeatureSpec([str(n) for n in names], self.kinds, self.derived)
        return self


def read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    value = json.loads(path.read_text(encoding="utf-8"))
    return value if isinstance(value, dict) else None


def to_rows(instances: Any, spec: FeatureSpec) -> list[list[Any]]:
    if not isinstance(instances, list) or not instances:
        raise BadRequest("'instances' must be a non-empty list")
    if all(isinstance(i, dict) for i in instances):
        rows = [object_row(i, spec, n) for n, i in enumerate(instances)]
    elif all(isinstance(i, list) for i in instances):
        rows = [list_row(i, spec, n) for n, i in enumerate(instances)]
    elif spec.names is not None and len(spec.names) == 1 and not any(isinstance(i, (dict, list)) for i in instances):
        rows = [[i] for i in instances]  # a one-feature model may take bare values
    else:
        raise BadRequest("instances must all be lists (values in feature order) or all objects keyed by feature name")
    if spec.names is None and len({len(row) for row in rows}) > 1:
        raise BadRequest("instances have different numbers of values")
    names = spec.names or [str(i) for i in range(len(rows[0]))]
    return [[coerce(value, spec.kinds.get(name), name) for name, value in zip(names, row)] for row in rows]


def object_row(instance: dict[str, Any], spec: FeatureSpec, n: int) -> list[Any]:
    if spec.names is None:
        raise BadRequest("this model has no input_schema.json or feature names: send instances as lists")
    sources = {source for source, _ in spec.derived.values()}
    unknown = sorted(set(instance) - set(spec.names) - sources - INSTANCE_KEYS)
    if unknown:
        raise BadRequest(f"instance {n}: unknown features {unknown}; the model takes {spec.names}")
    return [derive(instance, name, spec) if name not in instance else instance[name] for name in spec.names]


def derive(instance: dict[str, Any], name: str, spec: FeatureSpec) -> Any:
    """A calendar part of the instance's timestamp (UTC), when ``name`` is derived and the timestamp given."""
    source, part = spec.derived.get(name, ("", ""))
    if source not in instance or instance[source] is None:
        return None
    stamp = pd.to_datetime(instance[source], errors="coerce", utc=True)
    return None if pd.isna(stamp) else getattr(stamp, part, None)


def list_row(instance: list[Any], spec: FeatureSpec, n: int) -> list[Any]:
    if spec.names is not None and len(instance) != len(spec.names):
        raise BadRequest(f"instance {n} has {len(instance)} values; the model takes {len(spec.names)}: {spec.names}")
    if any(isinstance(v, (dict, list)) for v in instance):
        raise BadRequest(f"instance {n}: values must be numbers, strings, booleans or null")
    return instance


def coerce(value: Any, kind: str | None, name: str) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return np.nan
    if kind == "numeric":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise BadRequest(f"feature {name!r} is numeric; got {value!r}") from None
    if kind == "categorical":
        return str(value)
    return value


def model_input(rows: list[list[Any]], spec: FeatureSpec, model: Any) -> Any:
    """A DataFrame for models fitted on one (they check column names), else an object array in feature order."""
    fitted_names = getattr(model, "feature_names_in_", None)
    if fitted_names is not None and spec.names is not None:
        frame = pd.DataFrame(rows, columns=spec.names).infer_objects()
        missing = [str(n) for n in fitted_names if n not in frame.columns]
        if missing:
            raise BadRequest(f"the model needs features {missing}")
        return frame[list(fitted_names)]
    return np.array(rows, dtype=object)
