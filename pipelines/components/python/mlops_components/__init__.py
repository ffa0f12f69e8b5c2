"""The training pipeline's container components: entry points in ``steps/``, helpers here.

Every component runs as ``python3 -m mlops_components.steps.<step>``. Importing the package sizes
the native thread pools (BLAS, OpenMP) to the cores the process may run on — its CPU affinity,
see :mod:`mlops_components.cores` — *before* numpy, scikit-learn, XGBoost or PyTorch load, so a
component uses the cores its container has: all of a Vertex machine's, and locally the ones the
emulator gives its task.
"""

from .cores import size_thread_pools

size_thread_pools()

__version__ = "0.1.0"
