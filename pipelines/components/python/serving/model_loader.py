"""Finds the model directory named by ``AIP_STORAGE_URI`` and loads the model file in it.

Files, in order of preference: ``model.joblib``, ``model.pkl`` (scikit-learn, usually a whole
pipeline taking raw rows), ``model.bst`` (XGBoost booster, with ``preprocessor.joblib`` applied
first when present). ``train``'s own output holds both ``model.joblib`` and ``model.bst``; the
pipeline and booster+preprocessor predict the same, and the pipeline needs no second file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from instances import FeatureSpec, read_json
from mlops_components.model_files import load_booster
from predictors import BoosterPredictor, PipelinePredictor, Predictor


def local_model_dir(uri: str, env: Mapping[str, str] = os.environ) -> Path:
    """``gs://b/p`` → ``<GCS_LOCAL_ROOT | LOCAL_GCS_ROOT | /gcs>/b/p`` (the FUSE mount); other URIs are local paths."""
    if uri.startswith("gs://"):
        root = env.get("GCS_LOCAL_ROOT") or env.get("LOCAL_GCS_ROOT") or "/gcs"
        return Path(root) / uri[len("gs://"):].strip("/")
    if uri.startswith("file://"):
        return Path(uri[len("file://"):])
    return Path(uri)


def load_predictor(directory: Path) -> Predictor:
    if not directory.is_dir():
        raise FileNotFoundError(f"model directory {directory} does not exist")
    spec = FeatureSpec.from_model_dir(directory)
    metadata = read_json(directory / "model_metadata.json") or {}
    classes = metadata.get("classes") if isinstance(metadata.get("classes"), list) else None
    for name in ("model.joblib", "model.pkl"):
        if (directory / name).is_file():
            return PipelinePredictor(single_threaded(load_pickle(directory / name)), spec, classes, name)
    if (directory / "model.bst").is_file():
        booster, preprocessor = load_booster(directory)
        task_type = metadata.get("task_type") if isinstance(metadata.get("task_type"), str) else None
        return BoosterPredictor(booster, preprocessor, spec, task_type, classes)
    present = sorted(p.name for p in directory.iterdir())
    raise FileNotFoundError(f"{directory} has no model.joblib, model.pkl or model.bst (it holds {present})")


def single_threaded(model: Any) -> Any:
    """Predicts on the request's thread: estimators trained with ``n_jobs`` = all cores would
    otherwise fan each small request out to a thread pool, which costs more than the prediction
    (tens of ms per request on a busy machine) and competes with the other requests."""
    steps = [model, *(getattr(model, "named_steps", {}) or {}).values()]
    for step in steps:
        if hasattr(step, "n_jobs") and hasattr(step, "set_params"):
            step.set_params(n_jobs=1)
    return model


def load_pickle(path: Path) -> Any:
    import joblib  # reads plain pickles as well as joblib's own files

    return joblib.load(path)
