"""Benchmark problems for the local Vizier's designer, each with a known optimum.

A problem has `parameters` (ParameterSpec trees as study-spec.ts parses them, the designer's
input), a `goal`, `evaluate(assignment) -> value`, the `optimum` value and the trial `budget`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np


def double(pid, lo, hi, scale="UNIT_LINEAR_SCALE"):
    return {"id": pid, "kind": "double", "min": lo, "max": hi, "values": [], "scale": scale, "children": []}


def integer(pid, lo, hi, scale="UNIT_LINEAR_SCALE"):
    return {"id": pid, "kind": "integer", "min": lo, "max": hi, "values": [], "scale": scale, "children": []}


def discrete(pid, values, scale="UNIT_LINEAR_SCALE"):
    return {"id": pid, "kind": "discrete", "min": values[0], "max": values[-1], "values": values, "scale": scale, "children": []}


def categorical(pid, values, children=()):
    return {"id": pid, "kind": "categorical", "min": 0, "max": 0, "values": values,
            "scale": "UNIT_LINEAR_SCALE", "children": list(children)}


@dataclass
class Problem:
    name: str
    parameters: list
    goal: str
    evaluate: Callable[[dict], float]
    optimum: float
    budget: int


def branin(a: dict) -> float:
    x1, x2 = a["x1"], a["x2"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_H_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                 [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
_H_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                        [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])


def hartmann6(a: dict) -> float:
    x = np.array([a[f"x{i}"] for i in range(1, 7)])
    return float(-np.sum(_H_ALPHA * np.exp(-np.sum(_H_A * (x - _H_P) ** 2, axis=1))))


# Two model types. "a" (a double and an integer, a wide basin) bottoms out at 0.3; "b" (a
# log-scale learning rate, a reverse-log momentum and a discrete batch size: three dimensions, so a
# smaller share of its volume is good) holds the global optimum 0 at lr = 10^-3.3, beta = 0.99,
# batch = 64.
CONDITIONAL = [
    categorical("model_type", ["a", "b"], [
        {"spec": double("x", -2.0, 2.0), "parentValues": ["a"]},
        {"spec": integer("n", 1, 20), "parentValues": ["a"]},
        {"spec": double("lr", 1e-5, 1.0, "UNIT_LOG_SCALE"), "parentValues": ["b"]},
        {"spec": double("beta", 0.5, 0.999, "UNIT_REVERSE_LOG_SCALE"), "parentValues": ["b"]},
        {"spec": discrete("batch", [16.0, 32.0, 64.0, 128.0, 256.0], "UNIT_LOG_SCALE"), "parentValues": ["b"]},
    ])
]


def conditional(a: dict) -> float:
    if a["model_type"] == "a":
        q = ((a["x"] - 0.7) ** 2 + 0.01 * (a["n"] - 13) ** 2) / 0.5
        return 0.3 + 0.7 * (1 - math.exp(-q))
    q = (
        0.5 * (math.log10(a["lr"]) + 3.3) ** 2
        + 20.0 * (a["beta"] - 0.99) ** 2 / 0.01
        + 0.3 * (math.log2(a["batch"]) - 6) ** 2
    )
    return 1.5 * (1 - math.exp(-q))


PROBLEMS = {
    "branin": Problem("branin", [double("x1", -5.0, 10.0), double("x2", 0.0, 15.0)], "MINIMIZE",
                      branin, 0.397887, 50),
    "hartmann6": Problem("hartmann6", [double(f"x{i}", 0.0, 1.0) for i in range(1, 7)], "MINIMIZE",
                         hartmann6, -3.32237, 100),
    "conditional": Problem("conditional", CONDITIONAL, "MINIMIZE", conditional, 0.0, 40),
}
