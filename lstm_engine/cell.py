"""What every recurrent cell shares: parameters in PyTorch's layout, initialisation, dtype.

Parameters live in ``cell.params`` under the names of one layer of a PyTorch ``state_dict``
(``weight_ih_l0`` (G, I), ``weight_hh_l0`` (G, H), ``bias_ih_l0`` (G), ``bias_hh_l0`` (G)), with the
gate blocks in PyTorch's order. That dict is the single source of truth: forward passes build their
fused working matrices from it, the optimiser updates it in place, save/load and interop read it.
"""

from __future__ import annotations

import numpy as np

PARAM_NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
DTYPES = {"float64": np.float64, "float32": np.float32}


class EngineError(ValueError):
    """A caller gave the engine something it cannot use; the message says what and why."""


def dtype_of(dtype) -> np.dtype:
    dt = np.dtype(dtype)
    if dt.name not in DTYPES:
        raise EngineError(f"dtype must be float64 or float32, got {dt.name}")
    return dt


class Workspace:
    """Buffers reused by repeated calls with the same shapes (training loops, benchmarks).

    Fresh multi-megabyte arrays cost page faults on first touch, which at these sizes take longer
    than the arithmetic. A trace made with a workspace is valid until the workspace is used again.
    """

    def __init__(self):
        self._buffers: dict[str, np.ndarray] = {}

    def take(self, name: str, shape: tuple, dtype) -> np.ndarray:
        a = self._buffers.get(name)
        if a is None or a.shape != shape or a.dtype != dtype:
            a = self._buffers[name] = np.empty(shape, dtype)
        return a


def buffer(ws: Workspace | None, name: str, shape: tuple, dtype) -> np.ndarray:
    return np.empty(shape, dtype) if ws is None else ws.take(name, shape, dtype)


def chunked_copy(dst: np.ndarray, src: np.ndarray, nbytes: int = 1 << 18) -> None:
    """dst[...] = src in slabs along the first axis. When the two layouts differ (a transposing copy),
    a whole-array copy re-reads the source from memory once per innermost index of dst; a slab that
    fits in cache is read from memory once."""
    n = max(1, nbytes // max(1, src[0].nbytes))
    for t in range(0, len(src), n):
        dst[t:t + n] = src[t:t + n]


def check_override(name: str, v: np.ndarray) -> None:
    """A gate override holds values in [0, 1], NaN where the network decides."""
    if v.size <= 64:  # one step's values (hints): a Python loop beats three array operations
        bad = any(q < 0 or q > 1 for q in v.ravel().tolist())  # NaN (free) compares False
    else:
        bad = bool(np.any(~np.isnan(v) & ((v < 0) | (v > 1))))
    if bad:
        raise EngineError(f"gate '{name}' override values must lie in [0, 1] (NaN = free)")


def override_slots(gates, names: tuple[str, ...], T: int, B: int, S: int, dtype) -> dict[str, np.ndarray]:
    """Validated gate overrides {name: (T, S) or (T, B, S), NaN = the network decides} as
    {name: (T, B, S)} views, for LSTM and GRU alike (each cell places them in its own layout)."""
    if not isinstance(gates, dict):
        raise EngineError(f"gates must be a dict with keys among {', '.join(map(repr, names))}")
    unknown = set(gates) - set(names)
    if unknown:
        raise EngineError(f"unknown gate(s) {sorted(unknown)}; overridable gates are {', '.join(names)}")
    out = {}
    for n, v in gates.items():
        if v is None:
            continue
        v = np.asarray(v, dtype=dtype)
        if v.ndim == 2:
            v = v[:, None, :]
        try:
            v = np.broadcast_to(v, (T, B, S))
        except ValueError:
            raise EngineError(f"gate '{n}' override must have shape (steps, slots) = {(T, S)} or "
                              f"(steps, batch, slots) = {(T, B, S)}, got {np.shape(gates[n])}") from None
        check_override(n, v)
        out[n] = v
    return out


class Cell:
    """Base class. Subclasses set ``kind`` and ``gate_rows`` and implement forward/backward."""

    kind = ""

    def __init__(self, input_size: int, hidden_size: int, dtype=np.float64, seed: int = 0):
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise EngineError(f"{name} must be a positive integer, got {value!r}")
        self.input_size = int(input_size)
        self.hidden_size = int(hidden_size)
        self.dtype = dtype_of(dtype)
        self.seed = seed
        G, H, k = self.gate_rows, self.hidden_size, 1.0 / np.sqrt(hidden_size)
        rng = np.random.default_rng(seed)
        # PyTorch's initialisation: every weight and bias uniform in ±1/sqrt(H).
        shapes = {"weight_ih_l0": (G, self.input_size), "weight_hh_l0": (G, H),
                  "bias_ih_l0": (G,), "bias_hh_l0": (G,)}
        self.params = {n: rng.uniform(-k, k, shapes[n]).astype(self.dtype) for n in PARAM_NAMES}

    # -- sizes -------------------------------------------------------------------------------------
    @property
    def gate_rows(self) -> int:
        raise NotImplementedError

    def config(self) -> dict:
        """Everything needed to rebuild an empty cell of the same shape (used by save/load)."""
        return {"kind": self.kind, "input_size": self.input_size, "hidden_size": self.hidden_size,
                "dtype": self.dtype.name}

    def num_parameters(self) -> int:
        return sum(p.size for p in self.params.values())

    # -- PyTorch layout ----------------------------------------------------------------------------
    def torch_state(self) -> dict[str, np.ndarray]:
        """One layer of a PyTorch state_dict, as NumPy arrays (copies)."""
        return {n: self.params[n].copy() for n in PARAM_NAMES}

    def load_torch_state(self, sd: dict) -> None:
        """Load arrays named like one layer of a PyTorch state_dict; shapes are checked."""
        expected = {n: p.shape for n, p in self.params.items()}
        missing = [n for n in PARAM_NAMES if n not in sd]
        extra = [n for n in sd if n not in expected]
        if missing or extra:
            raise EngineError(f"{self.kind} state: missing {missing or 'nothing'}, "
                              f"unexpected {extra or 'nothing'}")
        for n in PARAM_NAMES:
            a = np.asarray(sd[n])
            if a.shape != expected[n]:
                raise EngineError(f"{self.kind} state: {n} has shape {a.shape}, expected {expected[n]}")
            if not np.all(np.isfinite(a)):
                raise EngineError(f"{self.kind} state: {n} contains NaN or infinity")
        for n in PARAM_NAMES:
            self.params[n][...] = np.asarray(sd[n], dtype=self.dtype)

    # -- helpers for subclasses --------------------------------------------------------------------
    def _initial(self, state, B: int, name: str) -> np.ndarray:
        H = self.hidden_size
        if state is None:
            return np.zeros((B, H), self.dtype)
        s = np.asarray(state, dtype=self.dtype)
        if s.shape != (B, H):
            raise EngineError(f"{name} must have shape (batch, hidden) = {(B, H)}, got {s.shape}")
        return s

    def _inputs(self, x):
        """Validate x: floats (T, B, I), or integer token ids (T, B) meaning one-hot inputs of size I."""
        x = np.asarray(x)
        if x.dtype.kind in "iu":
            if x.ndim != 2:
                raise EngineError(f"token ids must have shape (steps, batch), got {x.shape}")
            if x.shape[0] == 0:
                raise EngineError("token ids have no steps")
            if x.size and (x.min() < 0 or x.max() >= self.input_size):
                raise EngineError(f"token ids must lie in 0..{self.input_size - 1}")
            return x, True
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise EngineError(f"x must have shape (steps, batch, {self.input_size}), got {x.shape}")
        if x.shape[0] == 0:
            raise EngineError("x has no steps")
        return np.asarray(x, dtype=self.dtype), False

    def _project(self, x, is_ids: bool, Wx: np.ndarray, b: np.ndarray, ws=None) -> np.ndarray:
        """Input projection of every step at once: (T, B, G). Token ids gather rows instead of a
        matrix product, which is what a one-hot input would compute, exactly."""
        T, B = x.shape[:2]
        A = buffer(ws, "proj", (T, B, Wx.shape[1]), self.dtype)
        if is_ids:
            np.take(Wx, x, axis=0, out=A)
        else:
            np.matmul(x.reshape(T * B, -1), Wx, out=A.reshape(T * B, -1))
        A += b
        return A

    def _input_grads(self, trace, dA: np.ndarray, W_true: np.ndarray, need_x: bool):
        """Gradients of the input projection: (dW_x (I, G), dx or None)."""
        T, B, G = dA.shape
        flat = dA.reshape(T * B, G)
        if trace.is_ids:
            dWx = np.zeros((self.input_size, G), self.dtype)
            np.add.at(dWx, trace.x.reshape(-1), flat)
            return dWx, None
        dWx = trace.x.reshape(T * B, -1).T @ flat
        return dWx, (flat @ W_true.T).reshape(T, B, -1) if need_x else None

    @staticmethod
    def _recurrent_weight_grad(trace, dA: np.ndarray) -> np.ndarray:
        """sum_t h_{t-1}^T dA_t as two matrix products (no copy of the shifted hidden states)."""
        T, B, G = dA.shape
        Hs = trace.h
        g = trace.h0.T @ dA[0]
        if T > 1:
            g += Hs[:-1].reshape((T - 1) * B, -1).T @ dA[1:].reshape((T - 1) * B, G)
        return g
