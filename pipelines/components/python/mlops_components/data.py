"""Reading the tabular snapshots the pipeline works on.

BigQuery exports arrive as one file or a folder of shards, often without an extension (a KFP
Dataset artifact's path is just ``.../dataset``), so the format is sniffed from the first
bytes: ``{`` → newline-delimited JSON, ``PAR1`` → Parquet, anything else → CSV. Parquet needs
pyarrow, which this image doesn't carry; that case fails with a message saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .paths import ensure_parent, local_path


class DataError(ValueError):
    """The input can't be read as a table (missing, empty, unsupported format)."""


def _data_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith((".", "_")))
        if not files:
            raise DataError(f"{root} is a folder without data files")
        return files
    raise DataError(f"{root} does not exist")


def _sniff_format(path: Path) -> str:
    suffixes = "".join(path.suffixes).lower()
    if suffixes.endswith((".json", ".jsonl", ".ndjson")):
        return "ndjson"
    if suffixes.endswith(".parquet"):
        return "parquet"
    if suffixes.endswith((".csv", ".csv.gz")):
        return "csv"
    with path.open("rb") as handle:
        head = handle.read(64).lstrip()
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"{"):
        return "ndjson"
    return "csv"


def _numbers_from_strings(series: pd.Series) -> pd.Series:
    """BigQuery's JSON export writes INT64 values as strings (to keep 64-bit precision); read them as numbers."""
    if not pd.api.types.is_object_dtype(series):
        return series
    present = series.dropna()
    if present.empty or not all(isinstance(v, str) for v in present):
        return series
    numbers = pd.to_numeric(present, errors="coerce")
    if numbers.isna().any():
        return series
    return pd.to_numeric(series, errors="coerce")


def _read_file(path: Path, dtype: Mapping[str, str] | None) -> pd.DataFrame:
    file_format = _sniff_format(path)
    if file_format == "ndjson":
        frame = pd.read_json(path, lines=True, dtype=False)
        pinned = dtype or {}
        for name in frame.columns:
            if pinned.get(name) == "str":
                # astype(str) would turn nulls into the string "nan"; keep them missing.
                frame[name] = frame[name].map(lambda v: v if pd.isna(v) else str(v))
            elif name not in pinned:
                frame[name] = _numbers_from_strings(frame[name])
        return frame
    if file_format == "parquet":
        try:
            return pd.read_parquet(path)
        except ImportError as error:
            raise DataError(f"{path} is Parquet, but this image has no Parquet engine (pyarrow); export CSV instead") from error
    return pd.read_csv(path, dtype=dict(dtype) if dtype else None, keep_default_na=True)


def read_table(uri: str, dtype: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Reads a CSV/NDJSON file or folder of shards; ``dtype`` pins columns (e.g. categoricals to ``str``)."""
    files = _data_files(local_path(uri))
    frames = [_read_file(path, dtype) for path in files]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if frame.shape[1] == 0:
        raise DataError(f"{uri} has no columns")
    return frame


def write_csv(frame: pd.DataFrame, path: str) -> None:
    frame.to_csv(ensure_parent(path), index=False)
