"""compare_champion: scores the challenger and the current champion on the same test rows and
bootstraps the difference of one metric between them.

The challenger is ``train``'s model directory; the champion is the serving directory of the
version that holds the ``champion`` alias (its Vertex Model ``artifactUri``: ``model.joblib``, or
``model.bst`` + ``preprocessor.joblib``, with ``model_metadata.json``). Both are loaded by
:func:`mlops_components.model_files.load_model` and scored by the code ``evaluate`` uses, so the
challenger's value here is the one ``evaluate`` reports.

The comparison is paired: each bootstrap sample draws test rows with replacement (one draw for
both models) and recomputes ``challenger - champion``; the percentile interval at
``--confidence`` is the confidence interval of the difference (numpy's generator seeded with
``--random-seed``, so a rerun gives the same interval). Verdicts:

- ``better``: the whole interval lies on the improving side of ``--min-improvement`` (metric
  units, counted in the improving direction: below ``-min_improvement`` for an error such as
  rmse, above ``+min_improvement`` for a score such as r2; a negative value tolerates a
  challenger that is at most that much worse), by more than rounding (a millionth of the
  metric's size), so that a model compared with a copy of itself is never ``better``;
- ``not_better``: it does not (or the metric is undefined on these rows);
- ``no_champion``: ``--champion-model-uri`` is empty;
- ``champion_unusable``: the champion could not be loaded or could not score these rows
  (another task type, features the test split lacks, other classes, a broken file); ``reason``
  says why. The challenger's own failures fail the task instead.

Outputs: ``--champion-comparison`` (the JSON below, an artifact), ``--verdict`` (the verdict) and
``--comparison`` (the same JSON as a struct parameter, readable from the PipelineJob's task
details): metric, direction (``lower``/``higher`` is better), challenger, champion, difference,
ci_low, ci_high, confidence, n_rows, bootstrap_samples, min_improvement, champion_model_uri,
verdict, reason.

CLI::

    python3 -m mlops_components.steps.compare_champion --model DIR --test-data PATH --target-column COL
        --task-type regression --champion-model-uri gs://… --comparison-metric rmse --min-improvement 0
        --confidence 0.95 --bootstrap-samples 1000 --random-seed 42
        --champion-comparison PATH --verdict PATH --comparison PATH
"""

from __future__ import annotations

import argparse
import math
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import closed_sets
from ..data import read_table
from ..entrypoint import run
from ..logs import get_logger
from ..metrics import metric_value
from ..model_files import LoadedModel, load_model
from ..models import feature_matrix
from ..outputs import json_safe, write_json, write_parameter
from ..scoring import LabelledRows, labelled_rows, model_output

log = get_logger("compare_champion")

MAX_BOOTSTRAP_SAMPLES = 100_000
# Relative size of a difference that is rounding, not improvement.
NUMERICAL_NOISE = 1e-6


class ChampionUnusable(Exception):
    """The champion cannot be scored on the challenger's test rows; the message says why."""


def probability(text: str) -> float:
    value = float(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number strictly between 0 and 1, got {text}")
    return value


def finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
    return value


def sample_count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_BOOTSTRAP_SAMPLES:
        raise argparse.ArgumentTypeError(f"expected 1 to {MAX_BOOTSTRAP_SAMPLES}, got {text}")
    return value


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="compare_champion", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="the challenger: train's model directory")
    parser.add_argument("--test-data", required=True)
    parser.add_argument("--target-column", required=True)
    parser.add_argument("--task-type", type=closed_sets.argument(closed_sets.TASK_TYPES), default="regression")
    parser.add_argument("--champion-model-uri", default="", help="the champion's serving directory; empty: no champion yet")
    parser.add_argument("--comparison-metric", type=closed_sets.argument(closed_sets.COMPARISON_METRICS), default="rmse")
    parser.add_argument("--min-improvement", type=finite, default=0.0)
    parser.add_argument("--confidence", type=probability, default=0.95)
    parser.add_argument("--bootstrap-samples", type=sample_count, default=1000)
    parser.add_argument("--random-seed", type=int, default=42)
    parser.add_argument("--champion-comparison", required=True)
    parser.add_argument("--verdict", required=True)
    parser.add_argument("--comparison", required=True)
    args = parser.parse_args(argv)
    task_metrics = closed_sets.TASK_METRICS[args.task_type]
    if args.comparison_metric not in task_metrics:
        parser.error(f"argument --comparison-metric: {args.comparison_metric!r} is not a {args.task_type} metric; "
                     f"one of {', '.join(task_metrics)}")
    return args


@dataclass(frozen=True)
class Interval:
    low: float | None
    high: float | None
    #: Resamples on which the metric was defined for both models.
    valid: int


def bootstrap(metric: str, actual: np.ndarray, challenger: np.ndarray, champion: np.ndarray, task_type: str,
              n_classes: int, samples: int, confidence: float, seed: int) -> Interval:
    """Percentile interval of ``metric(challenger) - metric(champion)`` over rows drawn jointly with replacement."""
    rng = np.random.default_rng(seed)
    n = len(actual)
    differences: list[float] = []
    for _ in range(samples):
        rows = rng.integers(0, n, size=n)
        ours = metric_value(metric, actual[rows], challenger[rows], task_type, n_classes)
        theirs = metric_value(metric, actual[rows], champion[rows], task_type, n_classes)
        if ours is not None and theirs is not None:
            differences.append(ours - theirs)
    if not differences:
        return Interval(None, None, 0)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(np.asarray(differences), [tail, 1.0 - tail])
    return Interval(float(low), float(high), len(differences))


def score_champion(uri: str, test_data: str, rows: LabelledRows, task_type: str, classes: list[Any] | None) -> np.ndarray:
    """The champion's output on exactly the challenger's rows; ChampionUnusable when it has none."""
    try:
        champion: LoadedModel = load_model(uri)
    except Exception as error:  # noqa: BLE001 - whatever is wrong with the directory, the champion can't be used
        raise ChampionUnusable(f"cannot load it: {type(error).__name__}: {error}") from error
    theirs = champion.metadata.get("task_type")
    if theirs != task_type:
        raise ChampionUnusable(f"it is a {theirs} model, the challenger a {task_type} model")
    if task_type == "classification":
        own = [str(c) for c in classes or []]
        other = [str(c) for c in champion.metadata.get("classes") or []]
        if own != other:
            raise ChampionUnusable(f"its classes {other} differ from the challenger's {own}")
    schema = champion.schema
    # The champion reads the rows with its own column types (its categoricals as strings).
    frame = read_table(test_data, dtype=schema.read_dtypes())
    missing = [name for name in schema.features if name not in frame.columns]
    if missing:
        raise ChampionUnusable(f"the test rows lack the features {missing} it takes")
    try:
        output = model_output(champion.estimator, feature_matrix(frame.loc[rows.frame.index], schema), task_type)
    except Exception as error:  # noqa: BLE001 - a model that can't predict these rows can't be compared on them
        raise ChampionUnusable(f"it cannot score the test rows: {type(error).__name__}: {error}") from error
    expected = (len(rows.actual), len(classes or [])) if task_type == "classification" else (len(rows.actual),)
    if output.shape != expected:
        raise ChampionUnusable(f"it answered with shape {output.shape}, expected {expected}")
    if not np.isfinite(output).all():
        raise ChampionUnusable("it predicts non-finite values for some test rows")
    return output


def fmt(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.6g}"


def judge(result: dict[str, Any], interval: Interval, requested: int) -> tuple[str, str]:
    """The verdict and its one-line reason, from the point estimates and the interval."""
    metric, direction, margin = result["metric"], result["direction"], result["min_improvement"]
    values = f"{metric} {fmt(result['challenger'])} vs champion {fmt(result['champion'])}"
    if result["difference"] is None or interval.low is None or interval.high is None:
        return "not_better", f"not better: {values}: {metric} is undefined on these rows, so the models cannot be compared"
    bound = (-margin if direction == "lower" else margin) + 0.0  # + 0.0: no "-0" in the reason
    side = "below" if direction == "lower" else "above"
    # Two copies of one model differ in the last bits (threads sum a forest's trees in any order;
    # a booster and its scikit-learn wrapper round differently): that is no improvement.
    noise = NUMERICAL_NOISE * max(abs(result["challenger"]), abs(result["champion"]), 1.0)
    better = interval.high < bound - noise if direction == "lower" else interval.low > bound + noise
    ci = f"{round(result['confidence'] * 100, 4):g}% CI {fmt(interval.low)} to {fmt(interval.high)}"
    dropped = "" if interval.valid == requested else f"; {requested - interval.valid} of {requested} resamples left out, {metric} undefined on them"
    where = f"{'lies' if better else 'does not lie'} entirely {side} {fmt(bound)} (min_improvement {fmt(margin)}){dropped}"
    if better:
        return "better", f"better: {values}, difference {fmt(result['difference'])} ({ci}) {where}"
    return "not_better", f"not better: {values}, difference {fmt(result['difference'])} ({ci}) {where}"


def compare(args: argparse.Namespace) -> dict[str, Any]:
    challenger = load_model(args.model)
    if challenger.metadata["task_type"] != args.task_type:
        raise ValueError(f"the challenger was trained for {challenger.metadata['task_type']}, not {args.task_type}")
    classes = challenger.metadata.get("classes") if args.task_type == "classification" else None
    n_classes = len(classes or [])
    rows = labelled_rows(read_table(args.test_data, dtype=challenger.schema.read_dtypes()), args.target_column, args.task_type, classes)
    if len(rows.actual) == 0:
        raise ValueError(f"{args.test_data} has no labelled rows to compare the models on")
    ours = model_output(challenger.estimator, feature_matrix(rows.frame, challenger.schema), args.task_type)
    metric = args.comparison_metric
    result: dict[str, Any] = {
        "metric": metric,
        "direction": closed_sets.METRIC_DIRECTION[metric],
        "challenger": metric_value(metric, rows.actual, ours, args.task_type, n_classes),
        "champion": None,
        "difference": None,
        "ci_low": None,
        "ci_high": None,
        "confidence": args.confidence,
        "n_rows": len(rows.actual),
        "bootstrap_samples": args.bootstrap_samples,
        "min_improvement": args.min_improvement,
        "champion_model_uri": args.champion_model_uri,
    }
    if not args.champion_model_uri:
        return {**result, "verdict": "no_champion", "reason": "no champion to compare with: champion_model_uri is empty"}
    try:
        theirs = score_champion(args.champion_model_uri, args.test_data, rows, args.task_type, classes)
    except ChampionUnusable as error:
        log.warning("the champion cannot be compared", champion_model_uri=args.champion_model_uri, reason=str(error),
                    traceback=traceback.format_exc())
        return {**result, "verdict": "champion_unusable", "reason": f"champion {args.champion_model_uri} is unusable: {error}"}
    result["champion"] = metric_value(metric, rows.actual, theirs, args.task_type, n_classes)
    if result["challenger"] is not None and result["champion"] is not None:
        result["difference"] = result["challenger"] - result["champion"]
    interval = bootstrap(metric, rows.actual, ours, theirs, args.task_type, n_classes, args.bootstrap_samples, args.confidence, args.random_seed)
    result["ci_low"], result["ci_high"] = interval.low, interval.high
    verdict, reason = judge(result, interval, args.bootstrap_samples)
    return {**result, "verdict": verdict, "reason": reason}


def main(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    comparison = json_safe(compare(args))
    write_json(args.champion_comparison, comparison)
    write_parameter(args.verdict, comparison["verdict"])
    write_parameter(args.comparison, comparison)
    log.info("challenger compared with the champion", **{k: v for k, v in comparison.items() if v is not None})


if __name__ == "__main__":
    run("compare_champion", main)
