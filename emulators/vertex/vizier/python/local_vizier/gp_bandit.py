"""Gaussian-process bandit suggestions, as Vizier's default algorithm (ALGORITHM_UNSPECIFIED).

- First trial: the centre of the space; then, until enough trials are completed, quasi-random
  (scrambled Sobol) points chosen to be far from every trial so far (maximin).
- Then a GP (Matérn 5/2 with one length scale per encoded column, signal variance and white noise,
  fitted by marginal likelihood with screened restarts; outputs standardised) scores expected
  improvement, maximised over candidates (Sobol points over the whole space, in every branch of
  the conditional tree, and clouds around the best trials), the best few refined by L-BFGS-B over
  the continuous columns. Trials take turns (PORTFOLIO) between three searches:
  * "ei": the global GP over the whole space;
  * "local": a trust region around the incumbent with a GP fitted on its nearest trials only,
    whose length scales resolve the peak that the global fit smooths over;
  * "explore": a GP fitted on the trials away from the incumbent's basin, searching there. A
    single global GP that has found one good basin is confident the rest is poor and never
    looks again (plain GP-EI stays in Hartmann6's local optimum on about a third of runs).
  While the incumbent is improving every turn is "local"; once it is stale the "local" turn
  explores (a basin found late, e.g. Hartmann6's global one after its 3.20 local optimum, is then
  climbed within the study).
- Parallel trials: pending trials and the batch's earlier suggestions enter every GP as fantasies
  valued at the GP's mean (kriging believer), which collapses the uncertainty there, and a
  suggestion never repeats a trial (finite spaces: until every assignment has been tried).
- Infeasible trials enter the GP at the worst completed value, so that the acquisition steers away
  from their neighbourhood without a separate classifier.
"""

from __future__ import annotations

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
MAX_STARTS = 12
N_SOBOL = 2048
# A batch's suggestions past this many are space-filling: each GP step costs a fraction of a
# second, and the Vizier API allows batches of up to 1000.
MAX_BO_BATCH = 32
PORTFOLIO = ("ei", "explore", "local", "explore")
# "explore": trials within this many (global GP) length scales of the incumbent are its basin.
EXCLUDE_SCALED = 1.0
# "local": the trust region's GP sees the incumbent's LOCAL_POINTS + 10 nearest trials (6-D).
LOCAL_POINTS = 30
# The rotation adapts (_mode): all turns "local" while the incumbent improves, no "local" turn once
# it is stale.
IMPROVING_AGE = 2
IMPROVING_GAIN = 1e-3
STALE_AGE = 10


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

    n_init = _n_init(space.dim)
    model: Optional[_Model] = None
    out = []
    for i in range(count):
        exhausted = finite_size is not None and len(taken_keys) >= finite_size
        if space.dim == 0:
            a = {}
        elif len(y_done) < n_init or i >= MAX_BO_BATCH:
            if len(taken) == 0:
                a = space.center()
            else:
                a = _space_filling(space, taken, taken_keys, exhausted, rng)
        else:
            if model is None:
                model = _Model(space, X_done, y_done, X_inf, seed)
            fantasies = taken[len(X_done) + len(X_inf):]  # pending trials and this batch's
            a = _bo_step(space, model, fantasies, taken, taken_keys, exhausted, rng, len(y_done) + i)
        x = space.encode(a)
        taken = np.vstack([taken, x[None, :]])
        if finite_size is not None:
            taken_keys.add(_key(a))
        out.append(space.to_wire(a))
    return out


def _n_init(dim: int) -> int:
    """Trials before the first GP step."""
    return max(5, min(dim + 1, 10))


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

    def __init__(self, space: Space, X: np.ndarray, y: np.ndarray, X_inf: np.ndarray, seed: int, fast: bool = False):
        if len(X_inf):
            # Infeasible trials count as the worst value seen: the GP's mean drops around them.
            X = np.vstack([X, X_inf])
            y = np.concatenate([y, np.full(len(X_inf), np.min(y))])
        self.X = X
        self.y = y
        self.n_infeasible = len(X_inf)
        self.best = float(np.max(y[: len(y) - len(X_inf)]))
        d = space.dim
        kernel = ConstantKernel(1.0, (1e-2, 1e2)) * Matern(
            length_scale=np.full(d, 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5
        ) + WhiteKernel(1e-4, (1e-8, 0.3))
        self.gp = GaussianProcessRegressor(
            kernel=kernel, normalize_y=True, optimizer=_multistart(seed, refined=1 if fast else 2), n_restarts_optimizer=0
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


def _multistart(seed: int, screened: int = 24, refined: int = 2, maxiter: int = 200):
    """The marginal-likelihood optimiser: screen the initial hyperparameters and `screened` random
    ones (log-uniform within the bounds, seeded) by likelihood alone, which is cheap (no
    gradient), then run L-BFGS-B from the best `refined`. Same restarts as sklearn's
    n_restarts_optimizer, at a fraction of the cost: most random starts are hopeless."""

    def optimizer(obj_func, initial_theta, bounds):
        rng = np.random.default_rng(seed)
        bounds = np.asarray(bounds)
        starts = [np.asarray(initial_theta)]
        starts += list(rng.uniform(bounds[:, 0], bounds[:, 1], size=(screened, len(initial_theta))))
        values = [obj_func(t, eval_gradient=False) for t in starts]
        best = None
        for j in np.argsort(values)[:refined]:
            res = minimize(obj_func, starts[j], jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": maxiter})
            if best is None or res.fun < best.fun:
                best = res
        return best.x, best.fun

    return optimizer


def _acquisition(gp: GaussianProcessRegressor, best: float):
    """Expected improvement over `best` (the GP maximises)."""

    def f(X: np.ndarray) -> np.ndarray:
        mu, sd = gp.predict(X, return_std=True)
        sd = np.maximum(sd, 1e-12)
        z = (mu - best) / sd
        return (mu - best) * norm.cdf(z) + sd * norm.pdf(z)

    return f


def _bo_step(space: Space, model: _Model, fantasies, taken, taken_keys, exhausted, rng, step: int) -> dict:
    d = space.dim
    # Candidates over the whole space (Sobol) and around the best trials.
    cands = [_sobol(d, N_SOBOL, rng)]
    top = model.X[np.argsort(-model.y)[:5]]
    for scale in (0.1, 0.02):
        cands.append(np.repeat(top, 100, axis=0) + rng.normal(0, scale, (len(top) * 100, d)))
    C = space.canonical_batch(np.vstack(cands))
    search = _Search(C, lambda Z: np.ones(len(Z), dtype=bool), model.best, model)
    mode = _mode(step, _observed(model)[1], d)
    if mode == "local":
        search = _trust_region(space, model, rng) or search
    elif mode == "explore":
        search = _elsewhere(space, model, C, rng) or search
    gp = search.model.with_fantasies(fantasies)
    acq = _acquisition(gp, search.incumbent)
    C, allowed = search.candidates, search.allowed
    scores = np.where(allowed(C), acq(C), -np.inf)
    order = np.argsort(-scores)
    # Starts for the local search: the best candidates overall and the best of every branch of the
    # conditional tree, so that a branch the GP knows less about is still searched in earnest.
    branch = space.branches(C)
    chosen = [j for j in order[:3] if np.isfinite(scores[j])]
    for b in np.unique(branch):
        in_b = order[branch[order] == b]
        chosen += [j for j in in_b[:2] if j not in chosen and np.isfinite(scores[j])]
    best_x, best_s = None, -np.inf
    for x0 in (C[j] for j in chosen[:MAX_STARTS]):
        cont = space.active_continuous_cols(space.decode(x0))
        x = _refine(acq, x0, cont) if len(cont) else x0
        a = space.decode(x)
        xc = space.encode(a)
        if not allowed(xc[None, :])[0]:  # refined out of the search's region: keep the start
            a, xc = space.decode(x0), x0
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


def _mode(step: int, y: np.ndarray, dim: int) -> str:
    """The rotation's search for this step, adapted to how the incumbent fares (as TuRBO's
    success and failure counts, read from the completed trials since the engine keeps no state):
    - improving (see _improving), once past the first 3 × n_init trials: every turn is "local",
      so that a basin found late is climbed at once rather than on every fourth trial;
    - stale (no better trial in the last STALE_AGE): the "local" turn explores instead, the
      trust region around a converged incumbent having nothing left to give."""
    mode = PORTFOLIO[step % len(PORTFOLIO)]
    if len(y) >= 3 * _n_init(dim) and _improving(y):
        return "local"
    if mode == "local" and len(y) - 1 - int(np.argmax(y)) >= STALE_AGE:
        return "explore"
    return mode


def _improving(y: np.ndarray) -> bool:
    """Whether the best trial is among the last IMPROVING_AGE + 1 and beat the one before it by
    more than IMPROVING_GAIN of its lead over the median (creeping gains in a converged basin do
    not count)."""
    if len(y) < 2:
        return False
    b = int(np.argmax(y))
    if len(y) - 1 - b > IMPROVING_AGE or b == 0:
        return False
    gain = float(y[b] - np.max(y[:b]))
    return gain > IMPROVING_GAIN * float(y[b] - np.median(y))


class _Search:
    """Where one step searches: candidates, the region they must stay in, the value to improve
    on, and the GP that scores them."""

    def __init__(self, candidates: np.ndarray, allowed, incumbent: float, model: _Model):
        self.candidates = candidates
        self.allowed = allowed
        self.incumbent = incumbent
        self.model = model


def _observed(model: _Model):
    n = len(model.y) - model.n_infeasible
    return model.X[:n], model.y[:n]


def _infeasible(model: _Model) -> np.ndarray:
    # Every GP of a step sees the infeasible trials (at its worst value), not only the global one.
    return model.X[len(model.y) - model.n_infeasible :]


def _trust_region(space: Space, model: _Model, rng) -> Optional[_Search]:
    """The local step: a GP fitted on the trials nearest the incumbent only, and candidates in a
    box around the incumbent as wide as those trials reach (half of it, within [0.02, 0.25])."""
    X, y = _observed(model)
    k = min(len(y), LOCAL_POINTS * max(1, space.dim) // 6 + 10)
    inc = X[int(np.argmax(y))]
    nearest = np.argsort(((X - inc) ** 2).sum(-1))[:k]
    local = _Model(space, X[nearest], y[nearest], _infeasible(model), _child_seed(rng), fast=True)
    half = float(np.clip(np.sqrt(((X[nearest[-1]] - inc) ** 2).sum()) / 2, 0.02, 0.25))
    lo, hi = np.clip(inc - half, 0, 1), np.clip(inc + half, 0, 1)
    box = space.canonical_batch(lo + (hi - lo) * _sobol(space.dim, 1024, rng))
    near = space.canonical_batch(inc + rng.normal(0, half / 4, (512, space.dim)))

    def allowed(Z: np.ndarray) -> np.ndarray:
        return np.all((Z >= lo - 1e-12) & (Z <= hi + 1e-12), axis=1)

    return _Search(np.vstack([box, near]), allowed, local.best, local)


def _elsewhere(space: Space, model: _Model, C: np.ndarray, rng) -> Optional[_Search]:
    """The exploration step: a second search that ignores the incumbent's basin.

    The trials within EXCLUDE_SCALED length scales of the incumbent (the global GP's length
    scales, so that a basin long in a dimension the objective hardly depends on counts as one)
    are left out; a GP fitted on the others alone (its length scales no longer dictated by the
    incumbent's basin) proposes by expected improvement over the best of them, outside that basin.
    None when too few trials lie outside it.
    """
    X, y = _observed(model)
    ls = np.broadcast_to(np.asarray(_length_scales(model.gp.kernel_), dtype=float), (space.dim,))
    inc = X[int(np.argmax(y))] / ls

    def allowed(Z: np.ndarray) -> np.ndarray:
        return (((Z / ls) - inc) ** 2).sum(-1) >= EXCLUDE_SCALED**2

    other = allowed(X)
    if other.sum() < 5 or not allowed(C).any():
        return None
    others = _Model(space, X[other], y[other], _infeasible(model), _child_seed(rng), fast=True)
    leaders = X[other][np.argsort(-y[other])[:3]]
    near = [np.repeat(leaders, 200, axis=0) + rng.normal(0, s, (len(leaders) * 200, space.dim)) for s in (0.05, 0.015)]
    return _Search(np.vstack([C, space.canonical_batch(np.vstack(near))]), allowed, others.best, others)


def _length_scales(kernel) -> np.ndarray:
    for k in (kernel, getattr(kernel, "k1", None), getattr(getattr(kernel, "k1", None), "k2", None)):
        if isinstance(k, Matern):
            return k.length_scale
    raise ValueError("the GP's kernel has no Matern part")


def _child_seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


def _refine(acq, x0: np.ndarray, cont: np.ndarray) -> np.ndarray:
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
