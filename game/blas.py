"""One BLAS thread for the engine, in every entry point (main.py, the `gatekeeper` script, benchmarks,
the tests).

The engine's matrices are tiny (a few dozen rows), so a second BLAS thread never has work worth handing
over, yet it spins and waits for it: on a busy 2-core machine two threads made training a level about
five times slower (docs/engine.md). The rule, in two parts:

- before NumPy loads, the thread-count variables of every BLAS NumPy may use are set to 1 (overriding a
  machine-wide setting such as OMP_NUM_THREADS=8 on a lab PC): the BLAS then never starts a thread;
- if NumPy was already loaded (the game imported from a notebook or a test that imported NumPy first),
  the environment is too late, so threadpoolctl limits the loaded BLAS to one thread directly.

Importing this module does nothing; ``pin_blas()`` does it, and is cheap enough for `--help`.
"""

from __future__ import annotations

import os
import sys

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")

_limiter = None  # the threadpoolctl limit, kept alive for the life of the process


def pin_blas() -> None:
    """Limit NumPy's BLAS to one thread (see the module docstring)."""
    global _limiter
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    if "numpy" in sys.modules and _limiter is None:
        from threadpoolctl import threadpool_limits

        _limiter = threadpool_limits(limits=1, user_api="blas")
