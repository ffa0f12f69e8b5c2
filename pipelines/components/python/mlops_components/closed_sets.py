"""The closed sets of values the components accept, read from ``closed_sets.json``.

The lists are declared once, in ``pipelines/components/closed-sets.ts`` (the pipelines check
submissions against them); ``npm run compile`` writes them here. An unknown value is refused
with the wording the submission check uses: ``'random_forrest' is not one of random_forest,
…; did you mean `random_forest`?``, the suggestion picked by the same rule as the TypeScript
``closestName`` (vertex/validation/suggest.ts). The same file says which metrics each task
reports and which way each metric improves (the champion/challenger comparison needs both).
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

_SETS: dict[str, Any] = json.loads(Path(__file__).with_name("closed_sets.json").read_text(encoding="utf-8"))

MODEL_TYPES: tuple[str, ...] = tuple(_SETS["model_type"])
TASK_TYPES: tuple[str, ...] = tuple(_SETS["task_type"])
SPLIT_STRATEGIES: tuple[str, ...] = tuple(_SETS["split_strategy"])
METRICS: tuple[str, ...] = tuple(_SETS["metric"])
COMPARISON_METRICS: tuple[str, ...] = tuple(_SETS["comparison_metric"])
# Each task's metrics (our names and Vertex's), and whether a metric improves downwards or upwards.
TASK_METRICS: dict[str, tuple[str, ...]] = {task: tuple(names) for task, names in _SETS["task_metrics"].items()}
METRIC_DIRECTION: dict[str, str] = dict(_SETS["metric_direction"])


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, case-insensitive."""
    s, t = a.lower(), b.lower()
    previous = list(range(len(t) + 1))
    for i in range(1, len(s) + 1):
        current = [i]
        for j in range(1, len(t) + 1):
            cost = 0 if s[i - 1] == t[j - 1] else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        previous = current
    return previous[len(t)]


def closest_name(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate, if close enough to be a plausible typo (a snake_case spelling of a camelCase name first)."""
    options = list(candidates)
    camel = re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)
    if camel != name and camel in options:
        return camel
    limit = max(2, len(name) // 4)
    best, best_distance = None, None
    for candidate in options:
        distance = _edit_distance(name, candidate)
        if best_distance is None or distance < best_distance:
            best, best_distance = candidate, distance
    return best if best_distance is not None and best_distance <= limit else None


def not_one_of(value: str, choices: Sequence[str]) -> str:
    match = closest_name(value, choices)
    hint = "" if match is None else f"; did you mean `{match}`?"
    return f"'{value}' is not one of {', '.join(choices)}{hint}"


def require(field: str, value: str, choices: Sequence[str]) -> str:
    """``value`` if it is in ``choices``; otherwise ValueError naming ``field``."""
    if value not in choices:
        raise ValueError(f"{field}: {not_one_of(value, choices)}")
    return value


def argument(choices: Sequence[str]) -> Callable[[str], str]:
    """An argparse ``type`` accepting only ``choices``; argparse names the flag in its error."""
    def parse(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(not_one_of(text, choices))
        return text
    return parse
