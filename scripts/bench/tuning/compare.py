"""Simple regret of the local Vizier's designer against random search and Optuna's TPE.

  /usr/bin/python3 scripts/bench/tuning/compare.py --problem branin --optimizer ours --seeds 10 --json

Sequential trials (one at a time) for the problem's budget, per seed; prints per-seed regret
(best found − known optimum, for the problem's goal) and the median / p90 / max, and for `ours`
the median time of one suggestion over the last 10 trials. Run it with `nice` on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "emulators", "vertex", "vizier", "python"))

from local_vizier.gp_bandit import suggest  # noqa: E402
from local_vizier.space import Space  # noqa: E402
from problems import PROBLEMS, Problem  # noqa: E402


def run_ours(problem: Problem, seed: int, budget: int):
    completed, times = [], []
    for i in range(budget):
        t, c = time.perf_counter(), time.process_time()
        [s] = suggest({"parameters": problem.parameters, "goal": problem.goal, "completed": completed,
                       "infeasible": [], "pending": [], "count": 1, "seed": seed * 100_003 + i})
        times.append((time.perf_counter() - t, time.process_time() - c))
        a = {p["parameterId"]: p["value"] for p in s}
        completed.append({"parameters": a, "value": problem.evaluate(a)})
    return [t["value"] for t in completed], times


def run_random(problem: Problem, seed: int, budget: int):
    # Uniform on each parameter's scale: a uniform point of the unit cube, decoded.
    space = Space(problem.parameters)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(budget):
        a = space.decode(rng.random(space.dim))
        values.append(problem.evaluate(a))
    return values, []


def run_tpe(problem: Problem, seed: int, budget: int):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = Space(problem.parameters)

    def ask(trial, p):
        if p.kind == "categorical":
            v = trial.suggest_categorical(p.id, p.values)
        elif p.kind == "discrete":
            v = trial.suggest_categorical(p.id, p.values)
        elif p.scale == "UNIT_REVERSE_LOG_SCALE":
            # Optuna has no reverse log scale: search the unit coordinate Vizier's scale uses.
            u = trial.suggest_float(p.id + "_unit", 0.0, 1.0)
            v = p.from_unit(u) if p.kind == "double" else p.snap(u)
        elif p.kind == "integer":
            v = trial.suggest_int(p.id, int(p.min), int(p.max), log=p.scale == "UNIT_LOG_SCALE")
        else:
            v = trial.suggest_float(p.id, p.min, p.max, log=p.scale == "UNIT_LOG_SCALE")
        out = {p.id: v}
        for c in p.active_children(v):  # conditional suggest_* only under the parent's values
            out.update(ask(trial, c))
        return out

    def objective(trial):
        a = {}
        for r in space.roots:
            a.update(ask(trial, r))
        return problem.evaluate(a)

    direction = "minimize" if problem.goal == "MINIMIZE" else "maximize"
    study = optuna.create_study(direction=direction, sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=budget)
    return [t.value for t in study.trials], []


OPTIMIZERS = {"ours": run_ours, "random": run_random, "tpe": run_tpe}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--problem", choices=sorted(PROBLEMS), required=True)
    ap.add_argument("--optimizer", choices=sorted(OPTIMIZERS), required=True)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--budget", type=int, help="trials per seed (default: the problem's)")
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = ap.parse_args()

    # stdout carries the result only: anything else written to fd 1 (SciPy's Fortran L-BFGS-B
    # prints there directly) goes to stderr.
    result_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    problem = PROBLEMS[args.problem]
    budget = args.budget or problem.budget
    sign = 1.0 if problem.goal == "MINIMIZE" else -1.0
    regrets, last_times, started = [], [], time.time()
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        values, times = OPTIMIZERS[args.optimizer](problem, seed, budget)
        best = min(sign * v for v in values)
        regrets.append(max(0.0, best - sign * problem.optimum))
        last_times.extend(times[-10:])
        if not args.json:
            print(f"seed {seed}: regret {regrets[-1]:.3g}", file=sys.stderr, flush=True)
    r = np.array(regrets)
    summary = {
        "problem": problem.name,
        "optimizer": args.optimizer,
        "budget": budget,
        "seeds": list(range(args.first_seed, args.first_seed + args.seeds)),
        "regrets": [float(x) for x in r],
        "median": float(np.median(r)),
        "p90": float(np.quantile(r, 0.9)),
        "max": float(np.max(r)),
        # Wall and CPU time of one suggestion (they differ when the machine is shared).
        "medianSuggestSeconds": float(np.median([w for w, _ in last_times])) if last_times else None,
        "medianSuggestCpuSeconds": float(np.median([c for _, c in last_times])) if last_times else None,
        "wallSeconds": round(time.time() - started, 1),
    }
    if args.json:
        print(json.dumps(summary), file=result_out)
    else:
        print(f"{problem.name} × {args.optimizer} ({budget} trials, {len(r)} seeds): median {summary['median']:.3g}, "
              f"p90 {summary['p90']:.3g}, max {summary['max']:.3g}"
              + (f", suggestion {summary['medianSuggestSeconds'] * 1000:.0f} ms ({summary['medianSuggestCpuSeconds'] * 1000:.0f} ms CPU)"
                 if last_times else ""), file=result_out)
    result_out.flush()


if __name__ == "__main__":
    main()
