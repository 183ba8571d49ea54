"""LSTM with slot gates: forward, backward through time, and a fast single-step path.

    a = W_ih x + b_ih + W_hh h + b_hh          rows i, f, g, o (PyTorch's order)
    i, f, o = sigmoid(a_i, a_f, a_o)            one value per *slot*, shared by its H/S cells
    g = tanh(a_g)                               one value per cell
    c' = f*c + i*g ;  h' = o*tanh(c')

``slots=None`` (S = H) is the standard LSTM, identical to ``torch.nn.LSTM``. With S < H the gate
blocks i, f, o have S rows instead of H; the game lets the player set exactly these S values.

Working layout (Karpathy's scheme, feature-major): each step's inputs form a column block
z_t = [x_t; 1; h_{t-1}] of Z (T+1, I+1+H, B), and one stacked matrix W = [W_ih | b | W_hh] (PyTorch's
own layout, rows reordered) gives a_t = W z_t in one GEMM; h_t is written straight into z_{t+1}, and
backward gets every parameter gradient from GEMMs dA_t z_t^T. Keeping features first makes every gate
block of a step one contiguous (rows, B) array, so the elementwise work runs without strided slices.
Rows are ordered [i, f, o, g] so that the three sigmoid gates are one block, pre-scaled by 1/2 so that
one ``tanh`` pass yields every gate: sigmoid(a) = tanh(a/2)/2 + 1/2 (scaling by 2^-1 is exact).
Token ids fill the x rows with one-hot columns, so they compute bit for bit what one-hot floats
compute; a vocabulary larger than ONEHOT_MAX gathers columns of W_ih + b instead. Overrides (the
player's gates) replace gate values after the activation; an overridden gate passes no gradient to
its pre-activation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cell import Cell, EngineError, Workspace, buffer, check_override, chunked_copy, override_slots

GATES = ("i", "f", "o")  # order of the sigmoid block in the working layout
ONEHOT_MAX = 64  # token ids up to this vocabulary size become one-hot columns of Z
CHUNK_BYTES = 1 << 17  # backward keeps dA in slabs of about this size (cache-resident)


@dataclass
class Fused:
    """Working matrices built from the PyTorch-layout parameters: once per forward, and kept on the
    trace for its backward (so an optimiser step in between cannot mix two sets of weights)."""

    W: np.ndarray       # (G, I+1+H) [W_ih | b_ih + b_hh | W_hh], rows [i, f, o, g], sigmoid rows halved
    W_true: np.ndarray  # (G, I+1+H) the same, unscaled
    input_size: int

    @property
    def Wh(self) -> np.ndarray:  # (G, H) scaled recurrent block
        return self.W[:, self.input_size + 1:]

    def gather_columns(self) -> np.ndarray:  # (G, I) scaled W_ih + b: one column per token id
        I = self.input_size
        return self.W[:, :I] + self.W[:, I:I + 1]


@dataclass
class LSTMTrace:
    """Everything a forward pass computed, kept for backward and for display. The (T, B, ...) arrays
    are views of feature-major buffers (see the module docstring)."""

    x: np.ndarray           # inputs: (T, B, I) floats or (T, B) token ids
    is_ids: bool
    h0: np.ndarray          # (B, H)
    c0: np.ndarray          # (B, H)
    act: np.ndarray         # (T, B, 3S+H): gate values used, [i | f | o | g]
    c: np.ndarray           # (T, B, H) cell states
    tanh_c: np.ndarray      # (T, B, H)
    h: np.ndarray           # (T, B, H) hidden states
    free: np.ndarray | None  # (T, B, 3S) 1.0 where the network chose the gate, 0.0 where overridden
    slots: int
    z: np.ndarray | None = None  # (T+1, X+H, B) columns [x_t; 1; h_{t-1}] (X = 0 when gathering)
    fused: Fused | None = None   # the weights this pass used

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
        # PyTorch row order i, f, g, o  ->  working row order i, f, o, g.
        self._perm = np.concatenate([np.arange(0, 2 * S), np.arange(2 * S + H, 3 * S + H),
                                     np.arange(2 * S, 2 * S + H)])
        self._inv = np.argsort(self._perm)
        self._scale = np.concatenate([np.full(3 * S, 0.5), np.ones(H)]).astype(self.dtype)[:, None]
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
                                   np.arange(2 * S, 2 * S + H),
                                   np.repeat(np.arange(2 * S + H, 3 * S + H), k)])
            sd = {n: a[rows] for n, a in sd.items()}
        return sd

    # -- working matrices ------------------------------------------------------------------------
    def fused(self) -> Fused:
        p = self.params
        W_true = np.concatenate((p["weight_ih_l0"], (p["bias_ih_l0"] + p["bias_hh_l0"])[:, None],
                                 p["weight_hh_l0"]), axis=1).take(self._perm, axis=0)
        return Fused(W_true * self._scale, W_true, self.input_size)

    def _overrides(self, gates, T: int, B: int):
        """gates: {'i'|'f'|'o': values (T, S) or (T, B, S), NaN = network decides} -> (values, mask),
        both (T, 3S, B) like the working layout."""
        if gates is None:
            return None
        S = self.slots
        vals = np.full((T, 3 * S, B), np.nan, self.dtype)
        for n, v in override_slots(gates, GATES, T, B, S, self.dtype).items():
            k = GATES.index(n)
            vals[:, k * S:(k + 1) * S] = v.transpose(0, 2, 1)
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
        X = 0 if gather else I + 1  # z_t = [x_t; 1; h_{t-1}]: h_{t-1} starts at row X
        Z = buffer(workspace, "lstm.z", (T + 1, X + H, B), self.dtype)
        A = buffer(workspace, "lstm.act", (T, G, B), self.dtype)  # pre-activations, then activations
        if gather:
            cols, rec = W.gather_columns(), np.empty((G, B), self.dtype)
        else:
            if is_ids:
                np.equal(x[:, None, :], np.arange(I)[:, None], out=Z[:T, :I])
            else:
                chunked_copy(Z[:T, :I].transpose(0, 2, 1), x)
            Z[:T, I] = 1.0
        Wz = W.Wh if gather else W.W
        if noise is not None:
            noise = np.asarray(noise, dtype=self.dtype)
            if noise.shape != (T, B, 3 * S):
                raise EngineError(f"noise must have shape {(T, B, 3 * S)}, got {noise.shape}")
            noise = np.multiply(noise.transpose(0, 2, 1), 0.5, order="C")  # sigmoid rows work at half scale
        ov = self._overrides(gates, T, B)
        h0 = np.array(self._initial(h0, B, "h0"), order="C")
        c0 = np.array(self._initial(c0, B, "c0"), order="C")
        Z[0, X:] = h0.T
        c = c0.T
        C, TC = (buffer(workspace, n, (T, H, B), self.dtype) for n in ("lstm.c", "lstm.tanh_c"))
        ig = np.empty((H, B), self.dtype)
        half = np.array(0.5, self.dtype)  # a ready-made operand is cheaper per call than a Python float
        for t in range(T):
            a = A[t]
            if gather:
                np.take(cols, x[t], axis=1, out=a)
                np.matmul(Wz, Z[t], out=rec)
                a += rec
            else:
                np.matmul(Wz, Z[t], out=a)
            if noise is not None:
                a[:3 * S] += noise[t]
            np.tanh(a, out=a)
            s = a[:3 * S]
            s *= half
            s += half
            if ov is not None:
                np.copyto(s, ov[0][t], where=ov[1][t])
            e = s if k == 1 else s.repeat(k, axis=0)  # gates per cell: [i; f; o], (3H, B)
            ct = C[t]
            np.multiply(e[H:2 * H], c, out=ct)
            np.multiply(e[:H], a[3 * S:], out=ig)
            ct += ig
            np.tanh(ct, out=TC[t])
            np.multiply(e[2 * H:], TC[t], out=Z[t + 1, X:])  # h_t, straight into z_{t+1}
            c = ct
        free = None if ov is None else (~ov[1]).astype(self.dtype).transpose(0, 2, 1)
        return LSTMTrace(x, is_ids, h0, c0, A.transpose(0, 2, 1), C.transpose(0, 2, 1),
                         TC.transpose(0, 2, 1), Z[1:, X:].transpose(0, 2, 1), free, S, Z, W)

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
        """Backward in the working layout: {'Wx' (I, G), 'Wh' (H, G), 'b' (G,), 'x', 'h0', 'c0'}."""
        # the feature-major (T, rows, B) buffers behind the trace's views
        A, C, TC = (v.transpose(0, 2, 1) for v in (trace.act, trace.c, trace.tanh_c))
        Z = trace.z
        T, G, B = A.shape
        S, H, k, I = self.slots, self.hidden_size, self.cells_per_slot, self.input_size
        dh = np.asarray(dh, dtype=self.dtype)
        if dh.shape != (T, B, H):
            raise EngineError(f"dh must have shape {(T, B, H)}, got {dh.shape}")
        dhT = dh.transpose(0, 2, 1)  # (T, H, B); a dh shaped like trace.h already has this layout
        if dhT.strides[2] != dh.itemsize:
            dhT = buffer(workspace, "lstm.dh", (T, H, B), self.dtype)
            chunked_copy(dhT.transpose(0, 2, 1), dh)
        # overridden gates pass no gradient: fold the free mask into the sigmoid derivatives and dpre
        free = None if trace.free is None else trace.free.transpose(0, 2, 1)  # (T, 3S, B)
        if dpre is not None:
            dpre = np.asarray(dpre, dtype=self.dtype).transpose(0, 2, 1)
            dpre = np.ascontiguousarray(dpre) if free is None else np.multiply(dpre, free, order="C")
        W = trace.fused.W_true
        WhT = np.ascontiguousarray(W[:, I + 1:].T)  # (H, G): dh_{t-1} = W_hh^T da_t
        gather = trace.is_ids and self._gather
        # dA lives in slabs of m steps that stay in cache; each slab goes into the weight gradient
        # (dW += sum_t dA_t z_t^T) when complete, so no (T, G, B) array is written to memory and read back.
        m = min(T, max(1, CHUNK_BYTES // (G * B * self.dtype.itemsize)))
        dAm = buffer(workspace, "lstm.dA", (m, G, B), self.dtype)
        D = buffer(workspace, "lstm.D", (m, G, B), self.dtype)  # d activation / d pre-activation
        P = buffer(workspace, "lstm.P", (m, H, B), self.dtype)  # d c / d h through h = o tanh(c)
        dW, dWm = np.zeros((G, Z.shape[1]), self.dtype), np.empty((m, G, Z.shape[1]), self.dtype)
        dWx = np.zeros((I, G), self.dtype) if gather else None
        dx = np.empty((T, B, I), self.dtype) if need_x and not trace.is_ids else None
        dht = dhT[T - 1].copy()  # dL/dh_t: this step's own gradient plus what flows back from t+1
        dc = np.zeros((H, B), self.dtype)  # dL/dc_t
        if dc_last is not None:
            dc[...] = np.asarray(dc_last).T
        c0 = trace.c0.T
        tmp, dcell = np.empty((H, B), self.dtype), np.empty((H, B), self.dtype)

        def slot_sum(v, out):  # cell-level gradient -> one value per slot
            np.add.reduce(v.reshape(S, k, B), axis=1, out=out)  # the ufunc itself: no wrapper overhead

        for t in range(T - 1, -1, -1):
            j = t % m
            if j == m - 1 or t == T - 1:  # a new slab t-j .. t: its local derivatives in a few passes
                As, Ds, Ps, tcs = A[t - j:t + 1], D[:j + 1], P[:j + 1], TC[t - j:t + 1]
                np.subtract(1.0, As[:, :3 * S], out=Ds[:, :3 * S])
                Ds[:, :3 * S] *= As[:, :3 * S]  # sigmoid' = s (1 - s)
                if free is not None:
                    Ds[:, :3 * S] *= free[t - j:t + 1]
                np.multiply(As[:, 3 * S:], As[:, 3 * S:], out=Ds[:, 3 * S:])
                np.subtract(1.0, Ds[:, 3 * S:], out=Ds[:, 3 * S:])  # tanh' = 1 - g^2
                np.multiply(tcs, tcs, out=Ps)
                np.subtract(1.0, Ps, out=Ps)
                Ps *= As[:, 2 * S:3 * S] if k == 1 else As[:, 2 * S:3 * S].repeat(k, axis=1)
            a, da, tc = A[t], dAm[j], TC[t]
            e = a[:3 * S] if k == 1 else a[:3 * S].repeat(k, axis=0)  # i, f, o per cell
            # output gate: dL/do = dh * tanh(c); and into the cell state: dc += dh * o (1 - tanh(c)^2)
            do = da[2 * S:3 * S] if k == 1 else dcell
            np.multiply(dht, tc, out=do)
            if k > 1:
                slot_sum(do, da[2 * S:3 * S])
            np.multiply(dht, P[j], out=tmp)
            dc += tmp
            # forget gate, input gate, candidate; then dc flows on to c_{t-1}
            c_prev = C[t - 1] if t else c0
            if k == 1:
                np.multiply(dc, c_prev, out=da[S:2 * S])
                np.multiply(dc, a[3 * S:], out=da[:S])
            else:
                np.multiply(dc, c_prev, out=tmp)
                slot_sum(tmp, da[S:2 * S])
                np.multiply(dc, a[3 * S:], out=tmp)
                slot_sum(tmp, da[:S])
            np.multiply(dc, e[:H], out=da[3 * S:])
            dc *= e[H:2 * H]
            # through the activations to the pre-activations
            da *= D[j]
            if dpre is not None:
                da[:3 * S] += dpre[t]
            if t:
                np.matmul(WhT, da, out=dht)
                dht += dhT[t - 1]
            if j == 0:  # the slab t .. t+n-1 is complete
                n = min(m, T - t)
                slab = dAm[:n]
                np.matmul(slab, Z[t:t + n].transpose(0, 2, 1), out=dWm[:n])
                dW += dWm[0] if n == 1 else dWm[:n].sum(0)  # [dW_ih | db | dW_hh] (dW_hh if gathering)
                if gather:  # each step added one gathered column of W_ih + b
                    np.add.at(dWx, trace.x[t:t + n].reshape(-1), slab.transpose(0, 2, 1).reshape(n * B, G))
                if dx is not None:
                    np.matmul(slab.transpose(0, 2, 1), W[:, :I], out=dx[t:t + n])
        dh0 = WhT @ dAm[0]
        if gather:
            dWx, db, dWh = dWx, dWx.sum(0), dW.T
        else:
            dWx, db, dWh = dW[:, :I].T, dW[:, I], dW[:, I + 1:].T
        return {"Wx": dWx, "Wh": dWh, "b": db, "x": dx, "h0": dh0.T.copy(), "c0": dc.T.copy()}

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
        W = cell.fused()
        self.W, self.Wh = W.W, W.Wh
        self.cols = W.gather_columns() if cell._gather else None
        self.S, self.k, self.H, self.I = cell.slots, cell.cells_per_slot, cell.hidden_size, cell.input_size
        self.dtype = cell.dtype
        self._z: dict[int, np.ndarray] = {}  # z column buffers [x; 1; h] per batch size
        self._ids = np.arange(self.I)[:, None]

    def _preactivation(self, x_t, h):
        """Half-scaled pre-activations (G, B) for one step; x_t is a token id, ids (B,), or (B, I)."""
        I, hT = self.I, np.asarray(h, self.dtype).T
        B = hT.shape[1]
        if not isinstance(x_t, (int, np.integer)):
            x_t = np.asarray(x_t)
            if x_t.dtype.kind not in "iu":  # dense inputs (B, I)
                z = self._column(B)
                z[:I] = x_t.reshape(B, I).T
                z[I + 1:] = hT
                return np.matmul(self.W, z)
        x_t = np.reshape(x_t, -1)  # token ids (1,) or (B,)
        ids = x_t.tolist()
        if min(ids) < 0 or max(ids) >= I:
            raise EngineError(f"token ids must lie in 0..{I - 1}")
        if self.cols is not None:  # a large vocabulary gathers, as forward does
            return np.take(self.cols, x_t, axis=1) + np.matmul(self.Wh, hT)
        z = self._column(B)
        np.equal(x_t, self._ids, out=z[:I])  # one-hot columns, as forward builds them
        z[I + 1:] = hT
        return np.matmul(self.W, z)

    def _column(self, B: int) -> np.ndarray:
        """The (I+1+H, B) buffer for z = [x; 1; h], made once per batch size."""
        z = self._z.get(B)
        if z is None:
            z = self._z[B] = np.empty((self.I + 1 + self.H, B), self.dtype)
            z[self.I] = 1.0
        return z

    def step(self, x_t, h, c, gates=None):
        """One step from (h, c) each (B, H). gates: {'i'|'f'|'o': (B, S) or (S,)} with NaN = free.

        Returns (h', c', act) where act (B, 3S+H) holds the gate values used, [i | f | o | g].
        """
        S, k, H = self.S, self.k, self.H
        a = self._preactivation(x_t, h)
        np.tanh(a, out=a)
        s = a[:3 * S]
        s *= 0.5
        s += 0.5
        if gates:
            for n, v in gates.items():
                if n not in GATES:
                    raise EngineError(f"unknown gate '{n}'; overridable gates are i, f, o")
                if v is None:
                    continue
                v = np.asarray(v, dtype=self.dtype)
                check_override(n, v)
                v = v.T if v.ndim == 2 else v[:, None]  # (S, B) or (S, 1), broadcast by copyto
                j = GATES.index(n)
                np.copyto(s[j * S:(j + 1) * S], v, where=v == v)
        e = s if k == 1 else s.repeat(k, axis=0)
        c_new = np.multiply(e[H:2 * H], np.asarray(c, self.dtype).T)
        c_new += np.multiply(e[:H], a[3 * S:])
        h_new = np.multiply(e[2 * H:], np.tanh(c_new))
        return h_new.T, c_new.T, a.T

    def proposal(self, x_t, h, c) -> dict[str, np.ndarray]:
        """The gates the network would choose at this step from state (h, c): {'i','f','o': (B, S),
        'g': (B, H)}. This is the hint: what the model would do from the player's own memory."""
        _, _, a = self.step(x_t, h, c)
        S = self.S
        return {"i": a[:, :S].copy(), "f": a[:, S:2 * S].copy(), "o": a[:, 2 * S:3 * S].copy(),
                "g": a[:, 3 * S:].copy()}
