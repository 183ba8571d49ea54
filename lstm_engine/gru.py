"""GRU with slot gates in PyTorch's formulation: forward, backward through time, single steps.

    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)        update gate, one value per *slot*
    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)        reset gate, one value per slot
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))     candidate; the reset acts after the product
    h' = (1 - z) * n + z * h                          z = 1 keeps the memory, z = 0 replaces it

``slots=None`` (S = H) is the standard GRU, identical to ``torch.nn.GRU`` (parameters in PyTorch's
row order r, z, n). With S < H the r and z blocks have S rows, each shared by the H/S units of its
slot; the game lets the player set exactly these values. The hidden state is the only memory.

Working layout (batch-major): the columns are reordered to [z | r | n] -- update before reset, the
order a person reads the gates in, and the order of every override, trace and noise array -- and the
z, r columns are pre-scaled by 1/2 so one ``tanh`` yields both sigmoids. The input projection of every
step is one product before the loop; each step adds h W_h + b_h. Overrides (the player's gates)
replace gate values after the activation; an overridden gate passes no gradient to its pre-activation.

Backward, per step with dh = dL/dh' (own gradient plus what flows back from t+1), e = gate per unit:
    dn~ = dh (1 - z_e) (1 - n^2)                      pre-activation of n
    dz~ = sum_slot[dh (h - n)] z (1 - z)              dr~ = sum_slot[dn~ (W_hn h + b_hn)] r (1 - r)
    dh_prev = dh z_e + [dr~ | dz~ | dn~ r_e] W_h          (backward keeps PyTorch's column order)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cell import Cell, EngineError, Workspace, buffer, check_override, override_slots

GATES = ("z", "r")  # the sigmoid block of the working layout, in order: update, then reset


@dataclass
class GRUFused:
    """Working matrices in column order [z | r | n] with the z, r columns halved (forward), and the
    unscaled ones in PyTorch's column order [r | z | n] (backward works in that order, so its sums run
    in the same order as a standard GRU's always have)."""

    Wi: np.ndarray        # (I, G)
    Wh: np.ndarray        # (H, G)
    bi: np.ndarray        # (G,)
    bh: np.ndarray        # (G,)
    Wi_torch: np.ndarray  # (I, G) unscaled, PyTorch order
    Wh_torch: np.ndarray  # (H, G) unscaled, PyTorch order


@dataclass
class GRUTrace:
    x: np.ndarray
    is_ids: bool
    h0: np.ndarray      # (B, H)
    act: np.ndarray     # (T, B, 2S) gate values used, [z | r]
    n: np.ndarray       # (T, B, H) candidate
    hn: np.ndarray      # (T, B, H) W_hn h + b_hn (needed for the reset gradient)
    h: np.ndarray       # (T, B, H)
    free: np.ndarray | None = None  # (T, B, 2S) 1.0 where the network chose the gate, 0.0 where overridden
    slots: int = 0
    fused: GRUFused | None = None   # the working matrices this pass used (backward reuses them)

    def gate(self, name: str) -> np.ndarray:
        """(T, B, S) values of gate 'z' or 'r' as used; 'n' gives the (T, B, H) candidate."""
        if name == "n":
            return self.n
        S = self.slots
        k = GATES.index(name)
        return self.act[:, :, k * S:(k + 1) * S]

    @property
    def z(self):
        return self.gate("z")

    @property
    def r(self):
        return self.gate("r")

    @property
    def sigmoid_gates(self) -> np.ndarray:
        """(T, B, 2S) the z, r values as used, in that order."""
        return self.act


class GRU(Cell):
    kind = "gru"

    def __init__(self, input_size, hidden_size, slots=None, dtype=np.float64, seed=0):
        S = hidden_size if slots is None else slots
        if not isinstance(S, (int, np.integer)) or isinstance(S, bool) or S < 1 or hidden_size % S:
            raise EngineError(f"slots must be a positive divisor of hidden_size={hidden_size}, "
                              f"got {slots!r}")
        self.slots = int(S)
        super().__init__(input_size, hidden_size, dtype, seed)
        H = hidden_size
        # PyTorch row order r, z, n  ->  working column order z, r, n
        self._perm = np.concatenate([np.arange(S, 2 * S), np.arange(0, S), np.arange(2 * S, 2 * S + H)])
        self._scale = np.concatenate([np.full(2 * S, 0.5), np.ones(H)]).astype(self.dtype)

    @property
    def gate_rows(self) -> int:
        return 2 * self.slots + self.hidden_size

    @property
    def cells_per_slot(self) -> int:
        return self.hidden_size // self.slots

    def config(self) -> dict:
        return {**super().config(), "slots": None if self.slots == self.hidden_size else self.slots}

    def torch_state(self, expand: bool = False) -> dict[str, np.ndarray]:
        """PyTorch layout; ``expand=True`` repeats each slot's r, z rows for its units, giving a
        standard GRU that computes exactly the same thing."""
        sd = super().torch_state()
        S, H, k = self.slots, self.hidden_size, self.cells_per_slot
        if expand and S != H:
            rows = np.concatenate([np.repeat(np.arange(0, 2 * S), k), np.arange(2 * S, 2 * S + H)])
            sd = {n: a[rows] for n, a in sd.items()}
        return sd

    def fused(self) -> GRUFused:
        p, perm, sc = self.params, self._perm, self._scale
        Wi_torch = np.ascontiguousarray(p["weight_ih_l0"].T)
        Wh_torch = np.ascontiguousarray(p["weight_hh_l0"].T)
        return GRUFused(Wi_torch[:, perm] * sc, Wh_torch[:, perm] * sc, p["bias_ih_l0"][perm] * sc,
                        p["bias_hh_l0"][perm] * sc, Wi_torch, Wh_torch)

    def _overrides(self, gates, T: int, B: int):
        """gates: {'z'|'r': (T, S) or (T, B, S), NaN = network decides} -> (values, mask), (T, B, 2S)."""
        if gates is None:
            return None
        S = self.slots
        vals = np.full((T, B, 2 * S), np.nan, self.dtype)
        for n, v in override_slots(gates, GATES, T, B, S, self.dtype).items():
            k = GATES.index(n)
            vals[:, :, k * S:(k + 1) * S] = v
        mask = ~np.isnan(vals)
        if not mask.any():
            return None
        return vals, mask

    # -- forward ---------------------------------------------------------------------------------
    def forward(self, x, h0=None, c0=None, gates=None, noise=None,
                workspace: Workspace | None = None) -> GRUTrace:
        """Run the whole sequence. x: (T, B, I) floats or (T, B) token ids.

        gates: optional overrides {'z', 'r': (T, S) or (T, B, S)}, NaN where the network decides.
        noise: optional (T, B, 2S) Gaussian noise added to the z, r pre-activations (training).
        """
        if c0 is not None:
            raise EngineError("a GRU has no cell state: its hidden state is the memory (no c0)")
        x, is_ids = self._inputs(x)
        T, B = x.shape[:2]
        S, H, k = self.slots, self.hidden_size, self.cells_per_slot
        fused = self.fused()
        GI = self._project(x, is_ids, fused.Wi, fused.bi, workspace)
        if noise is not None:
            noise = np.asarray(noise, dtype=self.dtype)
            if noise.shape != (T, B, 2 * S):
                raise EngineError(f"noise must have shape {(T, B, 2 * S)}, got {noise.shape}")
            GI[:, :, :2 * S] += noise * 0.5  # the sigmoid columns work at half scale
        ov = self._overrides(gates, T, B)
        h0 = h = np.array(self._initial(h0, B, "h0"), order="C")
        ACT = buffer(workspace, "gru.act", (T, B, 2 * S), self.dtype)
        N, HN, Hs = (buffer(workspace, n, (T, B, H), self.dtype) for n in ("gru.n", "gru.hn", "gru.h"))
        gh = np.empty((B, 2 * S + H), self.dtype)
        for t in range(T):
            np.matmul(h, fused.Wh, out=gh)
            gh += fused.bh
            s = ACT[t]
            np.add(GI[t, :, :2 * S], gh[:, :2 * S], out=s)
            np.tanh(s, out=s)
            s *= 0.5
            s += 0.5
            if ov is not None:
                np.copyto(s, ov[0][t], where=ov[1][t])
            e = s if k == 1 else s.repeat(k, axis=1)  # per unit: [z | r], (B, 2H)
            HN[t] = gh[:, 2 * S:]
            n = N[t]
            np.multiply(e[:, H:], HN[t], out=n)
            n += GI[t, :, 2 * S:]
            np.tanh(n, out=n)
            hn = Hs[t]  # h' = n + z * (h - n)
            np.subtract(h, n, out=hn)
            hn *= e[:, :H]
            hn += n
            h = hn
        free = None if ov is None else (~ov[1]).astype(self.dtype)
        return GRUTrace(x, is_ids, h0, ACT, N, HN, Hs, free, S, fused)

    # -- backward --------------------------------------------------------------------------------
    def backward(self, trace: GRUTrace, dh, dpre=None, need_x: bool = True,
                 workspace: Workspace | None = None) -> dict[str, np.ndarray]:
        """Backprop through time. dh: (T, B, H) = dLoss/dh_t at every step (beyond the recurrence).

        dpre: optional (T, B, 2S) gradient on the z, r pre-activations from extra loss terms.
        Returns grads for 'x' (None for token ids or need_x=False), 'h0' and every torch_state() key.
        """
        ACT, N, HN, Hs = trace.act, trace.n, trace.hn, trace.h
        T, B, H = Hs.shape
        S, k = self.slots, self.cells_per_slot
        dh = np.asarray(dh, dtype=self.dtype)
        if dh.shape != (T, B, H):
            raise EngineError(f"dh must have shape {(T, B, H)}, got {dh.shape}")
        fused = trace.fused or self.fused()
        WhT = np.ascontiguousarray(fused.Wh_torch.T)  # (G, H), PyTorch's rows r, z, n
        # overridden gates pass no gradient: the free mask multiplies the sigmoid derivatives and dpre
        D = ACT * (1.0 - ACT)
        if trace.free is not None:
            D *= trace.free
        if dpre is not None:
            dpre = np.asarray(dpre, dtype=self.dtype)
            if dpre.shape != (T, B, 2 * S):
                raise EngineError(f"dpre must have shape {(T, B, 2 * S)}, got {dpre.shape}")
            if trace.free is not None:
                dpre = dpre * trace.free
        dGI = buffer(workspace, "gru.dGI", (T, B, 2 * S + H), self.dtype)
        dGH = buffer(workspace, "gru.dGH", (T, B, 2 * S + H), self.dtype)
        dh_next = np.zeros((B, H), self.dtype)
        tmp = np.empty((B, H), self.dtype)

        def slot_sum(v, out):  # unit-level gradient -> one value per slot
            if k == 1:
                out[...] = v
            else:
                np.add.reduce(v.reshape(B, S, k), axis=2, out=out)

        # dGI, dGH: gradients of the pre-activations in PyTorch's column order [r | z | n]
        for t in range(T - 1, -1, -1):
            s, n = ACT[t], N[t]
            e = s if k == 1 else s.repeat(k, axis=1)
            z, r = e[:, :H], e[:, H:]
            h_prev = Hs[t - 1] if t else trace.h0
            dht = dh[t] + dh_next
            gi, gh = dGI[t], dGH[t]
            dr, dz = gi[:, :S], gi[:, S:2 * S]
            dn = gi[:, 2 * S:]
            np.multiply(dht, 1.0 - z, out=dn)
            dn *= 1.0 - n * n
            np.subtract(h_prev, n, out=tmp)
            tmp *= dht
            slot_sum(tmp, dz)
            dz *= D[t, :, :S]
            np.multiply(dn, HN[t], out=tmp)
            slot_sum(tmp, dr)
            dr *= D[t, :, S:]
            if dpre is not None:
                dz += dpre[t, :, :S]
                dr += dpre[t, :, S:]
            gh[:, :2 * S] = gi[:, :2 * S]
            np.multiply(dn, r, out=gh[:, 2 * S:])
            dh_next = dht * z
            dh_next += gh @ WhT
        flat_i, flat_h = dGI.reshape(T * B, -1), dGH.reshape(T * B, -1)
        dWi, dx = self._input_grads(trace, dGI, fused.Wi_torch, need_x)
        return {"x": dx, "h0": dh_next, "weight_ih_l0": np.ascontiguousarray(dWi.T),
                "weight_hh_l0": np.ascontiguousarray(self._recurrent_weight_grad(trace, dGH).T),
                "bias_ih_l0": flat_i.sum(0), "bias_hh_l0": flat_h.sum(0)}

    # -- single steps (interactive play) ------------------------------------------------------------
    def stepper(self) -> GRUStepper:
        """A snapshot of the current weights for fast single steps; make a new one after training."""
        return GRUStepper(self)

    def step(self, x_t, h, gates=None):
        return self.stepper().step(x_t, h, gates)


class GRUStepper:
    """Single steps on a snapshot of the weights: the operations of one iteration of ``GRU.forward``,
    so stepping through a sentence gives the same states as running it whole."""

    def __init__(self, cell: GRU):
        self.cell = cell
        self.fused = cell.fused()
        self.S, self.k, self.H, self.I = cell.slots, cell.cells_per_slot, cell.hidden_size, cell.input_size
        self.dtype = cell.dtype

    def _input(self, x_t, B: int) -> np.ndarray:
        """(B, G) input projection (half-scaled gate columns) for a token id, ids (B,) or (B, I)."""
        f = self.fused
        if not isinstance(x_t, (int, np.integer)):
            x_t = np.asarray(x_t)
            if x_t.dtype.kind not in "iu":
                return np.matmul(x_t.reshape(-1, self.I).astype(self.dtype), f.Wi) + f.bi
        ids = np.reshape(x_t, -1)
        if ids.min() < 0 or ids.max() >= self.I:
            raise EngineError(f"token ids must lie in 0..{self.I - 1}")
        return np.take(f.Wi, ids, axis=0) + f.bi

    def step(self, x_t, h, gates=None):
        """One step from h (B, H). gates: {'z'|'r': (B, S) or (S,)} with NaN = free.

        Returns (h', act) where act (B, 2S+H) holds the gate values used and the candidate, [z | r | n].
        """
        S, k, H, f = self.S, self.k, self.H, self.fused
        h = np.asarray(h, self.dtype)
        gi = self._input(x_t, h.shape[0])
        gh = np.matmul(h, f.Wh) + f.bh
        B = max(gi.shape[0], gh.shape[0])
        a = np.empty((B, 2 * S + H), self.dtype)
        s = a[:, :2 * S]
        np.add(gi[:, :2 * S], gh[:, :2 * S], out=s)
        np.tanh(s, out=s)
        s *= 0.5
        s += 0.5
        if gates:
            for name, v in gates.items():
                if name not in GATES:
                    raise EngineError(f"unknown gate '{name}'; a GRU's overridable gates are z, r")
                if v is None:
                    continue
                v = np.asarray(v, dtype=self.dtype)
                check_override(name, v)
                j = GATES.index(name)
                np.copyto(s[:, j * S:(j + 1) * S], v, where=v == v)
        e = s if k == 1 else s.repeat(k, axis=1)
        n = a[:, 2 * S:]
        np.multiply(e[:, H:], gh[:, 2 * S:], out=n)
        n += gi[:, 2 * S:]
        np.tanh(n, out=n)
        h_new = np.subtract(h, n)
        h_new *= e[:, :H]
        h_new += n
        return h_new, a

    def proposal(self, x_t, h) -> dict[str, np.ndarray]:
        """The gates the network would choose at this step from state h: {'z', 'r': (B, S),
        'n': (B, H)}. This is the hint: what the model would do from the player's own memory."""
        _, a = self.step(x_t, h)
        S = self.S
        return {"z": a[:, :S].copy(), "r": a[:, S:2 * S].copy(), "n": a[:, 2 * S:].copy()}
