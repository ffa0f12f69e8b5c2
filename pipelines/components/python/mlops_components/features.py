"""Calendar features derived from timestamp columns.

A raw timestamp is useless to a tree or linear model (every value unique, no order that
generalises to the future). What carries signal for demand- or delay-like targets is the
position in the day, week and year, so each timestamp column ``ts`` becomes:

- ``ts_hour``: hour of day, 0–23 (UTC)
- ``ts_dayofweek``: day of week, Monday = 0 … Sunday = 6
- ``ts_month``: month, 1–12

These are written into the split files as ordinary numeric columns, and the model takes them
as inputs: a client calling the served model sends the derived values, not the timestamp
(``input_schema.json`` lists them).
"""

from __future__ import annotations

import pandas as pd

from .schema import DerivedFeature, parse_timestamps

CALENDAR_PARTS = ("hour", "dayofweek", "month")


def derive_calendar_features(frame: pd.DataFrame, column: str) -> tuple[pd.DataFrame, list[DerivedFeature]]:
    """Adds ``<column>_<part>`` columns; rows whose timestamp doesn't parse get nulls (imputed later)."""
    parsed = parse_timestamps(frame[column])
    derived: list[DerivedFeature] = []
    out = frame.copy()
    for part in CALENDAR_PARTS:
        name = f"{column}_{part}"
        values = getattr(parsed.dt, part)
        # Nullable Int64 keeps missing values missing in the CSV instead of forcing floats.
        out[name] = values.astype("Int64")
        derived.append(DerivedFeature(name=name, source=column, part=part))
    return out, derived
