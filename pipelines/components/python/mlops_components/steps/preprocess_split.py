"""preprocess_split: cleans the snapshot, derives features, splits it, and records the feature schema.

What it does, in order:

1. drops rows without a target value (they can't train or score anything);
2. finds timestamp columns (ISO-like strings, plus ``--time-column``) and derives numeric
   calendar features from each (see :mod:`mlops_components.features`); the raw timestamp
   stays in the files but is not a feature;
3. drops identifier-like string columns (unique per row) and constant columns: they can only
   overfit or do nothing; refuses a feature that is the target under another name (the same
   values on every row), which would leak the answer into training;
4. keeps categoricals as their category strings — the encoding (one-hot, unknown categories
   ignored) lives in the trained model's pipeline, so the served model takes raw values;
5. splits ``random`` / ``stratified`` (by class, or by target quantile for regression) /
   ``time`` (latest rows to test);
6. writes train/validation/test CSVs and the feature schema JSON (feature order, numeric vs
   categorical, category vocabularies from the train split, target and task hints).

CLI::

    python3 -m mlops_components.steps.preprocess_split --dataset PATH --target-column COL
        --split-strategy random|stratified|time --time-column COL_OR_EMPTY
        --validation-fraction 0.15 --test-fraction 0.15 --random-seed 42
        --train-data OUT --validation-data OUT --test-data OUT --feature-schema OUT
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .. import cli
from ..data import read_table, write_csv
from ..entrypoint import run
from ..features import derive_calendar_features
from ..logs import get_logger
from ..outputs import write_json
from ..schema import DerivedFeature, FeatureSchema, column_kind
from ..splitting import Split, random_split, stratified_split, time_split

log = get_logger("preprocess_split")

STRATEGIES = ("random", "stratified", "time")
MAX_VOCABULARY = 1000
# A numeric target with at most this many distinct integer values looks like class labels.
CLASSIFICATION_MAX_CLASSES = 20


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="preprocess_split", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--target-column", required=True)
    parser.add_argument("--split-strategy", choices=STRATEGIES, default="random")
    parser.add_argument("--time-column", default="")
    parser.add_argument("--validation-fraction", type=cli.fraction, default=0.15)
    parser.add_argument("--test-fraction", type=cli.fraction, default=0.15)
    parser.add_argument("--random-seed", type=int, default=42)
    parser.add_argument("--train-data", required=True)
    parser.add_argument("--validation-data", required=True)
    parser.add_argument("--test-data", required=True)
    parser.add_argument("--feature-schema", required=True)
    args = parser.parse_args(argv)
    if args.validation_fraction <= 0 or args.test_fraction <= 0:
        parser.error("--validation-fraction and --test-fraction must be > 0")
    if args.validation_fraction + args.test_fraction >= 1:
        parser.error("--validation-fraction + --test-fraction must leave rows to train on")
    return args


def task_hints(target: pd.Series) -> dict[str, Any]:
    """A suggestion for ``task_type``, recorded so a mismatched pipeline parameter is easy to spot."""
    unique = int(target.nunique())
    numeric = pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(target)
    integral = numeric and bool((target.dropna() == target.dropna().round()).all())
    classification = not numeric or (integral and unique <= CLASSIFICATION_MAX_CLASSES)
    hints: dict[str, Any] = {
        "target_kind": "numeric" if numeric else "categorical",
        "n_unique_target": unique,
        "suggested_task_type": "classification" if classification else "regression",
    }
    if classification:
        hints["classes"] = sorted(target.dropna().astype(str).unique().tolist())
    return hints


def drop_reason(series: pd.Series, kind: str) -> str | None:
    values = series.dropna()
    if values.nunique() <= 1:
        return "constant"
    if kind == "categorical" and len(values) > 50 and values.nunique() >= 0.95 * len(values):
        return "identifier-like: a distinct value on almost every row"
    return None


def build_features(frame: pd.DataFrame, target: str, time_column: str) -> tuple[pd.DataFrame, FeatureSchema]:
    """Classifies columns and derives calendar features; the vocabularies are filled in after the split."""
    derived: list[DerivedFeature] = []
    timestamps: list[str] = []
    for name in [c for c in frame.columns if c != target]:
        if column_kind(frame[name]) == "timestamp" or (name == time_column and not pd.api.types.is_numeric_dtype(frame[name])):
            timestamps.append(name)
            frame, new = derive_calendar_features(frame, name)
            derived += new

    numeric: list[str] = []
    categorical: list[str] = []
    dropped: list[dict[str, str]] = []
    for name in [c for c in frame.columns if c != target and c not in timestamps]:
        kind = column_kind(frame[name])
        reason = drop_reason(frame[name], kind)
        if reason is not None:
            dropped.append({"name": name, "reason": reason})
            continue
        (numeric if kind == "numeric" else categorical).append(name)

    for name in categorical:
        # Category strings, nulls kept as nulls: the model's imputer gives them their own category.
        frame[name] = frame[name].map(lambda v: v if pd.isna(v) else str(v))
    kept = {d.name for d in derived if d.name in numeric}
    schema = FeatureSchema(
        target=target,
        features=numeric + categorical,
        numeric_features=numeric,
        categorical_features=categorical,
        derived_features=[d for d in derived if d.name in kept],
        timestamp_columns=timestamps,
        dropped_columns=dropped,
        task_hints=task_hints(frame[target]),
    )
    return frame, schema


class TargetLeakError(ValueError):
    """A feature column holds the target itself."""


def same_values(feature: pd.Series, target: pd.Series) -> bool:
    """Equal on every row, nulls included; ``1`` and ``"1"`` count as equal (a copy may be typed differently)."""
    if feature.isna().ne(target.isna()).any():
        return False
    if feature.equals(target):
        return True
    present = target.notna()
    if feature[present].nunique() != target[present].nunique():  # cheap rejection before comparing strings
        return False
    numbers = pd.to_numeric(feature[present], errors="coerce"), pd.to_numeric(target[present], errors="coerce")
    if numbers[0].notna().all() and numbers[1].notna().all():
        return bool(numbers[0].eq(numbers[1]).all())
    return bool(feature[present].astype(str).eq(target[present].astype(str)).all())


def check_target_leak(frame: pd.DataFrame, schema: FeatureSchema) -> None:
    """Refuses a feature set holding the target: its own name, or an exact copy of its column."""
    target = frame[schema.target]
    for name in schema.features:
        if name == schema.target or same_values(frame[name], target):
            raise TargetLeakError(
                f"feature column {name!r} is an exact copy of the target column {schema.target!r}: training on it would leak "
                f"the target into the model; remove {name!r} from the dataset")


def split_frame(frame: pd.DataFrame, args: argparse.Namespace, schema: FeatureSchema) -> Split:
    if args.split_strategy == "time":
        return time_split(frame, args.time_column, args.validation_fraction, args.test_fraction)
    if args.split_strategy == "stratified":
        classification = schema.task_hints.get("suggested_task_type") == "classification"
        return stratified_split(frame, args.target_column, classification, args.validation_fraction, args.test_fraction, args.random_seed)
    return random_split(frame, args.validation_fraction, args.test_fraction, args.random_seed)


def vocabularies(train: pd.DataFrame, categorical: list[str]) -> dict[str, list[str]]:
    """Train-split categories, most frequent first (what the one-hot encoder will know)."""
    return {name: [str(v) for v in train[name].dropna().value_counts().index[:MAX_VOCABULARY]] for name in categorical}


def main(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    frame = read_table(args.dataset)
    if args.target_column not in frame.columns:
        raise ValueError(f"target column {args.target_column!r} is not in the dataset (columns: {list(frame.columns)})")
    unlabelled = int(frame[args.target_column].isna().sum())
    frame = frame.loc[frame[args.target_column].notna()].reset_index(drop=True)
    log.info("read dataset", rows=len(frame), dropped_unlabelled_rows=unlabelled)

    frame, schema = build_features(frame, args.target_column, args.time_column)
    check_target_leak(frame, schema)
    split = split_frame(frame, args, schema)
    schema.categories = vocabularies(split.train, schema.categorical_features)
    schema.split = {
        "strategy": args.split_strategy,
        "time_column": args.time_column,
        "random_seed": args.random_seed,
        "validation_fraction": args.validation_fraction,
        "test_fraction": args.test_fraction,
        "rows": {"train": len(split.train), "validation": len(split.validation), "test": len(split.test)},
        "dropped_unlabelled_rows": unlabelled,
    }

    write_csv(split.train, args.train_data)
    write_csv(split.validation, args.validation_data)
    write_csv(split.test, args.test_data)
    write_json(args.feature_schema, schema.to_json())
    log.info("split written", strategy=args.split_strategy, rows=schema.split["rows"],
             numeric_features=schema.numeric_features, categorical_features=schema.categorical_features,
             dropped_columns=schema.dropped_columns)


if __name__ == "__main__":
    run("preprocess_split", main)
