"""Adam and global-norm clipping, exactly as PyTorch computes them."""

from __future__ import annotations

import numpy as np


def clip_grad_norm(grads: dict[str, np.ndarray], max_norm: float) -> float:
    """Scale all gradients by min(1, max_norm / (total_norm + 1e-6)); returns the norm before."""
    total = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for g in grads.values():
            g *= scale
    return total


class Adam:
    """p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps), updating the arrays in place."""

    def __init__(self, params: dict[str, np.ndarray], lr=1e-2, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = {n: np.zeros_like(p) for n, p in params.items()}
        self.v = {n: np.zeros_like(p) for n, p in params.items()}
        self.t = 0

    def step(self, grads: dict[str, np.ndarray]) -> None:
        b1, b2 = self.betas
        self.t += 1
        step = self.lr / (1.0 - b1 ** self.t)
        root = np.sqrt(1.0 - b2 ** self.t)
        for n, p in self.params.items():
            g, m, v = grads[n], self.m[n], self.v[n]
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * g * g
            p -= step * m / (np.sqrt(v) / root + self.eps)
