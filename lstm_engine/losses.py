"""Loss terms. Each returns (value, gradient) so the model can add them up.

Normalisation: every term is a sum per sequence, averaged over the batch, so their weights are
comparable. Gate terms return gradients with respect to the gate *pre-activations*, which is what
LSTM.backward takes as ``dpre``; the cell zeroes them where a gate was overridden.
"""

from __future__ import annotations

import numpy as np


def softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray, batch: int):
    """logits (N, V) at the marked steps, targets (N,) ints. Returns (loss, dlogits, correct (N,))."""
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    rows = np.arange(len(targets))
    loss = -np.log(np.maximum(p[rows, targets], np.finfo(p.dtype).tiny)).sum() / batch
    correct = p.argmax(axis=1) == targets
    p[rows, targets] -= 1.0
    return float(loss), p / batch, correct


def uniform_cross_entropy(logits: np.ndarray, batch: int):
    """Cross-entropy against the uniform distribution: the target when a memory holds no single answer
    (e.g. two different clues added together). Minimal when every answer is equally likely.
    Returns (loss, dlogits)."""
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    V = logits.shape[1]
    loss = -logp.sum() / (V * batch)
    return float(loss), (np.exp(logp) - 1.0 / V) / batch


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def mean_squared_error(pred: np.ndarray, targets: np.ndarray, batch: int, tolerance: float):
    """pred, targets (N, O). Returns (loss, dpred, correct (N,)); correct = every output within tolerance."""
    diff = pred - targets
    loss = float((diff * diff).sum() / batch)
    correct = np.all(np.abs(diff) < tolerance, axis=1)
    return loss, 2.0 * diff / batch, correct


def crisp_penalty(gates: np.ndarray, free: np.ndarray | None, lam: float, batch: int):
    """lam * sum of g(1-g) over the network's own gate choices: pushes gates towards 0 or 1.

    gates (T, B, 3S) as used; free (T, B, 3S) or None. d/da [g(1-g)] = (1-2g) * g(1-g).
    """
    s = gates * (1.0 - gates)
    if free is not None:
        s = s * free
    value = lam * float(s.sum()) / batch
    return value, (lam / batch) * (1.0 - 2.0 * gates) * s


def gate_supervision(gates: np.ndarray, targets: np.ndarray, weight: float, batch: int,
                     emphasis: np.ndarray | None = None):
    """Binary cross-entropy between chosen gates and target values where targets are not NaN, each
    entry scaled by ``emphasis`` (1 when None).

    Its gradient on the pre-activation is simply emphasis * (g - target); entries without a target get 0.
    """
    mask = ~np.isnan(targets)
    if not mask.any():
        return 0.0, np.zeros_like(gates)
    y = np.where(mask, targets, 0.0)
    w = np.where(mask, 1.0 if emphasis is None else emphasis, 0.0)
    eps = np.finfo(gates.dtype).tiny
    bce = -(y * np.log(np.maximum(gates, eps)) + (1.0 - y) * np.log(np.maximum(1.0 - gates, eps)))
    value = weight * float((w * np.where(mask, bce, 0.0)).sum()) / batch
    return value, (weight / batch) * w * (gates - y)
