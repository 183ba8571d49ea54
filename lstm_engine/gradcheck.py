"""Central-difference gradient checks (float64): the test every backward pass must pass."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(loss: Callable[[], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d loss / d array by central differences on every entry; ``array`` is perturbed in place."""
    grad = np.zeros_like(array)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    for j in range(flat.size):
        keep = flat[j]
        flat[j] = keep + eps
        up = loss()
        flat[j] = keep - eps
        down = loss()
        flat[j] = keep
        gflat[j] = (up - down) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a-b| / max(1, max|a|, max|b|): absolute near zero, relative for large values."""
    scale = max(1.0, float(np.abs(a).max(initial=0)), float(np.abs(b).max(initial=0)))
    return float(np.abs(a - b).max(initial=0)) / scale
