"""evaluate: scores a model on the test split.

``--model`` is ``train``'s model directory (a training run) or an exported serving directory (an
evaluation run imports a registered version's Vertex Model ``artifactUri``): both load through
:func:`mlops_components.model_files.load_model`, so an XGBoost export (``model.bst`` behind
``preprocessor.joblib``, no ``model.joblib``) is scored too.

Regression: MSE, RMSE, MAE, MAPE (percent, zero actuals skipped), R², explained variance,
share of predictions within 10% / 20% of the actual. Classification: accuracy, precision,
recall, F1 (binary: positive class; else macro), ROC-AUC, PR-AUC, log loss, confusion matrix.
Conventions are in :mod:`mlops_components.metrics`.

Outputs:

- ``--metrics``: flat ``{"rmse": …}`` (a KFP Metrics artifact: numbers only);
- ``--classification-metrics``: KFP ClassificationMetrics-style JSON — ``confusionMatrix``
  with ``annotationSpecs``/``rows`` as KFP writes it (plus ``categories``/``matrix``, the same
  data as plain lists) and ``confidenceMetrics``; ``{}`` for regression;
- ``--evaluation``: task type, all metrics, row count, and ``vertex_model_evaluation``: the
  metrics under Vertex's model-evaluation schema names with the schema URI, ready for
  ImportModelEvaluation.

CLI::

    python3 -m mlops_components.steps.evaluate --model DIR --test-data PATH --target-column COL
        --task-type regression|classification --metrics PATH --classification-metrics PATH
        --evaluation PATH
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from .. import closed_sets
from ..data import read_table
from ..entrypoint import run
from ..logs import get_logger
from ..metrics import VERTEX_NAMES, confidence_metrics, confusion_matrix
from ..model_files import load_model
from ..models import feature_matrix
from ..outputs import write_json
from ..scoring import labelled_rows, metrics_for, model_output

log = get_logger("evaluate")

SCHEMA_BASE = "gs://google-cloud-aiplatform/schema/modelevaluation"
REGRESSION_SCHEMA = f"{SCHEMA_BASE}/regression_metrics_1.0.0.yaml"
CLASSIFICATION_SCHEMA = f"{SCHEMA_BASE}/classification_metrics_1.0.0.yaml"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="evaluate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--test-data", required=True)
    parser.add_argument("--target-column", required=True)
    parser.add_argument("--task-type", type=closed_sets.argument(closed_sets.TASK_TYPES), default="regression")
    parser.add_argument("--metrics", required=True)
    parser.add_argument("--classification-metrics", required=True)
    parser.add_argument("--evaluation", required=True)
    return parser.parse_args(argv)


def vertex_regression(metrics: dict[str, Any]) -> dict[str, Any]:
    return {VERTEX_NAMES[ours]: metrics[ours] for ours in ("rmse", "mae", "mape", "r2") if metrics.get(ours) is not None}


def vertex_classification(metrics: dict[str, Any], classes: list[Any], matrix: list[list[int]], points: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {VERTEX_NAMES[ours]: metrics[ours] for ours in ("pr_auc", "roc_auc", "log_loss") if metrics.get(ours) is not None}
    out["confidenceMetrics"] = points
    out["confusionMatrix"] = {
        "annotationSpecs": [{"id": str(i), "displayName": str(c)} for i, c in enumerate(classes)],
        "rows": matrix,
    }
    return out


def kfp_classification_metrics(classes: list[Any], matrix: list[list[int]], points: list[dict[str, Any]]) -> dict[str, Any]:
    categories = [str(c) for c in classes]
    return {
        "confusionMatrix": {
            "annotationSpecs": [{"displayName": c} for c in categories],
            "rows": [{"row": row} for row in matrix],
            "categories": categories,
            "matrix": matrix,
        },
        "confidenceMetrics": [
            {"confidenceThreshold": p["confidenceThreshold"], "recall": p["recall"], "falsePositiveRate": p["falsePositiveRate"]}
            for p in points
        ],
    }


def main(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    loaded = load_model(args.model)
    metadata, schema, model = loaded.metadata, loaded.schema, loaded.estimator
    if metadata["task_type"] != args.task_type:
        raise ValueError(f"the model was trained for {metadata['task_type']}, not {args.task_type}")
    frame = read_table(args.test_data, dtype=schema.read_dtypes())
    if args.target_column not in frame.columns:
        raise ValueError(f"target column {args.target_column!r} is not in {args.test_data}")
    rows = labelled_rows(frame, args.target_column, args.task_type, metadata.get("classes"))
    frame, actual = rows.frame, rows.actual

    classification_json: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    output = model_output(model, feature_matrix(frame, schema), args.task_type)
    if args.task_type == "classification":
        classes: list[Any] = metadata["classes"]
        if rows.unseen:
            log.warning("test rows with labels the model never saw are left out", rows=rows.unseen)
        metrics = metrics_for(output, actual, args.task_type, len(classes))
        matrix = confusion_matrix(actual, output.argmax(axis=1), len(classes))
        points = confidence_metrics(actual, output)
        classification_json = kfp_classification_metrics(classes, matrix, points)
        vertex = {"metricsSchemaUri": CLASSIFICATION_SCHEMA, "metrics": vertex_classification(metrics, classes, matrix, points)}
        extra = {"classes": classes, "confusion_matrix": matrix, "unseen_label_rows": rows.unseen}
    else:
        metrics = metrics_for(output, actual, args.task_type, 0)
        vertex = {"metricsSchemaUri": REGRESSION_SCHEMA, "metrics": vertex_regression(metrics)}

    write_json(args.metrics, {k: v for k, v in metrics.items() if v is not None})
    write_json(args.classification_metrics, classification_json)
    write_json(args.evaluation, {
        "task_type": args.task_type,
        "model_type": metadata["model_type"],
        "row_count": len(frame),
        "metrics": metrics,
        **extra,
        "vertex_model_evaluation": vertex,
    })
    log.info("model evaluated", task_type=args.task_type, rows=len(frame), **{k: v for k, v in metrics.items() if v is not None})


if __name__ == "__main__":
    run("evaluate", main)
