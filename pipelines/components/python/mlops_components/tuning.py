"""The HyperparameterTuningJob request and the reading of its trials.

Each trial is a one-replica CustomJob running this image's ``train`` module on the pipeline's
splits, with ``--hypertune-metric`` naming the study metric; Vertex appends one
``--<parameterId>=<value>`` flag per sampled parameter. ``trialJobSpec.baseOutputDirectory``
gives every trial its own ``AIP_MODEL_DIR``, where ``train`` saves the trial's model.

Staged models (gradient boosting, XGBoost) report intermediate measurements, so the study
enables median automated stopping for them; the final measurement is the last one reported
(the fully trained model, which is what the refit reproduces). ``early_stopping`` chooses the
rule explicitly: ``median`` (medianAutomatedStoppingSpec), ``decay_curve``
(decayCurveStoppingSpec) or ``none``.

A study across model types (:mod:`mlops_components.study`) has a ``model_type`` parameter with
each type's parameters conditional on it: its trials get no ``--model-type`` argument, the
``--model_type=<type>`` flag Vertex appends chooses it. Each trial summary carries its model
type and unprefixed hyperparameters, and, where the job's trials tell, whether it was stopped
early.

``labels`` are set on the HyperparameterTuningJob (so a caller can find the job while it runs),
checked as Vertex checks resource labels; they also let a restarted step find the job it created
(:func:`reusable_job`). Trials train with the pipeline's ``random_seed`` (as the refit does) and,
when given, run as ``service_account`` (``trialJobSpec.serviceAccount``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from .hyperparameters import DEFAULTS, coerce
from .study import has_model_type_parameter, parameters_by_id, split_trial_parameters, walk_parameters

ALGORITHMS = ("ALGORITHM_UNSPECIFIED", "GRID_SEARCH", "RANDOM_SEARCH")
GOALS = ("MAXIMIZE", "MINIMIZE")
VALUE_SPECS = ("doubleValueSpec", "integerValueSpec", "categoricalValueSpec", "discreteValueSpec")
STAGED_MODELS = ("gradient_boosting", "xgboost")
# '' keeps the historical default: median stopping for staged models, none otherwise.
EARLY_STOPPING = ("median", "decay_curve", "none")
PARENT_VALUES = ("parentCategoricalValues", "parentDiscreteValues", "parentIntValues")
# Resource labels as Vertex accepts them: lowercase keys starting with a letter, values may be empty.
LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")
MAX_LABELS = 64
# Hyperparameters with which a staged model stops by itself, so fewer steps mean nothing about Vertex.
SELF_STOPPING = ("early_stopping_rounds", "n_iter_no_change")
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
    early_stopping: str = ""
    labels: dict[str, Any] = field(default_factory=dict)
    # The seed every trial trains with: the refit's (the pipeline's random_seed), so the best trial is what it refits.
    random_seed: int = 42
    # The trials' service account ('': Vertex's service agent); the pipeline's own, so trials read what the pipeline wrote.
    service_account: str = ""


def check_parameters(parameters: list[Any]) -> list[dict[str, Any]]:
    """Catches malformed specs here, with the parameter named, rather than as a 400 from Vertex.

    Conditional children are checked like top-level parameters; ids are unique across the study.
    """
    if not parameters:
        raise ValueError("study_spec_parameters is empty: nothing to tune")
    seen: set[str] = set()
    for at, spec in walk_parameters(parameters):
        if not isinstance(spec, dict) or not isinstance(spec.get("parameterId"), str) or not spec["parameterId"]:
            raise ValueError(f"{at} needs a parameterId")
        if spec["parameterId"] in seen:
            raise ValueError(f"{at}: duplicate parameterId {spec['parameterId']!r}")
        seen.add(spec["parameterId"])
        kinds = [k for k in VALUE_SPECS if k in spec]
        if len(kinds) != 1:
            raise ValueError(f"{at} ({spec['parameterId']}) needs exactly one of {', '.join(VALUE_SPECS)}")
        for j, child in enumerate(spec.get("conditionalParameterSpecs", [])):
            if len([k for k in PARENT_VALUES if k in child]) != 1:
                raise ValueError(f"{at}.conditionalParameterSpecs[{j}] needs exactly one of {', '.join(PARENT_VALUES)}")
    return parameters


def check_labels(labels: Any) -> dict[str, str]:
    """The job's labels, refused by key as Vertex would refuse them (400 on create)."""
    if not isinstance(labels, dict):
        raise ValueError(f"labels must be a JSON object, got {type(labels).__name__}")
    if len(labels) > MAX_LABELS:
        raise ValueError(f"labels: at most {MAX_LABELS} labels, got {len(labels)}")
    for key, value in labels.items():
        if not LABEL_KEY.fullmatch(key):
            raise ValueError(f"labels.{key}: a key is 1-63 lowercase letters, digits, '_' or '-', starting with a letter")
        if not isinstance(value, str) or not LABEL_VALUE.fullmatch(value):
            raise ValueError(f"labels.{key}: a value is a string of at most 63 lowercase letters, digits, '_' or '-', got {value!r}")
    return labels


def stopping_spec(early_stopping: str, model_type: str) -> dict[str, Any]:
    """The studySpec field of the early-stopping rule (at most one may be set).

    ``model_type`` is the study's one model type, '' for a study across types: with no rule
    given, only a staged type gets median stopping.
    """
    if early_stopping not in ("", *EARLY_STOPPING):
        raise ValueError(f"early_stopping must be one of {', '.join(EARLY_STOPPING)}, got {early_stopping!r}")
    rule = early_stopping or ("median" if model_type in STAGED_MODELS else "none")
    if rule == "median":
        return {"medianAutomatedStoppingSpec": {"useElapsedDuration": False}}
    if rule == "decay_curve":
        return {"decayCurveStoppingSpec": {"useElapsedDuration": False}}
    return {}


def trial_args(spec: TuningSpec) -> list[str]:
    # Across model types, each trial's --model_type flag names its type; no fixed one is passed.
    model_type = [] if has_model_type_parameter(spec.parameters) else ["--model-type", spec.model_type]
    return [
        "--train-data", spec.train_data,
        "--validation-data", spec.validation_data,
        "--feature-schema", spec.feature_schema,
        "--target-column", spec.target_column,
        "--task-type", spec.task_type,
        *model_type,
        "--hypertune-metric", spec.metric_id,
        "--random-seed", str(spec.random_seed),
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
    study.update(stopping_spec(spec.early_stopping, "" if has_model_type_parameter(spec.parameters) else spec.model_type))
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
    if spec.service_account:
        job["trialJobSpec"]["serviceAccount"] = spec.service_account
    if spec.max_failed_trial_count > 0:
        job["maxFailedTrialCount"] = spec.max_failed_trial_count
    if check_labels(spec.labels):
        job["labels"] = dict(spec.labels)
    return job


def labels_filter(labels: dict[str, str]) -> str:
    """The list filter matching every one of the labels (values are checked by check_labels: no quotes)."""
    return " AND ".join(f'labels.{key}="{value}"' for key, value in sorted(labels.items()))


def reusable_job(jobs: list[dict[str, Any]], job_body: dict[str, Any], display_name_given: bool) -> dict[str, Any] | None:
    """Among listed jobs, the one this step already created (a restarted container), or None.

    Same labels (and the same displayName when the caller named it; the default one carries the
    time, so differs after a restart), and still running or succeeded: a failed or cancelled one is
    not reused, a new job is created. The newest wins.
    """
    labels = job_body.get("labels") or {}
    if not labels:
        return None
    matching = [
        job for job in jobs
        if job.get("labels") == labels
        and (not display_name_given or job.get("displayName") == job_body.get("displayName"))
        and (job.get("state") not in TERMINAL_STATES or job.get("state") == "JOB_STATE_SUCCEEDED")
    ]
    return max(matching, key=lambda job: str(job.get("createTime", ""))) if matching else None


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
    """The trial's values by study parameter id, typed by their specs (conditional ones included)."""
    by_id = parameters_by_id(specs)
    return {p["parameterId"]: typed_value(p.get("value"), by_id.get(p["parameterId"])) for p in trial.get("parameters", [])}


def best_trial(trials: list[dict[str, Any]], metric_id: str, goal: str) -> dict[str, Any] | None:
    """The succeeded trial with the best final value; ties go to the earlier trial."""
    scored = [(final_metric(t, metric_id), t) for t in trials if t.get("state") == "SUCCEEDED"]
    candidates = [(value, t) for value, t in scored if value is not None]
    if not candidates:
        return None
    sign = -1.0 if goal.upper() == "MAXIMIZE" else 1.0
    return min(candidates, key=lambda pair: sign * pair[0])[1]


def early_stopped(trial: dict[str, Any], model_type: str, hyperparameters: dict[str, Any], stopping: bool) -> bool | None:
    """Whether Vertex stopped a SUCCEEDED trial early; None where the trial can't tell.

    An early-stopped trial completes with its last intermediate measurement as the final one, so
    a staged model's final step falls short of its planned estimators. Unstaged models report
    once, at the end: they are never stopped part-way.
    """
    if trial.get("state") != "SUCCEEDED":
        return None
    if not stopping or model_type not in STAGED_MODELS:
        return False
    if any(hyperparameters.get(name) for name in SELF_STOPPING):
        return None
    step = trial.get("finalMeasurement", {}).get("stepCount")
    planned = coerce("n_estimators", hyperparameters.get("n_estimators", DEFAULTS[model_type]["n_estimators"]))
    try:
        return int(step) < int(planned)
    except (TypeError, ValueError):
        return None


def summarize_trials(trials: list[dict[str, Any]], spec: TuningSpec) -> list[dict[str, Any]]:
    """Each trial as the study saw it (``parameters`` by study id) and as trained (model type, plain hyperparameters)."""
    study_has_model_type = has_model_type_parameter(spec.parameters)
    stopping = bool(stopping_spec(spec.early_stopping, "" if study_has_model_type else spec.model_type))
    summaries = []
    for t in trials:
        parameters = trial_parameters(t, spec.parameters)
        try:
            model_type, hyperparameters = split_trial_parameters(parameters, None if study_has_model_type else spec.model_type)
        except ValueError:  # a trial without a model type: reported as the study saw it, not lost
            model_type, hyperparameters = None, dict(parameters)
        summary = {
            "id": t.get("id"),
            "state": t.get("state"),
            "parameters": parameters,
            "model_type": model_type,
            "hyperparameters": hyperparameters,
            "final_metric": final_metric(t, spec.metric_id),
            "final_measurement": t.get("finalMeasurement"),
            "infeasible_reason": t.get("infeasibleReason"),
            "start_time": t.get("startTime"),
            "end_time": t.get("endTime"),
        }
        stopped = early_stopped(t, model_type, hyperparameters, stopping) if model_type else None
        if stopped is not None:
            summary["early_stopped"] = stopped
        summaries.append(summary)
    return summaries
