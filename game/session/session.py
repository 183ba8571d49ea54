"""A play session: a level, its trained network, and the player's history of actions.

Everything shown is derived from the history: the current step, the player's gate table, the memory
(re-run through the real network with the player's gates), hints used and the final result. Undo,
redo and restart are actions in the same history, so a replay reproduces exactly what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from lstm_engine import Model
from lstm_engine.losses import softmax
from lstm_engine.model import gates_dict

from ..levels import cells
from ..levels.generator import LevelTask
from ..levels.schema import Level
from ..levels.sequence import play_sequence
from ..levels.training import Outcome, run_gating
from .commands import Action, ActionError, Advance, Redo, Restart, SetGates, Undo, UseHint
from .gates import GATES, KEEP
from .scoring import score


@dataclass(frozen=True)
class State:
    step: int              # the word being gated now; == len(sentence) once finished
    gates: np.ndarray      # (T, nS) the player's values, one block per gate (LSTM [i | f | o], GRU [z | r]);
                           # rows after `step` are not decided yet
    hints: int
    can_undo: bool
    can_redo: bool


class History:
    """The history folded as it grows: every action costs O(1) (undo restores what an action
    overwrote), so re-simulating a long replay is linear in its length."""

    def __init__(self, T: int, S: int, gates: tuple[str, ...] = GATES):
        self.T, self.S, self.names = T, S, gates
        self.done: list[tuple[Action, np.ndarray]] = []  # effective actions and the rows they overwrote
        self.redo: list[Action] = []
        self.hints = 0
        self.step = 0
        self.gates = np.empty((T, len(gates) * S))
        self.touched = 0  # the first gate row changed since taken (see take_touched)
        self._reset_gates()

    def take_touched(self) -> int:
        """The first row whose gates changed since the last call (T: none); states computed from the
        rows before it are still valid."""
        first, self.touched = self.touched, self.T
        return first

    def _reset_gates(self) -> None:
        self.touched = 0
        for g, name in enumerate(self.names):
            self.gates[:, g * self.S:(g + 1) * self.S] = KEEP[name]  # words not reached yet: keep

    def apply(self, a: Action) -> None:
        """Apply one action, or raise ActionError and change nothing."""
        if isinstance(a, Undo):
            if not self.done:
                raise ActionError("nothing to undo")
            action, saved = self.done.pop()
            self._revert(action, saved)
            self.redo.append(action)
        elif isinstance(a, Redo):
            if not self.redo:
                raise ActionError("nothing to redo")
            action = self.redo.pop()
            self.done.append((action, self._do(action)))
        elif isinstance(a, Restart):
            self.done, self.redo, self.step = [], [], 0
            self._reset_gates()
        elif isinstance(a, UseHint):
            if a.step != self.step or self.step >= self.T:
                raise ActionError(f"a hint for word {a.step + 1} while playing word {self.step + 1}")
            self.hints += 1  # hints stay counted through undo and restart
        else:
            self._check(a)
            self.done.append((a, self._do(a)))
            self.redo.clear()

    def _check(self, a: Action) -> None:
        if self.step >= self.T:
            raise ActionError("the sentence is finished: nothing left to gate")
        if isinstance(a, SetGates):
            if a.step != self.step:
                raise ActionError(f"gates set for word {a.step + 1} while playing word {self.step + 1}")
            if not 0 <= a.slot < self.S:
                raise ActionError(f"slot {a.slot + 1} does not exist (slots 1..{self.S})")
            other = [g for g in a.given() if g not in self.names]
            if other:
                have = ", ".join(self.names) or "none"
                raise ActionError(f"gate '{other[0]}' does not exist in this level (its gates: {have})")

    def _do(self, a: Action) -> np.ndarray:
        """Apply a set or an advance; returns the row it overwrites, for undo."""
        if isinstance(a, Advance):
            nxt = min(self.step + 1, self.T - 1)
            saved = self.gates[nxt].copy()
            self.touched = min(self.touched, nxt)
            if self.step + 1 < self.T:
                self.gates[self.step + 1] = self.gates[self.step]  # a new word starts with the last gates
            self.step += 1
            return saved
        saved = self.gates[self.step].copy()
        self.touched = min(self.touched, self.step)
        for g, name in enumerate(self.names):
            v = getattr(a, name)
            if v is not None:
                self.gates[self.step, g * self.S + a.slot] = v
        return saved

    def _revert(self, a: Action, saved: np.ndarray) -> None:
        if isinstance(a, Advance):
            self.step -= 1
            row = min(self.step + 1, self.T - 1)
        else:
            row = self.step
        self.gates[row] = saved
        self.touched = min(self.touched, row)

    def state(self) -> State:
        return State(self.step, self.gates.copy(), self.hints, bool(self.done), bool(self.redo))


@dataclass(frozen=True)
class StepState:
    """The network after one word with the player's gates (one step of PlaySession.run, bit for bit)."""

    h: np.ndarray          # (H,) hidden state
    memory: np.ndarray     # (H,) an LSTM's cell state, else the hidden state
    candidate: np.ndarray  # (H,) LSTM g, GRU n, plain RNN h
    hn: np.ndarray | None  # GRU: (H,) W_hn h + b_hn; else None
    c: np.ndarray | None   # LSTM: (1, H) cell state as the next step's c0; else None


@dataclass(frozen=True)
class ModelRun:
    """The trained network's own run of the sentence, for comparison."""

    gates: np.ndarray   # (T, nS) LSTM [i | f | o], GRU [z | r], a plain RNN none
    c: np.ndarray       # (T, H) the memory after each word: an LSTM's cell state, else the hidden state
    h: np.ndarray       # (T, H)
    outcome: Outcome


class PlaySession:
    def __init__(self, level: Level, model: Model, history=()):
        self.level, self.model = level, model
        self.task = LevelTask(level)
        self.sequence = play_sequence(level)
        self.inputs = self.task.inputs(self.sequence)
        self.T, self.S = len(self.sequence), level.network.slots
        self.cell = level.network.cell
        self.gates = cells.columns(level)        # the gating table's column blocks
        self.shown_gates = cells.reading(level)  # the same gates in reading order (controls, texts)
        self.history: list[Action] = []
        self._folded = History(self.T, self.S, self.gates)
        self._state = self._folded.state()
        # states after each word, valid while the gates of the words up to it are unchanged: an action
        # changes one or two rows (History.touched), so it costs one step of the network, not a re-run.
        # A GRU or plain RNN reading numbers projects all steps at once (one GEMM whose rounding may
        # depend on the length), so those re-run the prefix to stay exact.
        self._trail: list[StepState] = []
        self._stepwise = self.cell == "lstm" or self.inputs.ndim == 1
        for a in history:
            self.apply(a)

    # -- the history ---------------------------------------------------------------------------------
    def apply(self, action: Action) -> State:
        """Apply one action (validated against the current state); the history grows only if it applies."""
        self._folded.apply(action)
        self.history.append(action)
        self._state = self._folded.state()
        del self._trail[self._folded.take_touched():]
        return self._state

    @property
    def state(self) -> State:
        return self._state

    @property
    def step(self) -> int:
        return self._state.step

    @property
    def finished(self) -> bool:
        return self._state.step >= self.T

    def set_gates(self, slot: int, forget=None, input=None, output=None, update=None, reset=None) -> State:
        return self.apply(SetGates(self.step, slot, forget, input, output, update=update, reset=reset))

    def advance(self) -> State:
        return self.apply(Advance())

    def undo(self) -> State:
        return self.apply(Undo())

    def redo(self) -> State:
        return self.apply(Redo())

    def restart(self) -> State:
        return self.apply(Restart())

    def current_gates(self, slot: int) -> dict[str, float]:
        row = self._state.gates[min(self.step, self.T - 1)]
        return {name: float(row[g * self.S + slot]) for g, name in enumerate(self.gates)}

    # -- the network, run with the player's gates ----------------------------------------------------
    def run(self, upto: int):
        """The real network over words 0..upto-1 with the player's gates; returns its trace (or None)."""
        if upto <= 0:
            return None
        g = self._state.gates[:upto, None, :]
        x = self.inputs[:upto, None] if self.inputs.ndim == 1 else self.inputs[:upto, None, :]
        return self.model.run(x, gates=gates_dict(g, self.S, self.model.gate_names) or None)

    def states(self, upto: int) -> list[StepState]:
        """The network's states after words 0..upto-1 with the player's gates: what ``run(upto)``
        computes, bit for bit, from cached states (only the words whose gates changed are re-run)."""
        if not self._stepwise:
            trace = self.run(upto)
            return [] if trace is None else [_state_of(trace, t, self.cell) for t in range(upto)]
        g = self._state.gates
        gated = self.model.gate_names
        while len(self._trail) < upto:
            t = len(self._trail)
            x = self.inputs[t:t + 1, None] if self.inputs.ndim == 1 else self.inputs[t:t + 1, None, :]
            prev = self._trail[-1] if self._trail else None
            h0 = None if prev is None else prev.h[None]
            gates = gates_dict(g[t:t + 1, None, :], self.S, gated) or None
            if self.cell == "lstm":
                trace = self.model.run(x, h0, None if prev is None else prev.c, gates=gates)
            else:
                trace = self.model.run(x, h0, gates=gates)
            self._trail.append(_state_of(trace, 0, self.cell))
        return self._trail[:upto]

    def memory(self) -> tuple[np.ndarray, np.ndarray]:
        """(h, c) after the current word with the current gates (a live preview while adjusting).
        A GRU or plain RNN has no separate cell state: its hidden state is the memory, so c = h."""
        states = self.states(min(self.step + 1, self.T))
        H = self.model.cell.hidden_size
        if not states:
            return np.zeros(H), np.zeros(H)
        return states[-1].h.copy(), states[-1].memory.copy()

    def memory_says(self, k: int = 3, c: np.ndarray | None = None, slot: int | None = None
                    ) -> list[tuple[str, float]]:
        """What the memory holds, decoded: the network's answer if this memory were shown to its readout
        through a fully open output gate, h = tanh(c) (a GRU or plain RNN: the hidden state itself, which
        is what its readout sees). ``slot``: show that slot alone (the others shut), the way a question
        about one slot is answered; None: every slot at once. ``c``: a memory already computed (default:
        the memory after the current word)."""
        if c is None:
            _, c = self.memory()
        full = np.tanh(c) if self.cell == "lstm" else np.asarray(c, float)
        shown = full
        if slot is not None:
            per = len(shown) // self.S
            shown = np.zeros_like(full)
            shown[slot * per:(slot + 1) * per] = full[slot * per:(slot + 1) * per]
        out = self.model.outputs(shown)
        if self.task.numeric:
            return [(f"{float(out[0]):.2f}", 1.0)]
        p = softmax(out)
        order = np.argsort(-p)[:k]
        return [(self.task.answers[int(j)], float(p[j])) for j in order]

    def prediction(self) -> Outcome | None:
        """The network's answer with the player's gates, once the blank is reached."""
        if self.step < self.sequence.blank:
            return None
        return run_gating(self.level, self.model, self.task, self.sequence, self._state.gates)

    def hint(self) -> dict[str, list[float]]:
        """What the model would do at this word from the player's own memory (counted as a hint)."""
        if self.finished:
            raise ActionError("the sentence is finished: nothing left to gate")
        if not self.gates:
            raise ActionError("a plain RNN has no gates: there is nothing to hint")
        before = self.states(self.step)
        H = self.model.cell.hidden_size
        if not before:
            h = c = np.zeros((1, H))
        else:
            h, c = before[-1].h[None], before[-1].memory[None]
        x = self.inputs[self.step]
        x_t = int(x) if self.inputs.ndim == 1 else x[None, :]
        stepper = self.stepper
        proposal = stepper.proposal(x_t, h, c) if self.cell == "lstm" else stepper.proposal(x_t, h)
        self.apply(UseHint(self.step))
        return {name: proposal[cells.ENGINE[name]][0].tolist() for name in self.gates}

    @cached_property
    def stepper(self):
        """The hint's single-step view of the network, built once (its fused weight matrices cost
        O(H^2) to build): a session plays one trained network whose weights never change under it."""
        return self.model.cell.stepper()

    @cached_property
    def model_run(self) -> ModelRun:
        x = self.inputs[:, None] if self.inputs.ndim == 1 else self.inputs[:, None, :]
        trace = self.model.run(x)
        gates = trace.sigmoid_gates[:, 0, :].copy() if self.gates else np.empty((self.T, 0))
        return ModelRun(gates, memory_of(trace)[:, 0].copy(), trace.h[:, 0].copy(),
                        run_gating(self.level, self.model, self.task, self.sequence))

    def result(self):
        """The score of a finished sentence (see game/session/scoring.py and docs/scoring.md)."""
        if not self.finished:
            raise ActionError("the sentence is not finished yet")
        return score(self)


def _state_of(trace, t: int, cell: str) -> StepState:
    memory = memory_of(trace)[t, 0]
    candidate = trace.g if cell == "lstm" else trace.n if cell == "gru" else trace.h
    return StepState(trace.h[t, 0].copy(), memory.copy(), candidate[t, 0].copy(),
                     trace.hn[t, 0].copy() if cell == "gru" else None,
                     memory[None].copy() if cell == "lstm" else None)


def memory_of(trace) -> np.ndarray:
    """(T, B, H) the memory of a trace: an LSTM's cell states; a GRU's or plain RNN's hidden states."""
    c = getattr(trace, "c", None)
    return trace.h if c is None else c
