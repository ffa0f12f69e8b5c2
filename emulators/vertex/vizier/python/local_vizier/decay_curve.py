"""Vizier's decay-curve automated stopping: a GP predicts a running trial's final objective from
its latest intermediate value; the trial stops when it is very unlikely to beat the best completed
trial.

The GP is fitted on the completed trials: input their value at the running trial's latest step
(interpolated along their curve), output their final value. Its kernel is linear plus Matérn 5/2
plus noise: the linear part extrapolates (a curve far below every completed one at this step is
predicted to end below them, where a stationary kernel alone would revert to their mean), the
Matérn part bends it. Fewer than MIN_COMPLETED completed trials reaching that step: never stop.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import norm
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, DotProduct, Matern, WhiteKernel

MIN_COMPLETED = 3
STOP_PROBABILITY = 0.05


def decay_curve_stop(request: dict) -> dict:
    sign = 1.0 if request.get("goal", "MAXIMIZE") == "MAXIMIZE" else -1.0
    running = [(float(p["step"]), float(p["value"])) for p in request.get("running", [])]
    curves = [
        sorted((float(p["step"]), float(p["value"])) for p in c) for c in request.get("completed", [])
    ]
    curves = [c for c in curves if c]
    if not running:
        return {"stop": False, "reason": "the running trial has no intermediate measurement yet"}
    step, value = running[-1]
    finals = np.array([sign * c[-1][1] for c in curves])
    covering = [c for c in curves if c[0][0] <= step <= c[-1][0]]
    if len(covering) < MIN_COMPLETED:
        return {
            "stop": False,
            "reason": f"{MIN_COMPLETED} completed trials with measurements up to step {step:g} needed, "
            f"{len(covering)} available",
        }
    x = np.array([[sign * np.interp(step, [p[0] for p in c], [p[1] for p in c])] for c in covering])
    y = np.array([sign * c[-1][1] for c in covering])
    best = float(np.max(finals))

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            mu, sd = _predict(x, y, sign * value)
        except (ValueError, FloatingPointError, np.linalg.LinAlgError):  # sklearn refuses inf/NaN
            mu, sd = float("nan"), float("nan")
    p = float(1.0 - norm.cdf((best - mu) / sd))
    if not all(np.isfinite(v) for v in (mu, sd, p, best, value)):
        # Values near the float limits overflow the standardisation or the GP: no evidence to stop.
        return {
            "stop": False,
            "reason": f"the prediction from {len(covering)} completed trials at step {step:g} is not finite "
            "(values too large to model): not stopping",
        }
    stop = p < STOP_PROBABILITY
    relation = "<" if stop else ">="
    return {
        "stop": stop,
        "reason": f"P(final better than best {sign * best:.6g}) = {p:.3g} {relation} {STOP_PROBABILITY} "
        f"(predicted final {sign * mu:.6g} ± {sd:.3g} from {len(covering)} completed trials at step {step:g})",
        "predictedFinal": sign * mu,
        "bestCompleted": sign * best,
        "probabilityOfImprovement": p,
    }


def _predict(x: np.ndarray, y: np.ndarray, value: float) -> tuple:
    """The GP's mean and standard deviation of the final value for a running value `value`."""
    # Standardise the input so the kernel's bounds mean the same thing for any metric's units.
    mx, sx = float(x.mean()), float(x.std()) or 1.0
    kernel = (
        ConstantKernel(1.0, (1e-2, 1e2)) * DotProduct(sigma_0=1.0, sigma_0_bounds=(1e-2, 1e2))
        + ConstantKernel(0.1, (1e-3, 1e1)) * Matern(length_scale=1.0, length_scale_bounds=(0.1, 10.0), nu=2.5)
        + WhiteKernel(1e-2, (1e-4, 1.0))
    )
    gp = GaussianProcessRegressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=2, random_state=0)
    gp.fit((x - mx) / sx, y)
    mu, sd = gp.predict(np.array([[(value - mx) / sx]]), return_std=True)
    return float(mu[0]), max(float(sd[0]), 1e-12)
