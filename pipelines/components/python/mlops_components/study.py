"""A study across model types: the ``model_type`` parameter and type-prefixed parameter ids.

The Python twin of ``pipelines/definitions/search-spaces.ts`` (``modelTypeStudyParameters``,
``splitTrialParameters``). Such a study has one categorical ``model_type`` parameter; each
type's hyperparameters are conditional on it, with ids prefixed by the type
(``xgboost__max_depth``), since a study's parameter ids must be unique. A trial therefore
receives ``--model_type=xgboost --xgboost__max_depth=6.0``; :func:`split_trial_parameters`
turns that back into a model type and its plain hyperparameters.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

MODEL_TYPE_PARAMETER = "model_type"
SEPARATOR = "__"


def prefixed_parameter_id(model_type: str, parameter_id: str) -> str:
    return f"{model_type}{SEPARATOR}{parameter_id}"


def walk_parameters(specs: list[Any], at: str = "study_spec_parameters") -> Iterator[tuple[str, Any]]:
    """Every ParameterSpec of the study with where it sits, conditional children included (depth first)."""
    for i, spec in enumerate(specs):
        yield from _walk(spec, f"{at}[{i}]")


def _walk(spec: Any, at: str) -> Iterator[tuple[str, Any]]:
    yield at, spec
    children = spec.get("conditionalParameterSpecs", []) if isinstance(spec, dict) else []
    if not isinstance(children, list):
        raise ValueError(f"{at}.conditionalParameterSpecs must be a list")
    for j, child in enumerate(children):
        child_at = f"{at}.conditionalParameterSpecs[{j}]"
        if not isinstance(child, dict) or not isinstance(child.get("parameterSpec"), dict):
            raise ValueError(f"{child_at} needs a parameterSpec")
        yield from _walk(child["parameterSpec"], f"{child_at}.parameterSpec")


def parameters_by_id(specs: list[Any]) -> dict[str, dict[str, Any]]:
    return {spec["parameterId"]: spec for _, spec in walk_parameters(specs) if isinstance(spec, dict) and "parameterId" in spec}


def has_model_type_parameter(specs: list[Any]) -> bool:
    return any(isinstance(s, dict) and s.get("parameterId") == MODEL_TYPE_PARAMETER for s in specs)


def split_trial_parameters(parameters: Mapping[str, Any], default_model_type: str | None = None) -> tuple[str, dict[str, Any]]:
    """(model type, unprefixed hyperparameters) of one trial's parameters.

    ``model_type`` among the parameters overrides ``default_model_type``; ids prefixed for that
    type lose their prefix, unprefixed ones pass through, and one prefixed for another type is
    an error naming it (the trial and the code disagree about the study's shape).
    """
    chosen = parameters.get(MODEL_TYPE_PARAMETER, default_model_type)
    if not isinstance(chosen, str) or not chosen:
        raise ValueError(f"{MODEL_TYPE_PARAMETER}: expected the trial's model type (a string), got {chosen!r}")
    hyperparameters: dict[str, Any] = {}
    for name, value in parameters.items():
        if name == MODEL_TYPE_PARAMETER:
            continue
        prefix, sep, rest = name.partition(SEPARATOR)
        if not sep:
            hyperparameters[name] = value
        elif prefix == chosen:
            hyperparameters[rest] = value
        else:
            raise ValueError(f"{name}: prefixed for model type {prefix!r}, but the trial's {MODEL_TYPE_PARAMETER} is {chosen!r}")
    return chosen, hyperparameters
