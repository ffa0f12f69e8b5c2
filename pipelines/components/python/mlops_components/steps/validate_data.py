"""validate_data: checks a training snapshot before any compute is spent on it.

Failing checks fail the task, and so the pipeline run: the report, the statistics and
``passed=false`` are written first, then the step exits non-zero with one ERROR log line naming
every failed check, which the run reports as its error (Vertex's "Termination reason").

CLI::

    python3 -m mlops_components.steps.validate_data --dataset PATH --target-column COL
        --min-row-count N --max-null-fraction F --column-ranges '{"col": {"min": 0, "max": 10}}'
        --report report.md --statistics statistics.json --passed passed.txt
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from .. import cli
from ..data import DataError, read_table
from ..entrypoint import run
from ..logs import get_logger
from ..outputs import write_json, write_parameter, write_text
from ..schema import storage_type

log = get_logger("validate_data")


class ValidationFailed(Exception):
    """The snapshot is unfit for training; the message lists the failed checks."""


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="validate_data", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--target-column", required=True)
    parser.add_argument("--min-row-count", type=int, default=100)
    parser.add_argument("--max-null-fraction", type=float, default=0.2)
    parser.add_argument("--column-ranges", type=cli.json_object, default={})
    parser.add_argument("--report", required=True)
    parser.add_argument("--statistics", required=True)
    parser.add_argument("--passed", required=True)
    return parser.parse_args(argv)


def column_statistics(series: pd.Series) -> dict[str, Any]:
    stats: dict[str, Any] = {
        "type": storage_type(series),
        "null_count": int(series.isna().sum()),
        "null_fraction": float(series.isna().mean()) if len(series) else 0.0,
        "n_unique": int(series.nunique(dropna=True)),
    }
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.dropna()
        if not values.empty:
            stats.update(min=float(values.min()), max=float(values.max()), mean=float(values.mean()), std=float(values.std(ddof=0)))
    else:
        top = series.dropna().astype(str).value_counts().head(5)
        stats["top_values"] = {str(k): int(v) for k, v in top.items()}
    return stats


def range_check(frame: pd.DataFrame, column: str, bounds: Any) -> Check:
    name = f"range:{column}"
    if not isinstance(bounds, dict) or not ({"min", "max"} & bounds.keys()):
        return Check(name, False, f"bounds must be an object with min and/or max, got {bounds!r}")
    if column not in frame.columns:
        return Check(name, False, f"column {column!r} is not in the dataset")
    series = pd.to_numeric(frame[column], errors="coerce")
    non_numeric = int((series.isna() & frame[column].notna()).sum())
    if non_numeric:
        return Check(name, False, f"{non_numeric} non-numeric values in {column!r}")
    values = series.dropna()
    low, high = bounds.get("min"), bounds.get("max")
    outside = pd.Series(False, index=values.index)
    if low is not None:
        outside |= values < float(low)
    if high is not None:
        outside |= values > float(high)
    observed = f"observed [{values.min():g}, {values.max():g}]" if not values.empty else "no values"
    wanted = f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"
    count = int(outside.sum())
    if count:
        return Check(name, False, f"{count} values outside {wanted}; {observed}")
    return Check(name, True, f"within {wanted}; {observed}")


def run_checks(frame: pd.DataFrame, target: str, min_rows: int, max_null: float, ranges: dict[str, Any]) -> list[Check]:
    checks = [
        Check("row_count", len(frame) >= min_rows, f"{len(frame)} rows (minimum {min_rows})"),
        Check("target_present", target in frame.columns, f"target column {target!r} {'present' if target in frame.columns else 'missing'}"),
        Check("has_features", len([c for c in frame.columns if c != target]) > 0, f"{frame.shape[1]} columns"),
    ]
    if target in frame.columns:
        labelled = int(frame[target].notna().sum())
        checks.append(Check("target_labelled", labelled > 0, f"{labelled} rows have a target value"))
    for column in frame.columns:
        null_fraction = float(frame[column].isna().mean()) if len(frame) else 0.0
        checks.append(Check(
            f"nulls:{column}", null_fraction <= max_null,
            f"null fraction {null_fraction:.3f} (maximum {max_null})",
        ))
    for column, bounds in ranges.items():
        checks.append(range_check(frame, column, bounds))
    return checks


def render_report(dataset: str, passed: bool, checks: list[Check], columns: dict[str, dict[str, Any]], rows: int) -> str:
    lines = [
        "# Data validation",
        "",
        f"Dataset: `{dataset}`  ",
        f"Rows: {rows}  ",
        f"Verdict: **{'PASSED' if passed else 'FAILED'}**",
        "",
    ]
    failures = [c for c in checks if not c.passed]
    if failures:
        lines += ["## Failed checks", ""] + [f"- `{c.name}`: {c.detail}" for c in failures] + [""]
    lines += ["## Checks", "", "| Check | Result | Detail |", "|---|---|---|"]
    lines += [f"| `{c.name}` | {'pass' if c.passed else '**FAIL**'} | {c.detail} |" for c in checks]
    if columns:
        lines += ["", "## Schema", "", "| Column | Type | Nulls | Unique | Min | Max |", "|---|---|---|---|---|---|"]
        for name, stats in columns.items():
            low = f"{stats['min']:g}" if "min" in stats else ""
            high = f"{stats['max']:g}" if "max" in stats else ""
            lines.append(f"| `{name}` | {stats['type']} | {stats['null_fraction']:.1%} | {stats['n_unique']} | {low} | {high} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    columns: dict[str, dict[str, Any]] = {}
    rows = 0
    try:
        frame = read_table(args.dataset)
    except (DataError, OSError, ValueError) as error:
        # An unreadable snapshot is a validation failure, not a crash: the report says why.
        log.warning("dataset could not be read", error=str(error))
        checks = [Check("readable", False, f"could not read the dataset: {error}")]
    else:
        rows = len(frame)
        checks = [Check("readable", True, f"{rows} rows, {frame.shape[1]} columns")]
        checks += run_checks(frame, args.target_column, args.min_row_count, args.max_null_fraction, args.column_ranges)
        columns = {str(name): column_statistics(frame[name]) for name in frame.columns}

    passed = all(c.passed for c in checks)
    failures = [f"{c.name}: {c.detail}" for c in checks if not c.passed]
    statistics = {
        "dataset": args.dataset,
        "row_count": rows,
        "column_count": len(columns),
        "target_column": args.target_column,
        "columns": columns,
        "checks": [asdict(c) for c in checks],
        "passed": passed,
        "failures": failures,
    }
    write_json(args.statistics, statistics)
    write_text(args.report, render_report(args.dataset, passed, checks, columns, rows))
    write_parameter(args.passed, passed)
    log.info("validation finished", passed=passed, rows=rows, failures=failures)
    if not passed:
        raise ValidationFailed(f"the dataset failed validation: {'; '.join(failures)}")


if __name__ == "__main__":
    run("validate_data", main)
