"""Weights in Keras layouts, as plain NumPy arrays (no framework import).

PyTorch layout is the cells' own (``cell.torch_state()`` / ``cell.load_torch_state()``).
Keras LSTM: kernel (I, 4H), recurrent_kernel (H, 4H), one bias (4H), gate order i, f, c, o — the
same as PyTorch's i, f, g, o, transposed, with the two biases summed.
Keras GRU (reset_after=True, the default): gate order z, r, h and bias (2, 3H) = [input; recurrent];
PyTorch's order is r, z, n.
Keras SimpleRNN: kernel (I, H), recurrent_kernel (H, H), bias (H).
"""

from __future__ import annotations

import numpy as np

from .cell import EngineError
from .gru import GRU
from .lstm import LSTM


def _gru_swap(H: int) -> np.ndarray:
    """Row permutation between (r, z, n) and (z, r, n); it is its own inverse."""
    return np.concatenate([np.arange(H, 2 * H), np.arange(0, H), np.arange(2 * H, 3 * H)])


def keras_weights(cell) -> dict[str, np.ndarray]:
    sd = cell.torch_state(expand=True) if isinstance(cell, (LSTM, GRU)) else cell.torch_state()
    W, U, bi, bh = (sd[n] for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"))
    if isinstance(cell, GRU):
        p = _gru_swap(cell.hidden_size)
        return {"kernel": W[p].T.copy(), "recurrent_kernel": U[p].T.copy(), "bias": np.stack([bi[p], bh[p]])}
    return {"kernel": W.T.copy(), "recurrent_kernel": U.T.copy(), "bias": bi + bh}


def load_keras_weights(cell, weights: dict) -> None:
    """Load Keras-layout arrays. A slot-gated LSTM cannot take them: Keras has one gate per cell."""
    if isinstance(cell, LSTM) and not cell.standard:
        raise EngineError("Keras weights have one gate per cell; load them into an LSTM with slots=None")
    if isinstance(cell, GRU) and cell.slots != cell.hidden_size:
        raise EngineError("Keras weights have one gate per unit; load them into a GRU with slots=None")
    try:
        K, R, b = (np.asarray(weights[n]) for n in ("kernel", "recurrent_kernel", "bias"))
    except KeyError as e:
        raise EngineError(f"Keras weights need kernel, recurrent_kernel and bias; missing {e}") from None
    if isinstance(cell, GRU):
        p = _gru_swap(cell.hidden_size)
        if b.shape != (2, 3 * cell.hidden_size):
            raise EngineError(f"GRU bias must be (2, 3H) (reset_after=True), got {b.shape}")
        sd = {"weight_ih_l0": K.T[p], "weight_hh_l0": R.T[p], "bias_ih_l0": b[0][p], "bias_hh_l0": b[1][p]}
    else:
        sd = {"weight_ih_l0": K.T, "weight_hh_l0": R.T, "bias_ih_l0": b, "bias_hh_l0": np.zeros_like(b)}
    cell.load_torch_state(sd)
