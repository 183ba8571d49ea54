"""How much of the loss's gradient reaches a state d steps before the answer, by real backpropagation.

For a batch of GRAD_BATCH held-out sequences of length T (the lag), the loss L is the task's loss at the
last step, T-1. The state d steps back is s_{T-1-d} (s_{-1} is the initial state, so d = T reaches it).
Its gradient is computed by running the engine's cell forward from s_{T-1-d} over the last d inputs and
backpropagating the loss to that starting state (Cell.backward's ``h0``, and ``c0`` for an LSTM): the
same numbers as backpropagation through the whole sequence, read off at step T-1-d.

The norm reported is the mean over sequences of ||dL_b/ds||: for the RNN and the GRU the state is h;
for the LSTM it is (h, c) together, because the LSTM carries memory in c:
    ||dL/ds|| = sqrt(||dL/dh||^2 + ||dL/dc||^2).
A vanishing gradient shows as a norm falling exponentially with d (a straight line down on a log axis).
"""

from __future__ import annotations

import numpy as np

from lstm_engine import Model, losses

from .results import GradientPoint

GRAD_BATCH = 64
LADDER = (1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300)


def distances(distance: int) -> list[int]:
    """The distances measured up to ``distance`` (a log-spaced ladder, and the distance itself)."""
    return sorted({d for d in LADDER if d < distance} | {distance})


def _last_step_loss_grad(model: Model, h_last: np.ndarray, target: np.ndarray) -> np.ndarray:
    out = model.outputs(h_last)
    B = h_last.shape[0]
    if model.kind == "classify":
        _, dout, _ = losses.softmax_cross_entropy(out, target, B)
    else:
        _, dout, _ = losses.mean_squared_error(out, target, B, model.tolerance)
    return dout @ model.readout["weight"]


def profile(model: Model, task, gap: int, seed: int, trained: bool) -> list[GradientPoint]:
    """Gradient norms at every distance up to ``gap`` on sequences of length ``gap``."""
    batch = task.sample(np.random.default_rng([seed, 5151, gap]), GRAD_BATCH, gap)
    cell, T = model.cell, gap
    full = model.run(batch.x)
    lstm = model.is_lstm
    target = batch.targets[T - 1]
    points = []
    for d in distances(gap):
        start = T - 1 - d
        h0 = None if start < 0 else np.array(full.h[start])
        c0 = None if start < 0 or not lstm else np.array(full.c[start])
        x = batch.x[start + 1:]
        trace = cell.forward(x, h0, c0) if lstm else cell.forward(x, h0)
        dh = np.zeros_like(trace.h)
        dh[-1] = _last_step_loss_grad(model, np.array(trace.h[-1]), target)
        g = cell.backward(trace, dh, need_x=False)
        sq = (g["h0"] ** 2).sum(axis=1)
        if lstm:
            sq = sq + (g["c0"] ** 2).sum(axis=1)
        per_sequence = np.sqrt(sq) * GRAD_BATCH  # the loss is a batch mean: undo the 1/B
        points.append(GradientPoint(cell.kind, d, float(per_sequence.mean()), trained))
    return points
