"""The CPU cores this process may use: its CPU affinity, which a container (or the local Vertex) sets.

``os.cpu_count()`` counts the host's cores even where the process is confined to fewer;
``os.sched_getaffinity`` counts the cores the scheduler will actually run it on — on Vertex the
machine's, under the local Vertex the cores its task's CPU limit or machine type asks for.
"""

from __future__ import annotations

import os

# Native thread pools read these when they load; each is sized to the process's cores.
THREAD_POOL_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def available_cores() -> int:
    """How many cores this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # platforms without affinity (macOS)
        return max(1, os.cpu_count() or 1)


def size_thread_pools() -> int:
    """Sizes the native pools to the available cores, unless the environment already says; returns the cores."""
    cores = available_cores()
    for variable in THREAD_POOL_VARIABLES:
        os.environ.setdefault(variable, str(cores))
    return cores
