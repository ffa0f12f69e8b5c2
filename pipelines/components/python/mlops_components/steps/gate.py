"""gate: approves the model only if every threshold holds on the evaluation.

``--thresholds`` is ``{metric: {"min": x, "max": y}}`` (either bound optional). A metric is
looked up in the evaluation's flat ``metrics`` (``rmse``, ``r2``, ``accuracy``, …), then
under its Vertex schema name (``rootMeanSquaredError``, ``auRoc``, …). A metric name outside
the closed set (``closed_sets.METRICS``) fails the task with a did-you-mean, as submission does;
a known metric the evaluation doesn't have — or has as null — rejects the model.

Outputs: ``--approved`` (true/false), ``--decision`` (Markdown table) and ``--reason`` (one line:
the verdict and why), the last two surfaced by the pipeline so a caller needn't open files.

CLI::

    python3 -m mlops_components.steps.gate --evaluation PATH --thresholds '{"r2": {"min": 0.6}}'
        --approved approved.txt --decision decision.md --reason reason.txt
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import cli, closed_sets
from ..entrypoint import run
from ..logs import get_logger
from ..outputs import read_json, write_parameter, write_text

log = get_logger("gate")


@dataclass
class Verdict:
    metric: str
    threshold: str
    observed: float | None
    passed: bool
    reason: str


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="gate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evaluation", required=True)
    parser.add_argument("--thresholds", type=cli.json_object, required=True)
    parser.add_argument("--approved", required=True)
    parser.add_argument("--decision", required=True)
    parser.add_argument("--reason", required=True)
    return parser.parse_args(argv)


def lookup(evaluation: dict[str, Any], metric: str) -> tuple[bool, Any]:
    for source in (evaluation.get("metrics", {}), evaluation.get("vertex_model_evaluation", {}).get("metrics", {})):
        if isinstance(source, dict) and metric in source:
            return True, source[metric]
    return False, None


def judge(metric: str, bounds: Any, evaluation: dict[str, Any]) -> Verdict:
    if not isinstance(bounds, dict) or not ({"min", "max"} & bounds.keys()):
        return Verdict(metric, repr(bounds), None, False, "threshold must be an object with min and/or max")
    low, high = bounds.get("min"), bounds.get("max")
    for name, bound in (("min", low), ("max", high)):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float))):
            return Verdict(metric, repr(bounds), None, False, f"{name} must be a number, got {bound!r}")
    described = " and ".join(part for part in (f">= {low}" if low is not None else "", f"<= {high}" if high is not None else "") if part)
    found, value = lookup(evaluation, metric)
    if not found:
        return Verdict(metric, described, None, False, f"metric {metric!r} is not in the evaluation")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return Verdict(metric, described, None, False, f"metric {metric!r} has no numeric value ({value!r})")
    if low is not None and value < low:
        return Verdict(metric, described, float(value), False, f"{value:g} is below the minimum {low}")
    if high is not None and value > high:
        return Verdict(metric, described, float(value), False, f"{value:g} is above the maximum {high}")
    return Verdict(metric, described, float(value), True, "within bounds")


def render(approved: bool, verdicts: list[Verdict], evaluation: dict[str, Any]) -> str:
    lines = [
        "# Model gate",
        "",
        f"Decision: **{'APPROVED' if approved else 'REJECTED'}**  ",
        f"Task: {evaluation.get('task_type', 'unknown')}, model: {evaluation.get('model_type', 'unknown')}, "
        f"test rows: {evaluation.get('row_count', 'unknown')}",
        "",
        "| Metric | Threshold | Observed | Verdict |",
        "|---|---|---|---|",
    ]
    for v in verdicts:
        observed = "—" if v.observed is None else f"{v.observed:.6g}"
        lines.append(f"| `{v.metric}` | {v.threshold} | {observed} | {'pass' if v.passed else '**FAIL**: ' + v.reason} |")
    if not verdicts:
        lines.append("| (no thresholds) | | | approved without checks |")
    return "\n".join(lines) + "\n"


def reason(approved: bool, verdicts: list[Verdict]) -> str:
    """``rejected: r2: 0.41 is below the minimum 0.6`` or ``approved: r2 0.71 (>= 0.6)``."""
    if not verdicts:
        return "approved: no thresholds were given"
    if approved:
        return "approved: " + "; ".join(f"{v.metric} {v.observed:.6g} ({v.threshold})" for v in verdicts)
    return "rejected: " + "; ".join(f"{v.metric}: {v.reason}" for v in verdicts if not v.passed)


def main(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    for metric in args.thresholds:
        closed_sets.require(f"thresholds.{metric}", metric, closed_sets.METRICS)
    evaluation = read_json(args.evaluation)
    if not isinstance(evaluation, dict):
        raise ValueError(f"{args.evaluation} is not a JSON object")
    verdicts = [judge(metric, bounds, evaluation) for metric, bounds in args.thresholds.items()]
    if not verdicts:
        log.warning("no thresholds given: the model is approved without checks")
    approved = all(v.passed for v in verdicts)
    write_parameter(args.approved, approved)
    write_text(args.decision, render(approved, verdicts, evaluation))
    write_parameter(args.reason, reason(approved, verdicts))
    log.info("gate decided", approved=approved,
             failures=[f"{v.metric}: {v.reason}" for v in verdicts if not v.passed])


if __name__ == "__main__":
    run("gate", main)
