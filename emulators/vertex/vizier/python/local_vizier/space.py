"""A study's parameters (ParameterSpec trees, as study-spec.ts parses them) encoded to [0, 1]^d.

Every parameter of the tree owns fixed columns, active or not, so that one GP sees every trial:
- double, integer, discrete: one column, the value on its scale (linear, log, reverse log) mapped
  to [0, 1];
- categorical: one column per value (one-hot).
An inactive parameter (its parent does not take one of its `parentValues`) sits at a constant
(INACTIVE for numeric columns, all zeros for one-hot), so trials of another branch stay apart.

A "relaxed" point is any vector in [0, 1]^d; `decode` snaps it to a valid assignment (integers
rounded, discrete values to the nearest one, categorical to the largest one-hot column, children
only under their parent's values) and `encode` gives that assignment's canonical vector.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

INACTIVE = 0.5
LINEAR = "UNIT_LINEAR_SCALE"
LOG = "UNIT_LOG_SCALE"
REVERSE_LOG = "UNIT_REVERSE_LOG_SCALE"


@dataclass
class Param:
    id: str
    kind: str  # double | integer | discrete | categorical
    min: float
    max: float
    values: list
    scale: str
    # (parentValues, child) pairs.
    children: list = field(default_factory=list)
    # Columns in the encoded vector: [col] for numeric, one per value for categorical.
    cols: list = field(default_factory=list)

    # ---- scale: a numeric value <-> a unit coordinate ----
    def _log_scaled(self) -> bool:
        return self.scale in (LOG, REVERSE_LOG) and self.min > 0 and self.max > self.min

    def to_unit(self, v: float) -> float:
        if self.max <= self.min:
            return 0.5
        if self._log_scaled():
            lo, hi = math.log(self.min), math.log(self.max)
            if self.scale == LOG:
                u = (math.log(v) - lo) / (hi - lo)
            else:
                # Reverse log: dense near the maximum (mirror of the log scale).
                u = 1.0 - (math.log(self.max + self.min - v) - lo) / (hi - lo)
        else:
            u = (v - self.min) / (self.max - self.min)
        return float(min(1.0, max(0.0, u)))

    def from_unit(self, u: float) -> float:
        u = float(min(1.0, max(0.0, u)))
        if self.max <= self.min:
            return float(self.min)
        if self._log_scaled():
            lo, hi = math.log(self.min), math.log(self.max)
            if self.scale == LOG:
                v = math.exp(lo + u * (hi - lo))
            else:
                v = self.max + self.min - math.exp(lo + (1.0 - u) * (hi - lo))
        else:
            v = self.min + u * (self.max - self.min)
        return float(min(self.max, max(self.min, v)))

    # ---- a value of this parameter, snapped to what it may take ----
    def snap(self, u: float) -> Any:
        """The valid value nearest (on the parameter's scale) to unit coordinate u."""
        if self.kind == "double":
            return self.from_unit(u)
        if self.kind == "integer":
            v = self.from_unit(u)
            cands = {int(min(self.max, max(self.min, c))) for c in (math.floor(v), math.ceil(v))}
            return min(sorted(cands), key=lambda c: abs(self.to_unit(c) - u))
        return min(self.values, key=lambda v: abs(self.to_unit(float(v)) - u))

    def finite_values(self) -> Optional[list]:
        if self.kind in ("discrete", "categorical"):
            return list(self.values)
        if self.kind == "integer":
            return list(range(int(self.min), int(self.max) + 1))
        return None

    def active_children(self, value: Any) -> list:
        return [c for pv, c in self.children if any(_same(value, p) for p in pv)]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    return float(a) == float(b)


def parse_param(raw: dict) -> Param:
    p = Param(
        id=str(raw["id"]),
        kind=str(raw["kind"]),
        min=float(raw.get("min", 0)),
        max=float(raw.get("max", 0)),
        values=list(raw.get("values", [])),
        scale=str(raw.get("scale", LINEAR)),
    )
    if p.kind == "categorical":
        p.values = [str(v) for v in p.values]
    elif p.kind == "discrete":
        p.values = sorted(float(v) for v in p.values)
    p.children = [
        (list(c["parentValues"]), parse_param(c["spec"])) for c in raw.get("children", [])
    ]
    return p


class Space:
    def __init__(self, raw_params: list):
        self.roots = [parse_param(r) for r in raw_params]
        self.params: list[Param] = []
        d = 0

        def visit(p: Param) -> None:
            nonlocal d
            n = len(p.values) if p.kind == "categorical" else 1
            p.cols = list(range(d, d + n))
            d += n
            self.params.append(p)
            for _, c in p.children:
                visit(c)

        for r in self.roots:
            visit(r)
        self.dim = d
        self.by_id = {p.id: p for p in self.params}
        # Columns that decide which branch of the conditional tree a point is in.
        self.branch_cols = np.array([c for p in self.params if p.children for c in p.cols], dtype=int)

    # ---- assignments (dict id -> value, active parameters only) <-> vectors ----
    def decode(self, x: np.ndarray) -> dict:
        out: dict = {}

        def visit(p: Param) -> None:
            if p.kind == "categorical":
                value = p.values[int(np.argmax(x[p.cols]))]
            else:
                value = p.snap(float(x[p.cols[0]]))
            out[p.id] = value
            for c in p.active_children(value):
                visit(c)

        for r in self.roots:
            visit(r)
        return out

    def encode(self, assignment: dict) -> np.ndarray:
        x = np.full(self.dim, INACTIVE)
        for p in self.params:
            if p.kind == "categorical":
                x[p.cols] = 0.0
        for p in self.params:
            if p.id not in assignment:
                continue
            v = assignment[p.id]
            if p.kind == "categorical":
                sv = str(v)
                if sv in p.values:
                    x[p.cols[p.values.index(sv)]] = 1.0
            else:
                x[p.cols[0]] = p.to_unit(float(v))
        return x

    def canonical_batch(self, X: np.ndarray) -> np.ndarray:
        """`encode(decode(x))` for every row, vectorised (the acquisition scores thousands)."""
        X = np.clip(np.asarray(X, dtype=float), 0.0, 1.0)
        out = np.empty_like(X)
        n = X.shape[0]
        values: dict = {}
        active: dict = {}

        def visit(p: Param, mask: np.ndarray) -> None:
            active[p.id] = mask
            if p.kind == "categorical":
                idx = np.argmax(X[:, p.cols], axis=1)
                onehot = np.zeros((n, len(p.cols)))
                onehot[np.arange(n), idx] = 1.0
                out[:, p.cols] = np.where(mask[:, None], onehot, 0.0)
                vals = np.array(p.values, dtype=object)[idx]
            else:
                u = X[:, p.cols[0]]
                if p.kind == "double":
                    snapped_u = u
                    vals = None
                else:
                    grid = _unit_grid(p)
                    if grid is None:  # a wide integer range: the two neighbours on the value scale
                        v = np.array([p.from_unit(t) for t in u])
                        lo = np.clip(np.floor(v), p.min, p.max)
                        hi = np.clip(np.ceil(v), p.min, p.max)
                        ulo = np.array([p.to_unit(t) for t in lo])
                        uhi = np.array([p.to_unit(t) for t in hi])
                        pick_lo = np.abs(ulo - u) <= np.abs(uhi - u)
                        snapped_u = np.where(pick_lo, ulo, uhi)
                        vals = np.where(pick_lo, lo, hi)
                    else:
                        gvals, gunits = grid
                        idx = np.argmin(np.abs(u[:, None] - gunits[None, :]), axis=1)
                        snapped_u = gunits[idx]
                        vals = gvals[idx]
                out[:, p.cols[0]] = np.where(mask, snapped_u, INACTIVE)
            for parent_values, c in p.children:
                if vals is None:
                    child_mask = np.zeros(n, dtype=bool)
                else:
                    hit = np.array([any(_same(v, pv) for pv in parent_values) for v in vals])
                    child_mask = mask & hit
                visit(c, child_mask)

        for r in self.roots:
            visit(r, np.ones(n, dtype=bool))
        return out

    def active_continuous_cols(self, assignment: dict) -> np.ndarray:
        return np.array(
            [p.cols[0] for p in self.params if _is_continuous(p) and p.id in assignment], dtype=int
        )

    def branches(self, X: np.ndarray) -> np.ndarray:
        """A branch number per canonical row (rows agreeing on every parent's value share one)."""
        if len(self.branch_cols) == 0:
            return np.zeros(len(X), dtype=int)
        _, inverse = np.unique(np.round(X[:, self.branch_cols], 9), axis=0, return_inverse=True)
        return inverse.reshape(-1)

    # ---- special points ----
    def center(self) -> dict:
        """Vizier's first trial: the middle of every scaled range, the first categorical value."""
        out: dict = {}

        def visit(p: Param) -> None:
            if p.kind == "categorical":
                value: Any = p.values[0]
            else:
                value = p.snap(0.5)
            out[p.id] = value
            for c in p.active_children(value):
                visit(c)

        for r in self.roots:
            visit(r)
        return out

    def size(self, limit: int = 100_000) -> Optional[int]:
        """The number of distinct assignments when every parameter is finite (None if not, or
        above `limit`)."""

        def count(p: Param) -> Optional[int]:
            vals = p.finite_values()
            if vals is None:
                return None
            total = 0
            for v in vals:
                n = 1
                for c in p.active_children(v):
                    k = count(c)
                    if k is None:
                        return None
                    n *= k
                total += n
                if total > limit:
                    return None
            return total

        n = 1
        for r in self.roots:
            k = count(r)
            if k is None:
                return None
            n *= k
            if n > limit:
                return None
        return n

    def enumerate(self) -> list:
        """Every assignment of a finite space (call only when `size()` is not None)."""

        def expand(p: Param) -> list:
            out = []
            for v in p.finite_values() or []:
                partials = [{p.id: v}]
                for c in p.active_children(v):
                    partials = [dict(a, **b) for a in partials for b in expand(c)]
                out.extend(partials)
            return out

        result = [{}]
        for r in self.roots:
            result = [dict(a, **b) for a in result for b in expand(r)]
        return result

    def to_wire(self, assignment: dict) -> list:
        """Assignments in the contract's order (tree order) with JSON-friendly values."""
        out = []
        for p in self.params:
            if p.id not in assignment:
                continue
            v = assignment[p.id]
            if p.kind == "integer":
                v = int(v)
            elif p.kind in ("double", "discrete"):
                v = float(v)
            else:
                v = str(v)
            out.append({"parameterId": p.id, "value": v, "kind": p.kind})
        return out


def _is_continuous(p: Param) -> bool:
    return p.kind == "double" or (p.kind == "integer" and p.max - p.min > 20)


def _unit_grid(p: Param):
    """(values, unit coordinates) of a finite numeric parameter, None for a wide integer range."""
    vals = p.finite_values()
    if vals is None or len(vals) > 1000:
        return None
    arr = np.array(vals, dtype=float)
    return arr, np.array([p.to_unit(v) for v in arr])
