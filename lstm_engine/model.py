"""A recurrent cell plus a linear readout, and the training objective built from the loss terms.

The objective is what design.md found necessary to make the game fair:
  loss = CE(own run) + forced_weight * CE(same batch under the intended gating)
       + mixed_weight * (classify: CE(uniform | sequences under a gating that mixes several answers in
                                   one memory); regress: squared error against what that memory holds)
       + crisp penalty on the network's own gates + gate supervision where the task marks it
         (each target weighted by the batch's emphasis, so decisive gates count more).
The intended-gating and mixed runs are the same sequences appended along the batch axis with gate
overrides, so one forward/backward pass covers all three. The mixed run teaches the readout what the
game teaches the player: a memory holding two different clues added together holds no answer (and a
memory holding several numbers holds their sum: Batch.mixed_targets).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import losses
from .cell import EngineError, Workspace, dtype_of
from .gru import GATES as GRU_GATES
from .gru import GRU
from .lstm import GATES, LSTM
from .rnn import RNN
from .tasks import Batch

CELLS = {"lstm": LSTM, "gru": GRU, "rnn": RNN}
KINDS = ("classify", "regress")


def make_cell(kind: str, input_size: int, hidden_size: int, slots=None, dtype="float64", seed=0):
    if kind not in CELLS:
        raise EngineError(f"cell kind must be one of {sorted(CELLS)}, got {kind!r}")
    if kind in ("lstm", "gru"):
        return CELLS[kind](input_size, hidden_size, slots=slots, dtype=dtype, seed=seed)
    if slots is not None:
        raise EngineError(f"slots apply to the gated cells (LSTM, GRU) only, not to a {kind.upper()}")
    return CELLS[kind](input_size, hidden_size, dtype=dtype, seed=seed)


def gate_names(cell) -> tuple[str, ...]:
    """The overridable gates of a cell, in the order of its sigmoid block: LSTM i, f, o; GRU z, r;
    a plain RNN has none."""
    return GATES if isinstance(cell, LSTM) else GRU_GATES if isinstance(cell, GRU) else ()


def gates_dict(values: np.ndarray, slots: int, names: tuple[str, ...] = GATES) -> dict[str, np.ndarray]:
    """(T, B, nS) array [i | f | o] (or a GRU's [z | r]) -> {name: (T, B, S)} for the cell's forward."""
    return {n: values[..., k * slots:(k + 1) * slots] for k, n in enumerate(names)}


@dataclass
class Objective:
    loss: float
    parts: dict[str, float]
    accuracy: float                 # the network's own run
    forced_accuracy: float | None   # under the intended gating, when the batch has one
    # how sure the right answers are under the intended gating (the own run when there is none):
    # mean p(right) (classify) or the share within half the tolerance (regress)
    confidence: float = 0.0
    grads: dict[str, np.ndarray] | None = field(default=None, repr=False)


class Model:
    """Cell + readout. Inputs are token ids (one-hot, vocabulary = input_size) or real vectors."""

    def __init__(self, cell, output_size: int, kind: str = "classify", seed: int = 0,
                 tolerance: float | None = None):
        if kind not in KINDS:
            raise EngineError(f"model kind must be one of {KINDS}, got {kind!r}")
        if kind == "regress" and not tolerance:
            raise EngineError("a regression model needs a tolerance to count an answer as right")
        self.cell, self.kind, self.tolerance = cell, kind, tolerance
        self.output_size = int(output_size)
        self.readout = self._fresh_readout(seed)

    @classmethod
    def create(cls, cell: str, input_size: int, hidden_size: int, output_size: int, *, slots=None,
               dtype="float64", seed: int = 0, kind: str = "classify", tolerance=None) -> Model:
        return cls(make_cell(cell, input_size, hidden_size, slots, dtype_of(dtype), seed),
                   output_size, kind, seed, tolerance)

    def _fresh_readout(self, seed: int) -> dict[str, np.ndarray]:
        H, O = self.cell.hidden_size, self.output_size
        rng = np.random.default_rng([seed, 7])  # a stream of its own, apart from the cell's
        k = 1.0 / np.sqrt(H)
        return {"weight": rng.uniform(-k, k, (O, H)).astype(self.cell.dtype),
                "bias": rng.uniform(-k, k, O).astype(self.cell.dtype)}

    # -- description -------------------------------------------------------------------------------
    def config(self) -> dict:
        return {**self.cell.config(), "output_size": self.output_size, "task_kind": self.kind,
                "tolerance": self.tolerance}

    @classmethod
    def from_config(cls, config: dict) -> Model:
        c = dict(config)
        return cls.create(c["kind"], c["input_size"], c["hidden_size"], c["output_size"],
                          slots=c.get("slots"), dtype=c["dtype"], kind=c["task_kind"],
                          tolerance=c.get("tolerance"))

    def params(self) -> dict[str, np.ndarray]:
        """Every trainable array by name (the live arrays, updated in place by the optimiser)."""
        return {**{f"cell.{n}": p for n, p in self.cell.params.items()},
                **{f"readout.{n}": p for n, p in self.readout.items()}}

    def reinitialize(self, seed: int, forget_bias: float | None = None) -> None:
        fresh = make_cell(self.cell.kind, self.cell.input_size, self.cell.hidden_size,
                          self.cell.config().get("slots"), self.cell.dtype, seed)
        for n, p in fresh.params.items():
            self.cell.params[n][...] = p
        if forget_bias is not None and isinstance(self.cell, LSTM):
            self.cell.set_forget_bias(forget_bias)
        for n, p in self._fresh_readout(seed).items():  # in place: an optimiser may hold these arrays
            self.readout[n][...] = p

    @property
    def is_lstm(self) -> bool:
        return isinstance(self.cell, LSTM)

    @property
    def gate_names(self) -> tuple[str, ...]:
        return gate_names(self.cell)

    @property
    def gated(self) -> bool:
        """A cell with gates one can override (LSTM, GRU): the intended-gating run, the crisp penalty,
        gate noise and gate supervision apply to it."""
        return bool(self.gate_names)

    # -- running -----------------------------------------------------------------------------------
    def run(self, x, h0=None, c0=None, gates=None, noise=None, workspace=None):
        if self.is_lstm:
            return self.cell.forward(x, h0, c0, gates=gates, noise=noise, workspace=workspace)
        if self.gated and c0 is None:
            return self.cell.forward(x, h0, gates=gates, noise=noise, workspace=workspace)
        if gates is not None or noise is not None or c0 is not None:
            raise EngineError(f"a {self.cell.kind.upper()} has no gates to override and no cell state")
        return self.cell.forward(x, h0, workspace=workspace)

    def outputs(self, h: np.ndarray) -> np.ndarray:
        """Readout of hidden states (..., H) -> logits or predictions (..., O)."""
        return h @ self.readout["weight"].T + self.readout["bias"]

    def probabilities(self, h: np.ndarray) -> np.ndarray:
        return losses.softmax(self.outputs(h))

    # -- the training objective ----------------------------------------------------------------
    def objective(self, batch: Batch, *, forced_weight: float = 1.0, crisp: float = 0.0,
                  noise_sigma: float = 0.0, supervision_weight: float = 0.0, mixed_weight: float = 0.0,
                  rng=None, grads: bool = True, workspace: Workspace | None = None) -> Objective:
        T, B = batch.x.shape[:2]
        S = self.cell.slots if self.gated else 0
        G = len(self.gate_names) * S  # columns of the sigmoid block: LSTM [i | f | o], GRU [z | r]
        forced = batch.intended is not None and forced_weight > 0 and self.gated
        mixed_cols = np.zeros(0, np.int64)
        if batch.mixed is not None and mixed_weight > 0 and forced and (
                self.kind == "classify" or batch.mixed_targets is not None):
            mixed_cols = np.flatnonzero(~np.isnan(batch.mixed[0, :, 0]))
        x, mask, targets, gates = batch.x, batch.mask, batch.targets, None
        if forced:
            xs, ms, ts = [x, x], [mask, mask], [targets, targets]
            gs = [np.full((T, B, G), np.nan), batch.intended]
            if mixed_cols.size:
                xs.append(x[:, mixed_cols])
                ms.append(mask[:, mixed_cols])
                ts.append((targets if self.kind == "classify" else batch.mixed_targets)[:, mixed_cols])
                gs.append(batch.mixed[:, mixed_cols])
            x, mask, targets = (np.concatenate(a, axis=1) for a in (xs, ms, ts))
            gates = gates_dict(np.concatenate(gs, axis=1), S, self.gate_names)
        B2 = x.shape[1]
        noise = None
        if noise_sigma > 0 and self.gated:
            noise = rng.normal(0.0, noise_sigma, (T, B2, G))
        trace = self.run(x, gates=gates, noise=noise, workspace=workspace)

        W = self.readout["weight"]
        every_step = bool(mask.all())  # e.g. sequence labelling: no gather/scatter of hidden states
        if every_step:
            # The LSTM keeps h feature-major, (T, H, B) under the (T, B, H) view: work in that layout
            # so neither h nor dh is copied; only the (smaller) logits are reshaped.
            hF = trace.h.transpose(0, 2, 1)
            out = (np.matmul(W, hF).transpose(0, 2, 1) + self.readout["bias"]).reshape(T * B2, -1)
            tg = targets.reshape(T * B2, *targets.shape[2:])
            cols = np.tile(np.arange(B2), T)
        else:
            t_idx, b_idx = np.nonzero(mask)
            hs = trace.h[t_idx, b_idx]
            tg = targets[t_idx, b_idx]
            cols = b_idx
            out = self.outputs(hs)
        own, mix = cols < B, cols >= 2 * B
        parts: dict[str, float] = {}
        dout = np.empty_like(out)

        sure = [0.0]

        def score(rows, weight, name):
            if self.kind == "classify":
                loss, d, correct = losses.softmax_cross_entropy(out[rows], tg[rows], B)
                # d = (p - onehot) / B, so p(right) = 1 + B * d at the target
                p_right = 1.0 + B * d[np.arange(len(d)), tg[rows]] if len(d) else np.zeros(0)
            else:
                loss, d, correct = losses.mean_squared_error(out[rows], tg[rows], B, self.tolerance)
                p_right = np.all(np.abs(out[rows] - tg[rows]) <= self.tolerance / 2, axis=1)
            parts[name] = loss
            dout[rows] = weight * d
            if name != "mixed":  # the last of own, forced: how sure the intended gating's answers are
                sure[0] = float(np.mean(p_right)) if len(p_right) else 0.0
            return weight * loss, float(correct.mean()) if correct.size else 0.0

        total, acc = score(own, 1.0, "own")
        forced_acc = None
        if forced:
            fl, forced_acc = score(~own & ~mix, forced_weight, "forced")
            total += fl
        if mixed_cols.size and self.kind == "classify":
            parts["mixed"], d = losses.uniform_cross_entropy(out[mix], B)
            dout[mix] = mixed_weight * d
            total += mixed_weight * parts["mixed"]
        elif mixed_cols.size:
            total += score(mix, mixed_weight, "mixed")[0]
        dpre = None
        if self.gated and (crisp > 0 or (supervision_weight > 0 and batch.supervise is not None)):
            sg = trace.sigmoid_gates
            dpre = np.zeros_like(sg)
            if crisp > 0:
                parts["crisp"], d = losses.crisp_penalty(sg, trace.free, crisp, B)
                dpre += d
                total += parts["crisp"]
            if supervision_weight > 0 and batch.supervise is not None:
                parts["supervision"], d = losses.gate_supervision(
                    sg[:, :B], np.asarray(batch.supervise, sg.dtype), supervision_weight, B,
                    None if batch.emphasis is None else np.asarray(batch.emphasis, sg.dtype))
                dpre[:, :B] += d
                total += parts["supervision"]
        result = Objective(float(total), parts, acc, forced_acc, sure[0])
        if not grads:
            return result
        if every_step:
            doutF = dout.reshape(T, B2, -1).transpose(0, 2, 1)           # (T, O, B)
            dh = np.matmul(W.T, doutF).transpose(0, 2, 1)                 # (T, B, H) view of (T, H, B)
            dW = np.matmul(doutF, hF.transpose(0, 2, 1)).sum(axis=0)
        else:
            dh = np.zeros_like(trace.h)
            dh[t_idx, b_idx] = dout @ W
            dW = dout.T @ hs
        if self.gated:
            g = self.cell.backward(trace, dh, dpre=dpre, need_x=False, workspace=workspace)
        else:
            g = self.cell.backward(trace, dh, need_x=False, workspace=workspace)
        result.grads = {**{f"cell.{n}": g[n] for n in self.cell.params},
                        "readout.weight": dW, "readout.bias": dout.sum(0)}
        return result
