"""Gaussian-process bandit suggestions, as Vizier's default algorithm (ALGORITHM_UNSPECIFIED).

- First trial: the centre of the space; then, until enough trials are completed, quasi-random
  (scrambled Sobol) points chosen to be far from every trial so far (maximin).
- Then a GP (Matérn 5/2 with one length scale per encoded column, signal variance and white noise,
  fitted by marginal likelihood with restarts; outputs standardised) scores an acquisition that is
  maximised over the whole space: Sobol candidates in every branch of the conditional tree, plus
  perturbations of the best trials, the best few refined by L-BFGS-B over the continuous columns.
- Parallel trials: pending trials and the batch's earlier suggestions enter the GP as fantasies
  valued at the GP's mean (kriging believer), which collapses the uncertainty there, and a
  suggestion never repeats a trial (finite spaces: until every assignment has been tried).
- Infeasible trials enter the GP at the worst completed value, so that the acquisition steers away
  from their neighbourhood without a separate classifier.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Optional

import numpy as np
from scipy.optimize import minimize
from scipy.stats import norm, qmc
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

from .space import Space

DUPLICATE_DISTANCE = 1e-9


def suggest(request: dict) -> list:
    space = Space(request["parameters"])
    count = int(request.get("count", 1))
    seed = int(request.get("seed", 0)) & 0xFFFFFFFF
    sign = 1.0 if request.get("goal", "MAXIMIZE") == "MAXIMIZE" else -1.0
    completed = request.get("completed", [])
    infeasible = request.get("infeasible", [])
    pending = request.get("pending", [])
    rng = np.random.default_rng(seed)

    def enc(trials):
        return [space.encode(_assignment(t["parameters"])) for t in trials]

    X_done = np.array(enc(completed)).reshape(-1, space.dim)
    y_done = np.array([sign * float(t["value"]) for t in completed], dtype=float)
    X_inf = np.array(enc(infeasible)).reshape(-1, space.dim)
    X_pend = np.array(enc(pending)).reshape(-1, space.dim)

    taken = np.vstack([X_done, X_inf, X_pend])
    finite_size = space.size()
    taken_keys = {_key(space.decode(x)) for x in taken} if finite_size is not None else set()

    n_init = max(5, min(space.dim + 1, 10))
    model: Optional[_Model] = None
    out = []
    for i in range(count):
        exhausted = finite_size is not None and len(taken_keys) >= finite_size
        if len(y_done) < n_init:
            if len(taken) == 0:
                a = space.center()
            else:
                a = _space_filling(space, taken, taken_keys, exhausted, rng)
        else:
            if model is None:
                model = _Model(space, X_done, y_done, X_inf, seed)
            fantasies = taken[len(X_done):]
            a = _bo_step(space, model, fantasies, taken, taken_keys, exhausted, rng, len(y_done) + i)
        x = space.encode(a)
        taken = np.vstack([taken, x[None, :]])
        if finite_size is not None:
            taken_keys.add(_key(a))
        out.append(space.to_wire(a))
    return out


def _assignment(params: Any) -> dict:
    # The TS side sends a record {id: value}.
    return dict(params)


def _key(a: dict) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in a.items()))


def _is_new(space: Space, x: np.ndarray, taken: np.ndarray, taken_keys: set, exhausted: bool, a: dict) -> bool:
    if exhausted:
        return True
    if taken_keys or space.size() is not None:
        if _key(a) in taken_keys:
            return False
    if len(taken) == 0:
        return True
    return float(np.min(np.sum((taken - x) ** 2, axis=1))) > DUPLICATE_DISTANCE


def _sobol(d: int, n: int, rng: np.random.Generator) -> np.ndarray:
    seed = int(rng.integers(0, 2**31 - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # n need not be a power of two for our use
        return qmc.Sobol(d, scramble=True, seed=seed).random(n)


def _space_filling(space: Space, taken: np.ndarray, taken_keys: set, exhausted: bool, rng) -> dict:
    cands = space.canonical_batch(_sobol(space.dim, 512, rng))
    dist = np.min(((cands[:, None, :] - taken[None, :, :]) ** 2).sum(-1), axis=1)
    for j in np.argsort(-dist):
        a = space.decode(cands[j])
        if _is_new(space, cands[j], taken, taken_keys, exhausted, a):
            return a
    return _fallback(space, taken, taken_keys, exhausted, rng)


def _fallback(space: Space, taken, taken_keys, exhausted, rng) -> dict:
    """Any untried assignment: enumerated for finite spaces, else uniformly random."""
    if space.size() is not None and not exhausted:
        for a in space.enumerate():
            if _key(a) not in taken_keys:
                return a
    return space.decode(rng.random(space.dim))


class _Model:
    """The GP over the completed (and infeasible) trials, with standardised outputs."""

    def __init__(self, space: Space, X: np.ndarray, y: np.ndarray, X_inf: np.ndarray, seed: int):
        if len(X_inf):
            # Infeasible trials count as the worst value seen: the GP's mean drops around them.
            X = np.vstack([X, X_inf])
            y = np.concatenate([y, np.full(len(X_inf), np.min(y))])
        self.X = X
        self.y = y
        self.best = float(np.max(y[: len(y) - len(X_inf)]))
        d = space.dim
        kernel = ConstantKernel(1.0, (1e-2, 1e2)) * Matern(
            length_scale=np.full(d, 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5
        ) + WhiteKernel(1e-4, (1e-8, 0.3))
        self.gp = GaussianProcessRegressor(
            kernel=kernel, normalize_y=True, n_restarts_optimizer=2, random_state=seed
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.gp.fit(X, y)

    def with_fantasies(self, Xf: np.ndarray) -> GaussianProcessRegressor:
        """The GP with extra points valued at its own mean, kernel kept (kriging believer)."""
        if len(Xf) == 0:
            return self.gp
        yf = self.gp.predict(Xf)
        gp = GaussianProcessRegressor(kernel=self.gp.kernel_, normalize_y=True, optimizer=None)
        gp.fit(np.vstack([self.X, Xf]), np.concatenate([self.y, yf]))
        return gp


def _acquisition(gp: GaussianProcessRegressor, best: float, kind: str):
    def f(X: np.ndarray) -> np.ndarray:
        mu, sd = gp.predict(X, return_std=True)
        sd = np.maximum(sd, 1e-12)
        if kind == "ucb":
            return mu + 2.0 * sd
        z = (mu - best) / sd
        return (mu - best) * norm.cdf(z) + sd * norm.pdf(z)

    return f


def _bo_step(space: Space, model: _Model, fantasies, taken, taken_keys, exhausted, rng, step: int) -> dict:
    gp = model.with_fantasies(fantasies)
    kind = "ei" if step % 2 == 0 else "ucb"
    acq = _acquisition(gp, model.best, kind)
    d = space.dim
    # Candidates: the whole space (Sobol) and perturbations of the best trials.
    cands = [_sobol(d, 2048, rng)]
    top = model.X[np.argsort(-model.y)[:5]]
    for scale in (0.1, 0.02):
        cands.append(np.repeat(top, 100, axis=0) + rng.normal(0, scale, (len(top) * 100, d)))
    C = space.canonical_batch(np.vstack(cands))
    scores = acq(C)
    order = np.argsort(-scores)
    starts = []
    for j in order:
        if len(starts) >= 5:
            break
        starts.append(C[j])
    best_x, best_s = None, -np.inf
    for x0 in starts:
        cont = space.active_continuous_cols(space.decode(x0))
        x = _refine(space, acq, x0, cont) if len(cont) else x0
        a = space.decode(x)
        xc = space.encode(a)
        s = float(acq(xc[None, :])[0])
        if s > best_s and _is_new(space, xc, taken, taken_keys, exhausted, a):
            best_x, best_s = xc, s
    if best_x is None:
        for j in order:
            a = space.decode(C[j])
            if _is_new(space, C[j], taken, taken_keys, exhausted, a):
                return a
        return _fallback(space, taken, taken_keys, exhausted, rng)
    return space.decode(best_x)


def _refine(space: Space, acq, x0: np.ndarray, cont: np.ndarray) -> np.ndarray:
    """L-BFGS-B on the continuous columns (others fixed), gradients by batched central differences."""
    h = 1e-6
    k = len(cont)

    def fg(z):
        base = np.repeat(x0[None, :], 2 * k + 1, axis=0)
        base[:, cont] = z
        for i in range(k):
            base[1 + 2 * i, cont[i]] += h
            base[2 + 2 * i, cont[i]] -= h
        v = acq(base)
        grad = (v[1::2] - v[2::2]) / (2 * h)
        return -float(v[0]), -grad

    res = minimize(fg, x0[cont], jac=True, method="L-BFGS-B", bounds=[(0.0, 1.0)] * k, options={"maxiter": 50})
    x = x0.copy()
    x[cont] = np.clip(res.x, 0.0, 1.0)
    return x
