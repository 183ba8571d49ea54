"""LSTM with slot gates: forward, backward through time, and a fast single-step path.

    a = W_ih x + b_ih + W_hh h + b_hh          rows i, f, g, o (PyTorch's order)
    i, f, o = sigmoid(a_i, a_f, a_o)            one value per *slot*, shared by its H/S cells
    g = tanh(a_g)                               one value per cell
    c' = f*c + i*g ;  h' = o*tanh(c')

``slots=None`` (S = H) is the standard LSTM, identical to ``torch.nn.LSTM``. With S < H the gate
blocks i, f, o have S rows instead of H; the game lets the player set exactly these S values.

Working layout (Karpathy's): one row z_t = [x_t, 1, h_{t-1}] per step and one stacked matrix
W = [W_ih; b; W_hh]^T, so a_t = z_t W is a single GEMM per step, h_t is written straight into the
h slot of z_{t+1}, and backward gets every parameter gradient from one GEMM, Z^T dA. Columns are
ordered [i, f, o, g] so that the three sigmoid gates are one slice, with their columns pre-scaled by
1/2 so that one ``tanh`` pass yields every gate: sigmoid(a) = tanh(a/2)/2 + 1/2. (Scaling by a power
of two is exact.) Token ids fill the x slot with one-hot rows, so they compute bit for bit what
one-hot float inputs compute; a vocabulary larger than ONEHOT_MAX gathers rows of W_ih + b instead.
Overrides (the player's gates) replace gate values after the activation; an overridden gate passes
no gradient to its pre-activation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cell import Cell, EngineError, Workspace, buffer

GATES = ("i", "f", "o")  # order of the sigmoid block in the working layout
ONEHOT_MAX = 64  # token ids up to this vocabulary size become one-hot rows of Z


@dataclass
class Fused:
    """Working matrices built from the PyTorch-layout parameters (once per forward, kept on the trace
    for its backward, so an optimiser step in between cannot mix two sets of weights)."""

    W: np.ndarray       # (I+1+H, G) rows [W_ih^T; b_ih + b_hh; W_hh^T], sigmoid columns halved
    W_true: np.ndarray  # (I+1+H, G) the same, unscaled
    input_size: int

    @property
    def Wh(self) -> np.ndarray:  # (H, G) scaled recurrent block
        return self.W[self.input_size + 1:]

    def gather_rows(self) -> np.ndarray:  # (I, G) W_ih^T + b, scaled: one row per token id
        return self.W[:self.input_size] + self.W[self.input_size]


@dataclass
class LSTMTrace:
    """Everything a forward pass computed, kept for backward and for display."""

    x: np.ndarray           # inputs: (T, B, I) floats or (T, B) token ids
    is_ids: bool
    h0: np.ndarray          # (B, H)
    c0: np.ndarray          # (B, H)
    act: np.ndarray         # (T, B, 3S+H): gate values used, [i | f | o | g]
    c: np.ndarray           # (T, B, H) cell states
    tanh_c: np.ndarray      # (T, B, H)
    h: np.ndarray           # (T, B, H) hidden states (a view into z)
    free: np.ndarray | None  # (T, B, 3S) 1.0 where the network chose the gate, 0.0 where overridden
    slots: int
    z: np.ndarray | None = None      # (T+1, B, X+H) rows [x_t, 1, h_{t-1}] (X = 0 when gathering)
    fused: Fused | None = None       # the weights this pass used

    def gate(self, name: str) -> np.ndarray:
        """(T, B, S) values of gate 'i', 'f' or 'o' as used; 'g' gives the (T, B, H) candidate."""
        S = self.slots
        if name == "g":
            return self.act[:, :, 3 * S:]
        return self.act[:, :, GATES.index(name) * S:(GATES.index(name) + 1) * S]

    @property
    def i(self):
        return self.gate("i")

    @property
    def f(self):
        return self.gate("f")

    @property
    def o(self):
        return self.gate("o")

    @property
    def g(self):
        return self.gate("g")

    @property
    def sigmoid_gates(self) -> np.ndarray:
        """(T, B, 3S) the i, f, o values as used, in that order."""
        return self.act[:, :, :3 * self.slots]


class LSTM(Cell):
    kind = "lstm"

    def __init__(self, input_size, hidden_size, slots=None, dtype=np.float64, seed=0,
                 forget_bias: float | None = None):
        S = hidden_size if slots is None else slots
        if not isinstance(S, (int, np.integer)) or S < 1 or hidden_size % S:
            raise EngineError(f"slots must be a positive divisor of hidden_size={hidden_size}, "
                              f"got {slots!r}")
        self.slots = int(S)
        self.standard = slots is None or S == hidden_size
        super().__init__(input_size, hidden_size, dtype, seed)
        H = hidden_size
        # PyTorch row order i, f, g, o  ->  working column order i, f, o, g.
        self._perm = np.concatenate([np.arange(0, 2 * S), np.arange(2 * S + H, 3 * S + H),
                                     np.arange(2 * S, 2 * S + H)])
        self._inv = np.argsort(self._perm)
        self._scale = np.concatenate([np.full(3 * S, 0.5), np.ones(H)]).astype(self.dtype)
        self._gather = self.input_size > ONEHOT_MAX
        if forget_bias is not None:
            self.set_forget_bias(forget_bias)

    @property
    def gate_rows(self) -> int:
        return 3 * self.slots + self.hidden_size

    @property
    def cells_per_slot(self) -> int:
        return self.hidden_size // self.slots

    def config(self) -> dict:
        return {**super().config(), "slots": None if self.slots == self.hidden_size and self.standard
                else self.slots}

    def set_forget_bias(self, value: float) -> None:
        """Forget-gate bias (total of both biases) = value; 1 is Gers et al.'s advice, 2-3 for long gaps."""
        S = self.slots
        self.params["bias_ih_l0"][S:2 * S] = value
        self.params["bias_hh_l0"][S:2 * S] = 0.0

    def torch_state(self, expand: bool = False) -> dict[str, np.ndarray]:
        """PyTorch layout. A slot-gated cell has S-row gate blocks; ``expand=True`` repeats each slot's
        row for its cells, giving a standard LSTM that computes exactly the same thing."""
        sd = super().torch_state()
        if expand and not self.standard:
            S, H, k = self.slots, self.hidden_size, self.cells_per_slot
            rows = np.concatenate([np.repeat(np.arange(0, S), k), np.repeat(np.arange(S, 2 * S), k),
                                   np.arange(2 * S, 2 * S + H), np.repeat(np.arange(2 * S + H, 3 * S + H), k)])
            sd = {n: a[rows] for n, a in sd.items()}
        return sd

    # -- working matrices ------------------------------------------------------------------------
    def fused(self) -> Fused:
        p, perm, I = self.params, self._perm, self.input_size
        W_true = np.empty((I + 1 + self.hidden_size, self.gate_rows), self.dtype)
        W_true[:I] = p["weight_ih_l0"][perm].T
        np.add(p["bias_ih_l0"][perm], p["bias_hh_l0"][perm], out=W_true[I])
        W_true[I + 1:] = p["weight_hh_l0"][perm].T
        return Fused(W_true * self._scale, W_true, I)

    def _overrides(self, gates, T: int, B: int):
        """gates: {'i'|'f'|'o': values (T, S) or (T, B, S), NaN = network decides} -> (values, mask)."""
        if gates is None:
            return None
        if not isinstance(gates, dict):
            raise EngineError("gates must be a dict with keys among 'i', 'f', 'o'")
        unknown = set(gates) - set(GATES)
        if unknown:
            raise EngineError(f"unknown gate(s) {sorted(unknown)}; overridable gates are i, f, o")
        S = self.slots
        vals = np.full((T, B, 3 * S), np.nan, self.dtype)
        for n, v in gates.items():
            if v is None:
                continue
            v = np.asarray(v, dtype=self.dtype)
            if v.ndim == 2:
                v = v[:, None, :]
            try:
                v = np.broadcast_to(v, (T, B, S))
            except ValueError:
                raise EngineError(f"gate '{n}' override must have shape (steps, slots) = {(T, S)} or "
                                  f"(steps, batch, slots) = {(T, B, S)}, got {np.shape(gates[n])}") from None
            bad = ~np.isnan(v) & ((v < 0) | (v > 1))
            if bad.any():
                raise EngineError(f"gate '{n}' override values must lie in [0, 1] (NaN = free)")
            k = GATES.index(n)
            vals[:, :, k * S:(k + 1) * S] = v
        mask = ~np.isnan(vals)
        if not mask.any():
            return None
        return vals, mask

    # -- forward ---------------------------------------------------------------------------------
    def forward(self, x, h0=None, c0=None, gates=None, noise=None,
                workspace: Workspace | None = None) -> LSTMTrace:
        """Run the whole sequence. x: (T, B, I) floats or (T, B) token ids.

        gates: optional overrides {'i','f','o': (T, S) or (T, B, S)}, NaN where the network decides.
        noise: optional (T, B, 3S) Gaussian noise added to the i, f, o pre-activations (training).
        workspace: reuse buffers between calls (the trace is then valid until its next use).
        """
        x, is_ids = self._inputs(x)
        T, B = x.shape[:2]
        S, H, k, G, I = self.slots, self.hidden_size, self.cells_per_slot, self.gate_rows, self.input_size
        W = self.fused()
        gather = is_ids and self._gather
        X = 0 if gather else I + 1  # z_t = [x_t, 1, h_{t-1}]; h_{t-1} starts at column X
        Z = buffer(workspace, "lstm.z", (T + 1, B, X + H), self.dtype)
        A = buffer(workspace, "lstm.act", (T, B, G), self.dtype)  # pre-activations, then activations
        if gather:
            np.take(W.gather_rows(), x, axis=0, out=A)
            Wr, rec = W.Wh, np.empty((B, G), self.dtype)
        else:
            Z[:T, :, :I] = (x[:, :, None] == np.arange(I)) if is_ids else x
            Z[:T, :, I] = 1.0
            Wr = W.W
        if noise is not None:
            noise = np.asarray(noise, dtype=self.dtype)
            if noise.shape != (T, B, 3 * S):
                raise EngineError(f"noise must have shape {(T, B, 3 * S)}, got {noise.shape}")
            noise = 0.5 * noise  # sigmoid columns work at half scale
        ov = self._overrides(gates, T, B)
        h0 = np.array(self._initial(h0, B, "h0"), order="C")
        c0 = c = np.array(self._initial(c0, B, "c0"), order="C")
        Z[0, :, X:] = h0
        Cs, TCs = (buffer(workspace, n, (T, B, H), self.dtype) for n in ("lstm.c", "lstm.tanh_c"))
        ig = np.empty((B, H), self.dtype)
        for t in range(T):
            a = A[t]
            if gather:
                np.matmul(Z[t], Wr, out=rec)
                a += rec
            else:
                np.matmul(Z[t], Wr, out=a)
            if noise is not None:
                a[:, :3 * S] += noise[t]
            np.tanh(a, out=a)
            s = a[:, :3 * S]
            s *= 0.5
            s += 0.5
            if ov is not None:
                np.copyto(s, ov[0][t], where=ov[1][t])
            e = s if k == 1 else np.repeat(s, k, axis=1)  # gates per cell: [i | f | o], (B, 3H)
            ct = Cs[t]
            np.multiply(e[:, H:2 * H], c, out=ct)
            np.multiply(e[:, :H], a[:, 3 * S:], out=ig)
            ct += ig
            np.tanh(ct, out=TCs[t])
            np.multiply(e[:, 2 * H:], TCs[t], out=Z[t + 1, :, X:])  # h_t, straight into z_{t+1}
            c = ct
        free = None if ov is None else (~ov[1]).astype(self.dtype)
        return LSTMTrace(x, is_ids, h0, c0, A, Cs, TCs, Z[1:, :, X:], free, S, Z, W)

    # -- backward --------------------------------------------------------------------------------
    def backward(self, trace: LSTMTrace, dh, dc_last=None, dpre=None, need_x: bool = True,
                 workspace: Workspace | None = None) -> dict[str, np.ndarray]:
        """Backprop through time. dh: (T, B, H) = dLoss/dh_t at every step (beyond the recurrence).

        dc_last: optional (B, H) gradient on the final cell state. dpre: optional (T, B, 3S) gradient
        on the i, f, o pre-activations from extra loss terms (crisp penalty, gate supervision).
        Returns grads for 'x' (None for token ids or need_x=False), 'h0', 'c0' and every
        torch_state() key.
        """
        g = self.backward_fused(trace, dh, dc_last, dpre, need_x, workspace)
        return {"x": g["x"], "h0": g["h0"], "c0": g["c0"], **self.to_torch_grads(g)}

    def to_torch_grads(self, g: dict) -> dict[str, np.ndarray]:
        inv = self._inv
        db = g["b"][inv]
        return {"weight_ih_l0": np.ascontiguousarray(g["Wx"].T[inv]),
                "weight_hh_l0": np.ascontiguousarray(g["Wh"].T[inv]),
                "bias_ih_l0": db, "bias_hh_l0": db.copy()}

    def backward_fused(self, trace: LSTMTrace, dh, dc_last=None, dpre=None, need_x=True,
                       workspace=None) -> dict:
        """Backward in the working layout: {'Wx', 'Wh', 'b', 'x', 'h0', 'c0'}."""
        A, C, TC, Z = trace.act, trace.c, trace.tanh_c, trace.z
        T, B, G = A.shape
        S, H, k, I = self.slots, self.hidden_size, self.cells_per_slot, self.input_size
        dh = np.asarray(dh, dtype=self.dtype)
        if dh.shape != (T, B, H):
            raise EngineError(f"dh must have shape {(T, B, H)}, got {dh.shape}")
        if dpre is not None:
            dpre = np.asarray(dpre, dtype=self.dtype)
        W = trace.fused.W_true
        WhT = W[I + 1:].T  # (G, H): dh_{t-1} = dA_t W_hh (BLAS reads the transpose in place)
        dA = buffer(workspace, "lstm.dA", (T, B, G), self.dtype)
        dht = dh[T - 1].copy()  # dL/dh_t: this step's own gradient plus what flows back from t+1
        dc = np.zeros((B, H), self.dtype) if dc_last is None else np.array(dc_last, dtype=self.dtype)
        tmp, dcell = np.empty((B, H), self.dtype), np.empty((B, H), self.dtype)
        sp = np.empty((B, 3 * S), self.dtype)

        def slot_sum(v, out):  # cell-level gradient -> one value per slot
            np.sum(v.reshape(B, S, k), axis=2, out=out)

        for t in range(T - 1, -1, -1):
            a, da, tc = A[t], dA[t], TC[t]
            s, gv = a[:, :3 * S], a[:, 3 * S:]
            e = s if k == 1 else np.repeat(s, k, axis=1)
            # output gate: dL/do = dh * tanh(c)
            do = da[:, 2 * S:3 * S] if k == 1 else dcell
            np.multiply(dht, tc, out=do)
            if k > 1:
                slot_sum(do, da[:, 2 * S:3 * S])
            # into the cell state through h = o * tanh(c): dh * o * (1 - tanh^2) = o * (dh - tanh * do)
            np.multiply(tc, do, out=tmp)
            np.subtract(dht, tmp, out=tmp)
            tmp *= e[:, 2 * H:]
            dc += tmp
            # forget gate, input gate, candidate
            c_prev = C[t - 1] if t else trace.c0
            if k == 1:
                np.multiply(dc, c_prev, out=da[:, S:2 * S])
                np.multiply(dc, gv, out=da[:, 0:S])
            else:
                np.multiply(dc, c_prev, out=tmp)
                slot_sum(tmp, da[:, S:2 * S])
                np.multiply(dc, gv, out=tmp)
                slot_sum(tmp, da[:, 0:S])
            dg = da[:, 3 * S:]
            np.multiply(dc, e[:, :H], out=dg)
            np.multiply(gv, gv, out=tmp)
            np.subtract(1.0, tmp, out=tmp)
            dg *= tmp
            dc *= e[:, H:2 * H]
            # through the sigmoids to the pre-activations
            ds = da[:, :3 * S]
            np.subtract(1.0, s, out=sp)
            sp *= s
            ds *= sp
            if dpre is not None:
                ds += dpre[t]
            if trace.free is not None:
                ds *= trace.free[t]
            if t:
                np.matmul(da, WhT, out=dht)
                dht += dh[t - 1]
        dh0 = dA[0] @ WhT
        flat = dA.reshape(T * B, G)
        dW = Z[:T].reshape(T * B, -1).T @ flat  # [dW_ih; db; dW_hh] in one GEMM (only dW_hh if gathering)
        if trace.is_ids and self._gather:  # each step added one gathered row of W_ih + b
            dWx = np.zeros((I, G), self.dtype)
            np.add.at(dWx, trace.x.reshape(-1), flat)
            dWx, db, dWh = dWx, dWx.sum(0), dW
        else:
            dWx, db, dWh = dW[:I], dW[I], dW[I + 1:]
        dx = (flat @ W[:I].T).reshape(T, B, I) if need_x and not trace.is_ids else None
        return {"Wx": dWx, "Wh": dWh, "b": db, "x": dx, "h0": dh0, "c0": dc}

    # -- single steps (interactive play) ------------------------------------------------------------
    def stepper(self) -> LSTMStepper:
        """A snapshot of the current weights for fast single steps; make a new one after training."""
        return LSTMStepper(self)

    def step(self, x_t, h, c, gates=None):
        return self.stepper().step(x_t, h, c, gates)


class LSTMStepper:
    """Single steps for interactive play, on a snapshot of the weights.

    ``step`` performs exactly the operations of one iteration of ``LSTM.forward``, so stepping through
    a sentence gives bit-identical states to running it whole.
    """

    def __init__(self, cell: LSTM):
        self.cell = cell
        self.fused = W = cell.fused()
        self.W, self.Wh = W.W, W.Wh
        self.rows = W.gather_rows() if cell._gather else None
        self.S, self.k, self.H, self.I = cell.slots, cell.cells_per_slot, cell.hidden_size, cell.input_size
        self.dtype = cell.dtype
        self._z: dict[int, np.ndarray] = {}  # z row buffers [x, 1, h] per batch size

    def _preactivation(self, x_t, h):
        """Half-scaled pre-activations (B, G) for one step; x_t is a token id, ids (B,), or (B, I)."""
        I = self.I
        ids = isinstance(x_t, (int, np.integer))
        if not ids:
            x_t = np.asarray(x_t)
            ids = x_t.dtype.kind in "iu"
        if ids:
            x_t = np.reshape(x_t, -1)
            if x_t.min() < 0 or x_t.max() >= I:
                raise EngineError(f"token ids must lie in 0..{I - 1}")
            if self.rows is not None:  # large vocabulary: forward gathers too
                a = self.rows[x_t]
                a += np.matmul(np.asarray(h, self.dtype), self.Wh)
                return a
        else:
            x_t = x_t.reshape(-1, I)
        B = x_t.shape[0]
        z = self._z.get(B)
        if z is None:
            z = self._z[B] = np.empty((B, I + 1 + self.H), self.dtype)
            z[:, I] = 1.0
        z[:, :I] = (x_t[:, None] == np.arange(I)) if ids else x_t
        z[:, I + 1:] = h
        return np.matmul(z, self.W)

    def step(self, x_t, h, c, gates=None):
        """One step from (h, c) each (B, H). gates: {'i'|'f'|'o': (B, S) or (S,)} with NaN = free.

        Returns (h', c', act) where act (B, 3S+H) holds the gate values used, [i | f | o | g].
        """
        S, k = self.S, self.k
        a = self._preactivation(x_t, h)
        B = a.shape[0]
        np.tanh(a, out=a)
        s = a[:, :3 * S]
        s *= 0.5
        s += 0.5
        if gates:
            for n, v in gates.items():
                j = GATES.index(n)
                v = np.broadcast_to(np.asarray(v, dtype=self.dtype), (B, S))
                np.copyto(s[:, j * S:(j + 1) * S], v, where=~np.isnan(v))
        c_new = np.multiply(s[:, S:2 * S, None], np.asarray(c, self.dtype).reshape(B, S, k))
        c_new += s[:, 0:S, None] * a[:, 3 * S:].reshape(B, S, k)
        c_new = c_new.reshape(B, -1)
        h_new = (s[:, 2 * S:3 * S, None] * np.tanh(c_new).reshape(B, S, k)).reshape(B, -1)
        return h_new, c_new, a

    def proposal(self, x_t, h, c) -> dict[str, np.ndarray]:
        """The gates the network would choose at this step from state (h, c): {'i','f','o': (B, S),
        'g': (B, H)}. This is the hint: what the model would do from the player's own memory."""
        _, _, a = self.step(x_t, h, c)
        S = self.S
        return {"i": a[:, :S].copy(), "f": a[:, S:2 * S].copy(), "o": a[:, 2 * S:3 * S].copy(),
                "g": a[:, 3 * S:].copy()}
