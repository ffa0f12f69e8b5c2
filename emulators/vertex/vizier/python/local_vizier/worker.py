"""The JSON-lines server designer-process.ts talks to: one request per stdin line,
{"id": n, "method": "suggest" | "decayCurveStop" | "ping", "params": {...}}, one answer per stdout
line, {"id": n, "result": ...} or {"id": n, "error": "..."}. Requests are answered in order.
Anything else the engine prints goes to stderr, which the driver forwards to the emulator's log.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

# BLAS threads: the machine is shared; a few-hundred-point GP gains nothing from more threads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from .decay_curve import decay_curve_stop  # noqa: E402
from .gp_bandit import suggest  # noqa: E402

METHODS = {
    "suggest": suggest,
    "decayCurveStop": decay_curve_stop,
    "ping": lambda params: "pong",
}


def handle(line: str) -> str:
    """The answer line (without its newline) to one request line; never raises."""
    try:
        request = json.loads(line)
    except json.JSONDecodeError as e:
        return _dumps({"id": None, "error": f"bad request line: {e}"})
    rid = request.get("id") if isinstance(request, dict) else None
    if not isinstance(rid, (int, str, type(None))):
        rid = None
    method = METHODS.get(request.get("method")) if isinstance(request, dict) else None
    if method is None:
        name = request.get("method") if isinstance(request, dict) else None
        return _dumps({"id": rid, "error": f"unknown method {name!r}"})
    try:
        # Serialised inside the try: a result JSON cannot carry (NaN, infinity) is this
        # request's error, not the worker's end.
        return _dumps({"id": rid, "result": method(request.get("params") or {})})
    except Exception as e:  # the worker outlives a bad request
        traceback.print_exc(file=sys.stderr)
        return _dumps({"id": rid, "error": f"{type(e).__name__}: {e}"})


def _dumps(answer: dict) -> str:
    return json.dumps(answer, allow_nan=False)


def main() -> None:
    # Keep stdout for answers only: anything else written to fd 1 (Python prints, and SciPy's
    # Fortran L-BFGS-B, which writes to the file descriptor directly) goes to stderr.
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        out.write(handle(line) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
