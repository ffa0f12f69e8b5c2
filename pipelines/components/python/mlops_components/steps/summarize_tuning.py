"""summarize_tuning: how much each study parameter mattered to the metric, from a tuning job's trials.

Input: the tune step's ``trials`` artifact. Output: ``parameter_importance``, JSON
``{"metric": {"id", "goal"}, "parameterImportance": [{"parameter", "importance"}]}``, one
entry per study parameter id (``model_type``, ``xgboost__learning_rate``, ...), largest first,
the shares summing to 1.

Method: the succeeded trials that measured the metric become a table, one column per study
parameter: numbers as they are, categorical values as codes of their sorted values. A
parameter inactive in a trial (a conditional parameter of another model type) takes a neutral
value there, the median of its active values (for codes, the most frequent one), not a
sentinel: a sentinel would make every conditional column a copy of ``model_type``, and the
credit for the model type would be split among them. The model type is thus only in its own
column. A random forest (scikit-learn, fixed seed) fits the metric on that table; each
parameter's importance is its permutation importance (the mean rise in squared error when its
column is shuffled, repeated with a fixed seed), negatives counted as 0, as shares of the
total. Should every permutation importance be 0, the forest's impurity importances are used
instead. Permuting a whole column keeps a categorical parameter one feature, which impurity
importance would favour for its many split points. With fewer than ``--min-trials`` such
trials, or a metric that never varied, the list is empty and the log says why.

CLI::

    python3 -m mlops_components.steps.summarize_tuning --trials PATH [--min-trials 5]
        [--random-seed 42] --parameter-importance PATH
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..entrypoint import run
from ..logs import get_logger
from ..outputs import read_json, write_json

log = get_logger("summarize_tuning")

FOREST_TREES = 300
PERMUTATION_REPEATS = 30


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="summarize_tuning", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", required=True)
    parser.add_argument("--min-trials", type=int, default=5)
    parser.add_argument("--random-seed", type=int, default=42)
    parser.add_argument("--parameter-importance", required=True)
    return parser.parse_args(argv)


def scored_trials(trials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def finite(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return [t for t in trials if t.get("state") == "SUCCEEDED" and finite(t.get("final_metric"))]


def encode(trials: list[dict[str, Any]]) -> tuple[list[str], np.ndarray]:
    """(study parameter ids in first-seen order, one row per trial); see the module docstring."""
    ids: list[str] = []
    for t in trials:
        ids.extend(name for name in t.get("parameters", {}) if name not in ids)
    columns = []
    for name in ids:
        values = [t.get("parameters", {}).get(name) for t in trials]
        present = [v for v in values if v is not None]
        if any(isinstance(v, str) for v in present):
            codes = {value: float(i) for i, value in enumerate(sorted({str(v) for v in present}))}
            coded = [codes[str(v)] for v in present]
            neutral = max(sorted(set(coded)), key=coded.count)
            columns.append([codes[str(v)] if v is not None else neutral for v in values])
        else:
            neutral = float(np.median([float(v) for v in present]))
            columns.append([float(v) if v is not None else neutral for v in values])
    return ids, np.array(columns, dtype=float).T.reshape(len(trials), len(ids))


def importances(matrix: np.ndarray, target: np.ndarray, seed: int) -> np.ndarray:
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.inspection import permutation_importance

    forest = RandomForestRegressor(n_estimators=FOREST_TREES, random_state=seed, n_jobs=1).fit(matrix, target)
    permuted = permutation_importance(forest, matrix, target, n_repeats=PERMUTATION_REPEATS, random_state=seed,
                                      scoring="neg_mean_squared_error", n_jobs=1)
    shares = np.clip(permuted.importances_mean, 0.0, None)
    if shares.sum() <= 0:
        log.info("every permutation importance is 0: using the forest's impurity importances")
        shares = np.asarray(forest.feature_importances_, dtype=float)
    total = shares.sum()
    return shares / total if total > 0 else shares


def parameter_importance(summary: dict[str, Any], min_trials: int, seed: int) -> list[dict[str, Any]]:
    trials = scored_trials(summary.get("trials", []))
    if len(trials) < min_trials:
        log.warning("too few succeeded trials to rank parameters: importance left empty", succeeded=len(trials), needed=min_trials)
        return []
    ids, matrix = encode(trials)
    target = np.array([float(t["final_metric"]) for t in trials])
    if not ids:
        log.warning("the trials have no parameters: importance left empty")
        return []
    if np.ptp(target) == 0:
        log.warning("the metric is the same in every succeeded trial: nothing to attribute, importance left empty", trials=len(trials))
        return []
    shares = importances(matrix, target, seed)
    ranked = sorted(zip(ids, shares.tolist()), key=lambda pair: (-pair[1], pair[0]))
    return [{"parameter": name, "importance": share} for name, share in ranked]


def main(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    summary = read_json(args.trials)
    metric = summary.get("metric", {})
    ranked = parameter_importance(summary, args.min_trials, args.random_seed)
    write_json(args.parameter_importance, {"metric": {"id": metric.get("id"), "goal": metric.get("goal")}, "parameterImportance": ranked})
    log.info("parameter importance", metric_id=metric.get("id"), top=ranked[:3], parameters=len(ranked))


if __name__ == "__main__":
    run("summarize_tuning", main)
