"""export_serving: lays the trained model out the way serving loads it, with its input schema and drift baseline.

Serving directory (``--serving-model``):

- scikit-learn models: ``model.joblib`` — the whole pipeline; a Vertex prebuilt scikit-learn
  image loads it and predicts on instances given as lists in ``input_schema.json`` order;
- XGBoost: ``model.bst`` (the booster) and ``preprocessor.joblib`` (the fitted
  ``ColumnTransformer``). A prebuilt XGBoost image loads ``model.bst`` and expects instances
  already transformed (``transformed_features`` order); the project's serving container
  applies ``preprocessor.joblib`` to raw instances first. No ``model.joblib`` is exported next
  to ``model.bst``, so no server has to guess which of two model files to load;
- always: ``model_metadata.json`` (feature order, classes, library versions),
  ``input_schema.json`` (ordered features with types and an example instance) and
  ``baseline_statistics.json`` (the same document as ``--baseline-statistics``).

The baseline's top-level ``prediction`` entry holds the statistics of the model's predictions on
the training rows (see :mod:`mlops_components.baseline`), for prediction drift. The exported
serving directory is loaded as the project's model server loads it (``model.joblib``, else
``model.bst`` behind ``preprocessor.joblib``) and scores the training frame's features in
``input_schema.json`` order, in batches of ``PREDICTION_BATCH_ROWS``. What it bins is what that
server answers without ``return_probabilities``: the predicted value (regression) or the class
label ``classes[index]`` (classification; the argmax of the probabilities for XGBoost), binned
as a string. A prebuilt scikit-learn image answers the class *index* instead: map it through
``prediction.classes`` before comparing. If scoring fails, ``prediction`` is left out (with a
WARNING saying why); the export itself does not fail.

CLI::

    python3 -m mlops_components.steps.export_serving --model DIR --train-data PATH --feature-schema PATH
        --target-column COL --model-type TYPE --histogram-bins 20
        --serving-model DIR --baseline-statistics PATH
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..baseline import baseline_statistics, prediction_statistics
from ..data import read_table
from ..entrypoint import run
from ..hyperparameters import MODEL_TYPES
from ..logs import get_logger
from ..model_files import BOOSTER_FILE, METADATA_FILE, PIPELINE_FILE, PREPROCESSOR_FILE, load_metadata, load_model
from ..models import feature_matrix
from ..outputs import json_safe, write_json
from ..paths import ensure_dir, local_path
from ..schema import FeatureSchema

log = get_logger("export_serving")

# Rows scored at once for the prediction baseline: bounds the object matrix and the model's buffers.
PREDICTION_BATCH_ROWS = 10_000


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="export_serving", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--train-data", required=True)
    parser.add_argument("--feature-schema", required=True)
    parser.add_argument("--target-column", required=True)
    parser.add_argument("--model-type", choices=MODEL_TYPES, required=True)
    parser.add_argument("--histogram-bins", type=int, default=20)
    parser.add_argument("--serving-model", required=True)
    parser.add_argument("--baseline-statistics", required=True)
    args = parser.parse_args(argv)
    if args.histogram_bins < 1:
        parser.error("--histogram-bins must be >= 1")
    return args


def example_instance(frame: pd.DataFrame, schema: FeatureSchema) -> list[Any]:
    """The first complete train row (else column medians / modes), as JSON values in feature order."""
    complete = frame[schema.features].dropna()
    if not complete.empty:
        row = complete.iloc[0]
        values = [row[name] for name in schema.features]
    else:
        values = [frame[n].median() if n in schema.numeric_features else frame[n].mode().iloc[0] for n in schema.features]
    out: list[Any] = []
    for name, value in zip(schema.features, values):
        out.append(float(value) if name in schema.numeric_features else str(value))
    return json_safe(out)


def input_schema(frame: pd.DataFrame, schema: FeatureSchema, metadata: dict[str, Any]) -> dict[str, Any]:
    derived = {d.name: {"source": d.source, "part": d.part} for d in schema.derived_features}
    features = []
    for index, name in enumerate(schema.features):
        entry: dict[str, Any] = {"name": name, "index": index}
        if name in schema.numeric_features:
            entry.update(type="numeric", dtype="float64")
        else:
            entry.update(type="categorical", dtype="string", categories=schema.categories.get(name, []))
        if name in derived:
            entry["derived_from"] = derived[name]
        features.append(entry)
    example = example_instance(frame, schema)
    classification = metadata["task_type"] == "classification"
    booster = metadata["model_type"] == "xgboost"
    return {
        "feature_names": schema.features,
        "features": features,
        "instance_format": "a list of values in feature_names order (or an object keyed by feature name)",
        "example_instance": example,
        "example_instance_object": dict(zip(schema.features, example)),
        "target": schema.target,
        "task_type": metadata["task_type"],
        "model_type": metadata["model_type"],
        "model_file": BOOSTER_FILE if booster else PIPELINE_FILE,
        "preprocessor_file": PREPROCESSOR_FILE if booster else None,
        "transformed_features": metadata.get("transformed_features", []),
        "classes": metadata.get("classes"),
        "prediction": (
            "class index into classes (predict_proba: one probability per class)" if classification and not booster
            else "P(class index 1) for two classes, else one probability per class index" if classification
            else "the predicted target value"
        ),
    }


def copy_model_files(source: str, destination: str, model_type: str) -> list[str]:
    files = [BOOSTER_FILE, PREPROCESSOR_FILE, METADATA_FILE] if model_type == "xgboost" else [PIPELINE_FILE, METADATA_FILE]
    src, dst = local_path(source), ensure_dir(destination)
    for name in files:
        if not (src / name).is_file():
            raise FileNotFoundError(f"{src / name} is missing: the model directory doesn't match model type {model_type}")
        shutil.copyfile(src / name, dst / name)
    return files


def predict_training_rows(serving_dir: str, frame: pd.DataFrame, schema: FeatureSchema) -> np.ndarray:
    """The exported model's ``predict`` on every row (values, or class indices), batch by batch."""
    model = load_model(serving_dir).estimator
    parts = [np.asarray(model.predict(feature_matrix(frame.iloc[start:start + PREDICTION_BATCH_ROWS], schema))).ravel()
             for start in range(0, len(frame), PREDICTION_BATCH_ROWS)]
    return np.concatenate(parts) if parts else np.empty(0)


def prediction_baseline(serving_dir: str, frame: pd.DataFrame, schema: FeatureSchema, metadata: dict[str, Any],
                        bins: int) -> dict[str, Any] | None:
    """Statistics of the served predictions on the training rows; None (logged) when they can't be computed."""
    try:
        predictions = predict_training_rows(serving_dir, frame, schema)
        return prediction_statistics(predictions, metadata["task_type"], bins, metadata.get("classes"))
    except Exception as error:  # noqa: BLE001 - the prediction baseline is optional; the export must not fail
        log.warning("prediction baseline left out: the exported model could not score the training rows",
                    error=f"{type(error).__name__}: {error}", rows=len(frame))
        return None


def main(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    metadata = load_metadata(args.model)
    if metadata["model_type"] != args.model_type:
        raise ValueError(f"--model-type {args.model_type} but the model directory holds a {metadata['model_type']} model")
    schema = FeatureSchema.load(args.feature_schema)
    if schema.features != metadata["features"]:
        raise ValueError("the feature schema's features differ from the ones the model was trained on")
    frame = read_table(args.train_data, dtype=schema.read_dtypes())

    files = copy_model_files(args.model, args.serving_model, args.model_type)
    serving = local_path(args.serving_model)
    write_json(serving / "input_schema.json", input_schema(frame, schema, metadata))
    target_is_numeric = metadata["task_type"] == "regression"
    prediction = prediction_baseline(args.serving_model, frame, schema, metadata, args.histogram_bins)
    statistics = baseline_statistics(frame, schema.numeric_features, schema.categorical_features, args.target_column,
                                     target_is_numeric, args.histogram_bins, prediction)
    write_json(serving / "baseline_statistics.json", statistics)
    write_json(args.baseline_statistics, statistics)
    log.info("serving artifact exported", serving_model=str(serving), files=files + ["input_schema.json", "baseline_statistics.json"],
             rows=len(frame), prediction_baseline=prediction is not None)


if __name__ == "__main__":
    run("export_serving", main)
