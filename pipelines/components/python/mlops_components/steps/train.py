"""train: fits a model on the train split and scores it on the validation split.

Model types: ``random_forest``, ``gradient_boosting``, ``ridge`` (scikit-learn; for
classification RandomForestClassifier, GradientBoostingClassifier, LogisticRegression) and
``xgboost`` (XGBRegressor / XGBClassifier). The saved model is a pipeline that takes raw
feature rows (see :mod:`mlops_components.model_files` for the directory contract).

Hyperparameters: defaults, overridden by ``--hyperparameters`` JSON, overridden by
``--<name>=<value>`` flags — the form a Vertex tuning trial appends to the command line.
A trial of a study across model types (:mod:`mlops_components.study`) gets
``--model_type=<type>``, which overrides ``--model-type``, and ``--<type>__<name>=<value>``
flags, which set ``<name>`` for that type; a flag prefixed for another type is an error.

Tuning: when ``--hypertune-metric`` is given, or Vertex's trial variables
(``CLOUD_ML_HP_METRIC_FILE``, ``CLOUD_ML_TRIAL_ID``) are set, the validation metric is
reported the Vertex way (:mod:`mlops_components.hypertune`); staged models (gradient boosting,
XGBoost) report it every 10 estimators as well, so median stopping can end poor trials early.
The metric id is the flag's value, else ``CLOUD_ML_HP_METRIC_TAG``, else ``rmse`` /
``accuracy``; ids are the validation metric names (``rmse``, ``r2``, ``mae``, ``accuracy``,
``roc_auc``, ``log_loss``, …).

Cores: the random forest and XGBoost use every core the process may run on (its CPU affinity,
:mod:`mlops_components.cores`). Progress: fitting logs trees / boosting rounds done at each
tenth of the way (:class:`mlops_components.logs.Progress`).

CLI::

    python3 -m mlops_components.steps.train --train-data PATH --validation-data PATH
        --feature-schema PATH --target-column COL --task-type regression|classification
        --model-type random_forest|gradient_boosting|ridge|xgboost
        --hyperparameters '{"n_estimators": 200}' --random-seed 42
        --model DIR (default: $AIP_MODEL_DIR) --training-metrics PATH (optional)
        [--hypertune-metric ID] [--<hyperparameter>=<value> ...]
        [--model_type=<type> --<type>__<hyperparameter>=<value> ...]
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import cli, hyperparameters, labels
from ..data import read_table
from ..entrypoint import run
from ..hypertune import HyperTune, tuning_requested
from ..closed_sets import require
from ..cores import available_cores
from ..logs import Progress, get_logger
from ..model_files import save_model
from ..models import (
    assemble,
    build_estimator,
    build_preprocessor,
    check_parameters,
    encoding_for,
    feature_matrix,
    transformed_feature_names,
)
from ..outputs import write_json
from ..schema import FeatureSchema
from ..study import split_trial_parameters
from ..scoring import metrics_for, model_output

log = get_logger("train")

REPORT_EVERY = 10
DEFAULT_TUNING_METRIC = {"regression": "rmse", "classification": "accuracy"}


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, dict[str, Any]]:
    parser = argparse.ArgumentParser(prog="train", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                     allow_abbrev=False)
    parser.add_argument("--train-data", required=True)
    parser.add_argument("--validation-data", required=True)
    parser.add_argument("--feature-schema", required=True)
    parser.add_argument("--target-column", required=True)
    parser.add_argument("--task-type", choices=hyperparameters.TASK_TYPES, default="regression")
    parser.add_argument("--model-type", choices=hyperparameters.MODEL_TYPES, default="random_forest")
    parser.add_argument("--hyperparameters", type=cli.json_object, default={})
    parser.add_argument("--random-seed", type=int, default=42)
    parser.add_argument("--model", default=None, help="output directory; defaults to $AIP_MODEL_DIR")
    parser.add_argument("--training-metrics", default=None)
    parser.add_argument("--hypertune-metric", default=None)
    args, extra = parser.parse_known_args(argv)
    try:
        # A study across model types chooses the type per trial, with its flags prefixed by it.
        args.model_type, flags = split_trial_parameters(hyperparameters.parse_flags(extra), args.model_type)
        require("model_type", args.model_type, hyperparameters.MODEL_TYPES)
    except ValueError as error:
        parser.error(str(error))
    if args.model is None:
        args.model = os.environ.get("AIP_MODEL_DIR")
        if not args.model:
            parser.error("--model is required when AIP_MODEL_DIR is not set")
    return args, flags


@dataclass
class Dataset:
    matrix: np.ndarray
    target: np.ndarray
    rows: int


def to_dataset(frame: pd.DataFrame, uri: str, schema: FeatureSchema, target: str, task_type: str, classes: list[Any] | None) -> Dataset:
    if target not in frame.columns:
        raise ValueError(f"target column {target!r} is not in {uri}")
    frame = frame.loc[frame[target].notna()]
    if task_type == "classification":
        assert classes is not None
        codes = labels.encode(frame[target], classes)
        unseen = int((codes < 0).sum())
        if unseen:
            log.warning("rows with labels absent from the train split are left out", rows=unseen, split=uri)
        frame, codes = frame.loc[codes >= 0], codes[codes >= 0]
        return Dataset(feature_matrix(frame, schema), codes, len(frame))
    values = pd.to_numeric(frame[target], errors="coerce")
    if values.isna().any():
        raise ValueError(f"regression target {target!r} has non-numeric values in {uri}; is this a classification task?")
    return Dataset(feature_matrix(frame, schema), values.to_numpy(dtype=float), len(frame))


def staged_outputs(model_type: str, estimator: Any, matrix: np.ndarray, task_type: str) -> Iterator[tuple[int, np.ndarray]]:
    """(estimators so far, validation output) every ``REPORT_EVERY`` stages, for intermediate reports."""
    if model_type == "gradient_boosting":
        stages = estimator.staged_predict_proba(matrix) if task_type == "classification" else estimator.staged_predict(matrix)
        for step, output in enumerate(stages, start=1):
            if step % REPORT_EVERY == 0:
                yield step, np.asarray(output, dtype=float)
    elif model_type == "xgboost":
        rounds = estimator.get_booster().num_boosted_rounds()
        for step in range(REPORT_EVERY, rounds + 1, REPORT_EVERY):
            if task_type == "classification":
                output = estimator.predict_proba(matrix, iteration_range=(0, step))
            else:
                output = estimator.predict(matrix, iteration_range=(0, step))
            yield step, np.asarray(output, dtype=float)


def early_stopped_rounds(estimator: Any) -> int | None:
    """Rounds up to the best iteration when XGBoost early stopping ran, else None."""
    if not estimator.get_params().get("early_stopping_rounds"):
        return None
    best = getattr(estimator, "best_iteration", None)
    return None if best is None else int(best) + 1


def final_step(model_type: str, estimator: Any) -> int:
    """The final measurement's ``global_step``: estimators the model predicts with; 1 for unstaged models."""
    if model_type == "xgboost":
        return early_stopped_rounds(estimator) or int(estimator.get_booster().num_boosted_rounds())
    if model_type == "gradient_boosting":
        return int(estimator.n_estimators_)
    return 1


def tuning_metric(name: str, metrics: dict[str, float | None]) -> float:
    key = name[len("validation_"):] if name.startswith("validation_") else name
    if key not in metrics:
        raise ValueError(f"tuning metric {name!r} is not a validation metric; available: {sorted(metrics)}")
    value = metrics[key]
    if value is None:
        raise ValueError(f"tuning metric {name!r} is undefined on this validation split")
    return float(value)


def fit_forest(estimator: Any, matrix: Any, target: np.ndarray) -> None:
    """Grows the forest a tenth at a time (warm start), logging after each part.

    scikit-learn draws every tree's seed from ``random_state`` in order, also across warm-started
    calls, so the forest equals the one a single ``fit`` grows. Each part has at least a tree per
    core, so the cores stay busy.
    """
    total = int(estimator.n_estimators)
    progress = Progress(log, "fitting", total, "trees")
    part = max(int(estimator.n_jobs or 1), math.ceil(total / 10))
    warm_start = estimator.warm_start
    estimator.set_params(warm_start=True)
    try:
        for grown in [*range(part, total, part), total]:
            estimator.set_params(n_estimators=grown)
            estimator.fit(matrix, target)
            progress.update(grown)
    finally:
        estimator.set_params(warm_start=warm_start, n_estimators=total)


def xgboost_progress(progress: Progress) -> Any:
    import xgboost as xgb

    class LogRounds(xgb.callback.TrainingCallback):  # type: ignore[misc]
        def after_iteration(self, model: Any, epoch: int, evals_log: Any) -> bool:
            progress.update(epoch + 1)
            return False  # never asks to stop

    return LogRounds()


def fit_estimator(model_type: str, estimator: Any, train: Dataset, train_matrix: Any, validation_matrix: Any,
                  validation: Dataset) -> None:
    if model_type == "random_forest":
        fit_forest(estimator, train_matrix, train.target)
    elif model_type == "gradient_boosting":
        progress = Progress(log, "fitting", int(estimator.n_estimators), "boosting rounds")
        estimator.fit(train_matrix, train.target, monitor=lambda i, _model, _locals: progress.update(i + 1) or False)
        progress.finish(int(estimator.n_estimators_))
    elif model_type == "xgboost":
        progress = Progress(log, "fitting", int(estimator.n_estimators), "boosting rounds")
        # Set for this fit only: the pickled model must not reference this module's callback.
        estimator.set_params(callbacks=[xgboost_progress(progress)])
        try:
            if estimator.get_params().get("early_stopping_rounds"):
                # Early stopping watches the validation split; the sklearn wrapper then predicts with the best iteration.
                estimator.fit(train_matrix, train.target, eval_set=[(validation_matrix, validation.target)], verbose=False)
            else:
                estimator.fit(train_matrix, train.target)
        finally:
            estimator.set_params(callbacks=None)
        progress.finish(int(estimator.get_booster().num_boosted_rounds()))
    else:
        estimator.fit(train_matrix, train.target)


def export_booster(estimator: Any) -> Any:
    """The booster as served: cut at the best iteration, since a prebuilt server predicts with every tree."""
    booster = estimator.get_booster()
    rounds = early_stopped_rounds(estimator)
    return booster if rounds is None else booster[:rounds]


def main(argv: Sequence[str]) -> None:
    args, flags = parse_args(argv)
    schema = FeatureSchema.load(args.feature_schema)
    if not schema.features:
        raise ValueError("the feature schema lists no features")
    params = hyperparameters.resolve(args.model_type, args.hyperparameters, flags)
    log.info("training", model_type=args.model_type, task_type=args.task_type, hyperparameters=params, flags=flags,
             encoding=encoding_for(args.model_type), cores=available_cores())

    train_frame = read_table(args.train_data, dtype=schema.read_dtypes())
    validation_frame = read_table(args.validation_data, dtype=schema.read_dtypes())
    classes: list[Any] | None = None
    if args.task_type == "classification":
        if args.target_column not in train_frame.columns:
            raise ValueError(f"target column {args.target_column!r} is not in {args.train_data}")
        classes = labels.class_vocabulary(train_frame[args.target_column])
    train = to_dataset(train_frame, args.train_data, schema, args.target_column, args.task_type, classes)
    validation = to_dataset(validation_frame, args.validation_data, schema, args.target_column, args.task_type, classes)
    if train.rows == 0 or validation.rows == 0:
        raise ValueError(f"empty split: {train.rows} train rows, {validation.rows} validation rows")
    n_classes = len(classes) if classes else 0

    check_parameters(build_estimator(args.model_type, args.task_type, {}, args.random_seed), params, args.model_type)
    estimator = build_estimator(args.model_type, args.task_type, params, args.random_seed)
    preprocessor = build_preprocessor(schema, args.model_type)
    train_matrix = preprocessor.fit_transform(train.matrix)
    validation_matrix = preprocessor.transform(validation.matrix)
    fit_started = time.monotonic()
    fit_estimator(args.model_type, estimator, train, train_matrix, validation_matrix, validation)
    fit_seconds = time.monotonic() - fit_started

    validation_metrics = metrics_for(model_output(estimator, validation_matrix, args.task_type), validation.target, args.task_type, n_classes)
    train_metrics = metrics_for(model_output(estimator, train_matrix, args.task_type), train.target, args.task_type, n_classes)

    if tuning_requested(args.hypertune_metric):
        metric_id = args.hypertune_metric or os.environ.get("CLOUD_ML_HP_METRIC_TAG") or DEFAULT_TUNING_METRIC[args.task_type]
        final_value = tuning_metric(metric_id, validation_metrics)  # fail before any report if the id is wrong
        reporter = HyperTune()
        last_step = final_step(args.model_type, estimator)
        for step, output in staged_outputs(args.model_type, estimator, validation_matrix, args.task_type):
            if step < last_step:  # intermediate measurements, for automated early stopping
                reporter.report(metric_id, tuning_metric(metric_id, metrics_for(output, validation.target, args.task_type, n_classes)), step)
        reporter.report(metric_id, final_value, last_step)
        log.info("reported tuning metric", metric_id=metric_id, value=final_value, trial=reporter.trial_id,
                 metric_file=str(reporter.metric_path))

    pipeline = assemble(preprocessor, estimator)
    metadata = {
        "model_type": args.model_type,
        "task_type": args.task_type,
        "framework": "xgboost" if args.model_type == "xgboost" else "sklearn",
        "target": args.target_column,
        "features": schema.features,
        "numeric_features": schema.numeric_features,
        "categorical_features": schema.categorical_features,
        "encoding": encoding_for(args.model_type),
        "transformed_features": transformed_feature_names(preprocessor, schema),
        "classes": classes,
        "hyperparameters": params,
        "random_seed": args.random_seed,
        "estimators_used": final_step(args.model_type, estimator),
        "validation_metrics": validation_metrics,
    }
    booster = export_booster(estimator) if args.model_type == "xgboost" else None
    root = save_model(args.model, pipeline, metadata, booster=booster, preprocessor=preprocessor if booster is not None else None)

    metrics: dict[str, Any] = {f"validation_{k}": v for k, v in validation_metrics.items()}
    metrics.update({f"train_{k}": v for k, v in train_metrics.items()})
    metrics.update(train_rows=train.rows, validation_rows=validation.rows)
    if args.training_metrics:
        # A KFP Metrics artifact holds numbers only: undefined metrics are left out rather than null.
        write_json(args.training_metrics, {k: v for k, v in metrics.items() if v is not None})
    # ru_maxrss is in KiB on Linux.
    log.info("model trained", model_dir=str(root), fit_seconds=round(fit_seconds, 2),
             peak_memory_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
             **{k: v for k, v in metrics.items() if k.startswith("validation_")})


if __name__ == "__main__":
    run("train", main)
