"""The training pipeline's container components, one module per component.

Every component runs as ``python3 -m mlops_components.<module>``. Importing the package pins
the native thread pools to one thread *before* numpy, scikit-learn, XGBoost or PyTorch load:
pipeline steps and tuning trials are scheduled by CPU request, and BLAS/OpenMP pools sized to
the host's cores would oversubscribe the machine and make timings irreproducible.
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_variable] = "1"

__version__ = "0.1.0"
