"""Column typing shared by validation, preprocessing and training.

Only two kinds reach a model: *numeric* columns (scaled) and *categorical* columns (one-hot
encoded). Timestamp-looking strings are recognised so they can be turned into numeric
calendar features instead of being one-hot encoded as thousands of unique strings.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd

from .paths import local_path

ColumnKind = Literal["numeric", "categorical", "timestamp"]

# ISO-like dates with an optional time and zone: what BigQuery exports and most CSVs carry.
_TIMESTAMP = re.compile(
    r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}"
    r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
    r"\s*(Z|UTC|[+-]\d{2}:?\d{2})?$"
)
_TIMESTAMP_SHARE = 0.95
_SAMPLE = 500


def looks_like_timestamp(series: pd.Series) -> bool:
    """A string column whose non-null values (a sample of them) almost all match a date pattern."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return True
    if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
        return False
    values = series.dropna()
    if values.empty:
        return False
    sample = values.iloc[:_SAMPLE].astype(str)
    matches = sample.map(lambda text: bool(_TIMESTAMP.match(text.strip()))).mean()
    return bool(matches >= _TIMESTAMP_SHARE)


def parse_timestamps(series: pd.Series) -> pd.Series:
    """Timezone-aware UTC datetimes; unparseable values become NaT rather than failing the run."""
    return pd.to_datetime(series, errors="coerce", utc=True)


def column_kind(series: pd.Series) -> ColumnKind:
    if pd.api.types.is_bool_dtype(series):
        return "categorical"
    if pd.api.types.is_numeric_dtype(series):
        return "numeric"
    if looks_like_timestamp(series):
        return "timestamp"
    return "categorical"


def storage_type(series: pd.Series) -> str:
    """The value type as a reader of the report would name it."""
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        # Integer columns with nulls are read as float; say so rather than mislead.
        values = series.dropna()
        if not values.empty and bool((values == values.round()).all()):
            return "integer (with nulls)" if series.isna().any() else "float"
        return "float"
    if looks_like_timestamp(series):
        return "timestamp"
    return "string"


@dataclass
class DerivedFeature:
    """A numeric feature computed from a timestamp column (``part`` is hour, dayofweek or month)."""

    name: str
    source: str
    part: str


@dataclass
class FeatureSchema:
    """What ``preprocess_split`` decided and every later step relies on.

    ``features`` is the model's input order: the saved model takes rows whose values follow it.
    """

    target: str
    features: list[str]
    numeric_features: list[str]
    categorical_features: list[str]
    categories: dict[str, list[str]] = field(default_factory=dict)
    derived_features: list[DerivedFeature] = field(default_factory=list)
    timestamp_columns: list[str] = field(default_factory=list)
    dropped_columns: list[dict[str, str]] = field(default_factory=list)
    task_hints: dict[str, Any] = field(default_factory=dict)
    split: dict[str, Any] = field(default_factory=dict)
    schema_version: int = 1

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> FeatureSchema:
        data = dict(value)
        data["derived_features"] = [DerivedFeature(**d) for d in data.get("derived_features", [])]
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    @classmethod
    def load(cls, uri: str) -> FeatureSchema:
        return cls.from_json(json.loads(local_path(uri).read_text(encoding="utf-8")))

    def read_dtypes(self) -> dict[str, str]:
        """Categoricals are read back as strings, so ``"01"`` stays ``"01"`` and matches the vocabulary."""
        return {name: "str" for name in self.categorical_features}

