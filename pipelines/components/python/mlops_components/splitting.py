"""Train/validation/test splits: random, stratified, or by time.

The time split is the honest one for data that drifts: the test set is the most recent
``test_fraction`` of rows, validation the slice before it, so metrics estimate performance on
the future rather than on interpolated past.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from .logs import get_logger
from .schema import parse_timestamps

log = get_logger("preprocess_split")


@dataclass
class Split:
    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame


def _sizes(rows: int, validation_fraction: float, test_fraction: float) -> tuple[int, int]:
    test = max(1, int(round(rows * test_fraction)))
    validation = max(1, int(round(rows * validation_fraction)))
    if rows - test - validation < 1:
        raise ValueError(f"{rows} rows are too few for validation {validation_fraction} and test {test_fraction}")
    return validation, test


def random_split(frame: pd.DataFrame, validation_fraction: float, test_fraction: float, seed: int) -> Split:
    validation_rows, test_rows = _sizes(len(frame), validation_fraction, test_fraction)
    order = np.random.default_rng(seed).permutation(len(frame))
    shuffled = frame.iloc[order]
    test = shuffled.iloc[:test_rows]
    validation = shuffled.iloc[test_rows:test_rows + validation_rows]
    train = shuffled.iloc[test_rows + validation_rows:]
    return Split(train, validation, test)


def _strata(target: pd.Series, classification: bool) -> pd.Series:
    if classification:
        return target.astype(str)
    # A continuous target is stratified by quantile bins, keeping its distribution in every split.
    bins = min(10, max(2, target.nunique() // 5))
    return pd.qcut(target, q=bins, labels=False, duplicates="drop").astype(str)


def stratified_split(frame: pd.DataFrame, target: str, classification: bool,
                     validation_fraction: float, test_fraction: float, seed: int) -> Split:
    validation_rows, test_rows = _sizes(len(frame), validation_fraction, test_fraction)
    strata = _strata(frame[target], classification)
    if strata.value_counts().min() < 3:
        log.warning("a stratum has fewer than 3 rows; falling back to a random split",
                    smallest_stratum=int(strata.value_counts().min()))
        return random_split(frame, validation_fraction, test_fraction, seed)
    rest, test = train_test_split(frame, test_size=test_rows, stratify=strata, random_state=seed)
    train, validation = train_test_split(rest, test_size=validation_rows, stratify=strata.loc[rest.index], random_state=seed)
    return Split(train, validation, test)


def time_split(frame: pd.DataFrame, time_column: str, validation_fraction: float, test_fraction: float) -> Split:
    if not time_column:
        raise ValueError("the time split needs --time-column")
    if time_column not in frame.columns:
        raise ValueError(f"time column {time_column!r} is not in the dataset")
    column = frame[time_column]
    order_key = column if pd.api.types.is_numeric_dtype(column) else parse_timestamps(column)
    unordered = int(order_key.isna().sum())
    if unordered:
        log.warning("rows without a parseable time are dropped from the time split", rows=unordered, column=time_column)
    ordered = frame.loc[order_key.notna()].assign(_order=order_key[order_key.notna()]).sort_values("_order", kind="stable")
    ordered = ordered.drop(columns="_order")
    validation_rows, test_rows = _sizes(len(ordered), validation_fraction, test_fraction)
    train_end = len(ordered) - test_rows - validation_rows
    return Split(ordered.iloc[:train_end], ordered.iloc[train_end:train_end + validation_rows], ordered.iloc[train_end + validation_rows:])
