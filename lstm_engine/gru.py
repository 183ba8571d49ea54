"""GRU in PyTorch's formulation, forward and backward through time side by side.

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))     reset applied after the matrix product
    h' = (1 - z) * n + z * h

Rows r, z, n as in PyTorch. r and z columns are pre-scaled by 1/2 so one tanh gives both sigmoids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cell import Cell, EngineError, Workspace, buffer


@dataclass
class GRUTrace:
    x: np.ndarray
    is_ids: bool
    h0: np.ndarray      # (B, H)
    rz: np.ndarray      # (T, B, 2H) reset and update gates
    n: np.ndarray       # (T, B, H) candidate
    hn: np.ndarray      # (T, B, H) W_hn h + b_hn (needed for the reset gradient)
    h: np.ndarray       # (T, B, H)
    fused: tuple | None = None  # the working matrices this pass used (backward reuses them)

    @property
    def r(self):
        return self.rz[:, :, :self.h.shape[2]]

    @property
    def z(self):
        return self.rz[:, :, self.h.shape[2]:]


class GRU(Cell):
    kind = "gru"

    @property
    def gate_rows(self) -> int:
        return 3 * self.hidden_size

    def fused(self):
        H, p = self.hidden_size, self.params
        sc = np.concatenate([np.full(2 * H, 0.5), np.ones(H)]).astype(self.dtype)
        Wi_true = np.ascontiguousarray(p["weight_ih_l0"].T)
        Wh_true = np.ascontiguousarray(p["weight_hh_l0"].T)
        return (Wi_true * sc, Wh_true * sc, p["bias_ih_l0"] * sc, p["bias_hh_l0"] * sc,
                Wi_true, Wh_true)

    def forward(self, x, h0=None, c0=None, gates=None, noise=None,
                workspace: Workspace | None = None) -> GRUTrace:
        if c0 is not None or gates is not None or noise is not None:
            raise EngineError("a GRU has no cell state and no overridable gates")
        x, is_ids = self._inputs(x)
        T, B = x.shape[:2]
        H = self.hidden_size
        fused = self.fused()
        Wi, Wh, bi, bh, _, _ = fused
        GI = self._project(x, is_ids, Wi, bi, workspace)
        h0 = h = np.array(self._initial(h0, B, "h0"), order="C")
        RZ = buffer(workspace, "rz", (T, B, 2 * H), self.dtype)
        N, HN, Hs = (buffer(workspace, n, (T, B, H), self.dtype) for n in ("n", "hn", "h"))
        gh = np.empty((B, 3 * H), self.dtype)
        for t in range(T):
            np.matmul(h, Wh, out=gh)
            gh += bh
            rz = RZ[t]
            np.add(GI[t, :, :2 * H], gh[:, :2 * H], out=rz)
            np.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5
            HN[t] = gh[:, 2 * H:]
            n = N[t]
            np.multiply(rz[:, :H], HN[t], out=n)
            n += GI[t, :, 2 * H:]
            np.tanh(n, out=n)
            # h' = n + z * (h - n)
            hn = Hs[t]
            np.subtract(h, n, out=hn)
            hn *= rz[:, H:]
            hn += n
            h = hn
        return GRUTrace(x, is_ids, h0, RZ, N, HN, Hs, fused)

    def backward(self, trace: GRUTrace, dh, need_x: bool = True,
                 workspace: Workspace | None = None) -> dict[str, np.ndarray]:
        RZ, N, HN, Hs = trace.rz, trace.n, trace.hn, trace.h
        T, B, H = Hs.shape
        dh = np.asarray(dh, dtype=self.dtype)
        if dh.shape != (T, B, H):
            raise EngineError(f"dh must have shape {(T, B, H)}, got {dh.shape}")
        _, _, _, _, Wi_true, Wh_true = trace.fused or self.fused()
        WhT = np.ascontiguousarray(Wh_true.T)
        dGI = buffer(workspace, "dGI", (T, B, 3 * H), self.dtype)
        dGH = buffer(workspace, "dGH", (T, B, 3 * H), self.dtype)
        dh_next = np.zeros((B, H), self.dtype)
        for t in range(T - 1, -1, -1):
            r, z, n = RZ[t, :, :H], RZ[t, :, H:], N[t]
            h_prev = Hs[t - 1] if t else trace.h0
            dht = dh[t] + dh_next
            gi, gh = dGI[t], dGH[t]
            dn = gi[:, 2 * H:]
            np.multiply(dht, 1.0 - z, out=dn)
            dn *= 1.0 - n * n                                  # d pre-activation of n
            np.multiply(dht, h_prev - n, out=gi[:, H:2 * H])   # dz
            gi[:, H:2 * H] *= z * (1.0 - z)
            np.multiply(dn, HN[t], out=gi[:, :H])              # dr
            gi[:, :H] *= r * (1.0 - r)
            gh[:, :2 * H] = gi[:, :2 * H]
            np.multiply(dn, r, out=gh[:, 2 * H:])
            dh_next = dht * z
            dh_next += gh @ WhT
        flat_i, flat_h = dGI.reshape(T * B, -1), dGH.reshape(T * B, -1)
        dWi, dx = self._input_grads(trace, dGI, Wi_true, need_x)
        return {"x": dx, "h0": dh_next, "weight_ih_l0": np.ascontiguousarray(dWi.T),
                "weight_hh_l0": np.ascontiguousarray(self._recurrent_weight_grad(trace, dGH).T),
                "bias_ih_l0": flat_i.sum(0), "bias_hh_l0": flat_h.sum(0)}
