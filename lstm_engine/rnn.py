"""Plain tanh RNN, PyTorch's formulation: h' = tanh(W_ih x + b_ih + W_hh h + b_hh).

The baseline whose gradient vanishes with distance: it is multiplied by W_hh and
tanh' at every step back, so it shrinks exponentially with the gap (Bengio et al. 1994).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cell import Cell, EngineError, Workspace, buffer


@dataclass
class RNNTrace:
    x: np.ndarray
    is_ids: bool
    h0: np.ndarray
    h: np.ndarray  # (T, B, H)


class RNN(Cell):
    kind = "rnn"

    @property
    def gate_rows(self) -> int:
        return self.hidden_size

    def forward(self, x, h0=None, c0=None, gates=None, noise=None,
                workspace: Workspace | None = None) -> RNNTrace:
        if c0 is not None or gates is not None or noise is not None:
            raise EngineError("a plain RNN has no cell state and no gates")
        x, is_ids = self._inputs(x)
        T, B = x.shape[:2]
        p = self.params
        Wi = np.ascontiguousarray(p["weight_ih_l0"].T)
        Wh = np.ascontiguousarray(p["weight_hh_l0"].T)
        Hs = self._project(x, is_ids, Wi, p["bias_ih_l0"] + p["bias_hh_l0"], workspace)
        h0 = h = np.array(self._initial(h0, B, "h0"), order="C")
        rec = np.empty((B, self.hidden_size), self.dtype)
        for t in range(T):
            np.matmul(h, Wh, out=rec)
            Hs[t] += rec
            np.tanh(Hs[t], out=Hs[t])
            h = Hs[t]
        return RNNTrace(x, is_ids, h0, Hs)

    def backward(self, trace: RNNTrace, dh, need_x: bool = True,
                 workspace: Workspace | None = None) -> dict[str, np.ndarray]:
        Hs = trace.h
        T, B, H = Hs.shape
        dh = np.asarray(dh, dtype=self.dtype)
        if dh.shape != (T, B, H):
            raise EngineError(f"dh must have shape {(T, B, H)}, got {dh.shape}")
        W_hh = self.params["weight_hh_l0"]
        dA = buffer(workspace, "dA", (T, B, H), self.dtype)
        dh_next = np.zeros((B, H), self.dtype)
        for t in range(T - 1, -1, -1):
            np.add(dh[t], dh_next, out=dA[t])
            dA[t] *= 1.0 - Hs[t] * Hs[t]
            dh_next = dA[t] @ W_hh
        flat = dA.reshape(T * B, H)
        dWi, dx = self._input_grads(trace, dA, np.ascontiguousarray(self.params["weight_ih_l0"].T),
                                    need_x)
        db = flat.sum(0)
        return {"x": dx, "h0": dh_next, "weight_ih_l0": np.ascontiguousarray(dWi.T),
                "weight_hh_l0": np.ascontiguousarray(self._recurrent_weight_grad(trace, dA).T),
                "bias_ih_l0": db, "bias_hh_l0": db.copy()}
