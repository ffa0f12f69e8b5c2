"""The HyperparameterTuningJob request and the reading of its trials.

Each trial is a one-replica CustomJob running this image's ``train`` module on the pipeline's
splits, with ``--hypertune-metric`` naming the study metric; Vertex appends one
``--<parameterId>=<value>`` flag per sampled parameter. ``trialJobSpec.baseOutputDirectory``
gives every trial its own ``AIP_MODEL_DIR``, where ``train`` saves the trial's model.

Staged models (gradient boosting, XGBoost) report intermediate measurements, so the study
enables median automated stopping for them; the final measurement is the last one reported
(the fully trained model, which is what the refit reproduces).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

ALGORITHMS = ("ALGORITHM_UNSPECIFIED", "GRID_SEARCH", "RANDOM_SEARCH")
GOALS = ("MAXIMIZE", "MINIMIZE")
VALUE_SPECS = ("doubleValueSpec", "integerValueSpec", "categoricalValueSpec", "discreteValueSpec")
STAGED_MODELS = ("gradient_boosting", "xgboost")
TERMINAL_STATES = frozenset({"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED",
                             "JOB_STATE_PARTIALLY_SUCCEEDED"})


@dataclass
class TuningSpec:
    display_name: str
    train_data: str
    validation_data: str
    feature_schema: str
    target_column: str
    task_type: str
    model_type: str
    parameters: list[dict[str, Any]]
    metric_id: str
    metric_goal: str
    algorithm: str
    max_trial_count: int
    parallel_trial_count: int
    max_failed_trial_count: int
    machine_type: str
    image: str
    base_output_directory: str


def check_parameters(parameters: list[Any]) -> list[dict[str, Any]]:
    """Catches malformed specs here, with the parameter named, rather than as a 400 from Vertex."""
    if not parameters:
        raise ValueError("study_spec_parameters is empty: nothing to tune")
    seen: set[str] = set()
    for i, spec in enumerate(parameters):
        if not isinstance(spec, dict) or not isinstance(spec.get("parameterId"), str) or not spec["parameterId"]:
            raise ValueError(f"study_spec_parameters[{i}] needs a parameterId")
        if spec["parameterId"] in seen:
            raise ValueError(f"study_spec_parameters[{i}]: duplicate parameterId {spec['parameterId']!r}")
        seen.add(spec["parameterId"])
        kinds = [k for k in VALUE_SPECS if k in spec]
        if len(kinds) != 1:
            raise ValueError(f"study_spec_parameters[{i}] ({spec['parameterId']}) needs exactly one of {', '.join(VALUE_SPECS)}")
    return parameters


def trial_args(spec: TuningSpec) -> list[str]:
    return [
        "--train-data", spec.train_data,
        "--validation-data", spec.validation_data,
        "--feature-schema", spec.feature_schema,
        "--target-column", spec.target_column,
        "--task-type", spec.task_type,
        "--model-type", spec.model_type,
        "--hypertune-metric", spec.metric_id,
    ]


def build_job(spec: TuningSpec) -> dict[str, Any]:
    goal = spec.metric_goal.upper()
    if goal not in GOALS:
        raise ValueError(f"metric goal must be MAXIMIZE or MINIMIZE, got {spec.metric_goal!r}")
    if spec.algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {spec.algorithm!r}")
    if spec.max_trial_count < 1 or spec.parallel_trial_count < 1:
        raise ValueError("max_trial_count and parallel_trial_count must be >= 1")
    if spec.parallel_trial_count > spec.max_trial_count:
        raise ValueError(f"parallel_trial_count ({spec.parallel_trial_count}) exceeds max_trial_count ({spec.max_trial_count})")
    study: dict[str, Any] = {
        "metrics": [{"metricId": spec.metric_id, "goal": goal}],
        "parameters": check_parameters(spec.parameters),
        "algorithm": spec.algorithm,
        "measurementSelectionType": "LAST_MEASUREMENT",
    }
    if spec.model_type in STAGED_MODELS:
        study["medianAutomatedStoppingSpec"] = {"useElapsedDuration": False}
    job: dict[str, Any] = {
        "displayName": spec.display_name[:128],
        "studySpec": study,
        "maxTrialCount": spec.max_trial_count,
        "parallelTrialCount": spec.parallel_trial_count,
        "trialJobSpec": {
            "workerPoolSpecs": [{
                "machineSpec": {"machineType": spec.machine_type},
                "replicaCount": "1",
                "containerSpec": {
                    "imageUri": spec.image,
                    "command": ["python3", "-m", "mlops_components.steps.train"],
                    "args": trial_args(spec),
                },
            }],
            "baseOutputDirectory": {"outputUriPrefix": spec.base_output_directory},
        },
    }
    if spec.max_failed_trial_count > 0:
        job["maxFailedTrialCount"] = spec.max_failed_trial_count
    return job


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def final_metric(trial: dict[str, Any], metric_id: str) -> float | None:
    for metric in trial.get("finalMeasurement", {}).get("metrics", []):
        if metric.get("metricId") == metric_id:
            return _number(metric.get("value"))
    return None


def typed_value(value: Any, spec: dict[str, Any] | None) -> Any:
    """Vizier returns every number as a double; INTEGER parameters go back to ints for the refit."""
    if spec is None:
        return value
    if "integerValueSpec" in spec:
        return int(round(float(value)))
    if "doubleValueSpec" in spec:
        return float(value)
    if "discreteValueSpec" in spec:
        number = float(value)
        discrete = [float(v) for v in spec["discreteValueSpec"].get("values", [])]
        return int(number) if number.is_integer() and all(v.is_integer() for v in discrete) else number
    return str(value)


def trial_parameters(trial: dict[str, Any], specs: list[dict[str, Any]]) -> dict[str, Any]:
    by_id = {s["parameterId"]: s for s in specs}
    return {p["parameterId"]: typed_value(p.get("value"), by_id.get(p["parameterId"])) for p in trial.get("parameters", [])}


def best_trial(trials: list[dict[str, Any]], metric_id: str, goal: str) -> dict[str, Any] | None:
    """The succeeded trial with the best final value; ties go to the earlier trial."""
    scored = [(final_metric(t, metric_id), t) for t in trials if t.get("state") == "SUCCEEDED"]
    candidates = [(value, t) for value, t in scored if value is not None]
    if not candidates:
        return None
    sign = -1.0 if goal.upper() == "MAXIMIZE" else 1.0
    return min(candidates, key=lambda pair: sign * pair[0])[1]


def summarize_trials(trials: list[dict[str, Any]], specs: list[dict[str, Any]], metric_id: str) -> list[dict[str, Any]]:
    return [{
        "id": t.get("id"),
        "state": t.get("state"),
        "parameters": trial_parameters(t, specs),
        "final_metric": final_metric(t, metric_id),
        "final_measurement": t.get("finalMeasurement"),
        "infeasible_reason": t.get("infeasibleReason"),
        "start_time": t.get("startTime"),
        "end_time": t.get("endTime"),
    } for t in trials]
