"""What bit-for-bit training depends on besides the seed: the NumPy version and its BLAS kernel.

Training is deterministic for a seed on one machine, but a matrix product may round differently with
another NumPy or another BLAS kernel (OpenBLAS picks a kernel per CPU at run time: Haswell, SkylakeX,
...). Shipped weights record this fingerprint, so a test compares their hash with a retrained network
only when it was trained under the same fingerprint, and otherwise checks that the retrained network
is playable.
"""

from __future__ import annotations

import ctypes
import functools
import platform
from pathlib import Path

import numpy as np


def _blas_build() -> str:
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '?')}"
    except Exception:  # noqa: BLE001 - older NumPy has no dict form; the fingerprint just says less
        return "unknown"


def _blas_kernel() -> str:
    """OpenBLAS's run-time kernel (its "core name"), read from the loaded library; "" when unknown."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return ""
    libs = sorted({line.split()[-1] for line in maps.splitlines() if "openblas" in line.lower()
                   and line.split()[-1].startswith("/")})
    for lib in libs:
        try:
            dll = ctypes.CDLL(lib)
        except OSError:
            continue
        for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
                     "openblas_get_corename"):
            fn = getattr(dll, name, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                return (fn() or b"").decode(errors="replace")
    return ""


@functools.lru_cache(maxsize=1)
def fingerprint() -> str:
    """e.g. "numpy 2.4.6; scipy-openblas 0.3.31.188.0 Haswell; x86_64"."""
    kernel = _blas_kernel()
    return f"numpy {np.__version__}; {_blas_build()}{' ' + kernel if kernel else ''}; {platform.machine()}"
