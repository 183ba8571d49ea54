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

from ..levels.generator import LevelTask
from ..levels.schema import Level
from ..levels.sequence import play_sequence
from ..levels.training import Outcome, run_gating
from .commands import Action, ActionError, Advance, Redo, Restart, SetGates, Undo, UseHint

GATES = ("input", "forget", "output")  # the engine's [i | f | o] blocks, in order
# where every slot starts: keep the memory, write nothing, show nothing
KEEP = {"input": 0.0, "forget": 1.0, "output": 0.0}


@dataclass(frozen=True)
class State:
    step: int              # the word being gated now; == len(sentence) once finished
    gates: np.ndarray      # (T, 3S) the player's values [i | f | o]; rows after `step` are not decided yet
    hints: int
    can_undo: bool
    can_redo: bool


def fold(actions: list[Action], T: int, S: int) -> State:
    """Replay a history from the start. Raises ActionError at the first action that cannot apply."""
    done: list[Action] = []    # effective commands (set / advance), in order
    redo: list[Action] = []
    hints = 0
    for a in actions:
        if isinstance(a, Undo):
            if not done:
                raise ActionError("nothing to undo")
            redo.append(done.pop())
        elif isinstance(a, Redo):
            if not redo:
                raise ActionError("nothing to redo")
            done.append(redo.pop())
        elif isinstance(a, Restart):
            done, redo = [], []
        elif isinstance(a, UseHint):
            step = _steps(done)
            if a.step != step or step >= T:
                raise ActionError(f"a hint for step {a.step} while playing step {step}")
            hints += 1  # hints stay counted through undo and restart
        else:
            _check(a, _steps(done), T, S)
            done.append(a)
            redo.clear()
    return _table(done, T, S, hints, bool(done), bool(redo))


def _steps(done: list[Action]) -> int:
    return sum(isinstance(a, Advance) for a in done)


def _check(a: Action, step: int, T: int, S: int) -> None:
    if step >= T:
        raise ActionError("the sentence is finished: nothing left to gate")
    if isinstance(a, SetGates):
        if a.step != step:
            raise ActionError(f"gates set for step {a.step} while playing step {step}")
        if not 0 <= a.slot < S:
            raise ActionError(f"slot {a.slot} does not exist (slots 0..{S - 1})")


def _table(done: list[Action], T: int, S: int, hints: int, can_undo: bool, can_redo: bool) -> State:
    gates = np.empty((T, 3 * S))
    for g, name in enumerate(GATES):
        gates[:, g * S:(g + 1) * S] = KEEP[name]  # words not reached yet: the keep preset
    step = 0
    for a in done:
        if isinstance(a, Advance):
            if step + 1 < T:
                gates[step + 1] = gates[step]  # a new word starts with the gates of the last one
            step += 1
        else:
            for g, name in enumerate(GATES):
                v = getattr(a, name)
                if v is not None:
                    gates[step, g * S + a.slot] = v
    return State(step, gates, hints, can_undo, can_redo)


@dataclass(frozen=True)
class ModelRun:
    """The trained network's own run of the sentence, for comparison."""

    gates: np.ndarray   # (T, 3S) [i | f | o]
    c: np.ndarray       # (T, H) cell state after each word
    h: np.ndarray       # (T, H)
    outcome: Outcome


class PlaySession:
    def __init__(self, level: Level, model: Model, history=()):
        self.level, self.model = level, model
        self.task = LevelTask(level)
        self.sequence = play_sequence(level)
        self.inputs = self.task.inputs(self.sequence)
        self.T, self.S = len(self.sequence), level.network.slots
        self.history: list[Action] = []
        self._state = fold([], self.T, self.S)
        for a in history:
            self.apply(a)

    # -- the history ---------------------------------------------------------------------------------
    def apply(self, action: Action) -> State:
        """Apply one action (validated against the current state); the history grows only if it applies."""
        self._state = fold(self.history + [action], self.T, self.S)
        self.history.append(action)
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

    def set_gates(self, slot: int, forget=None, input=None, output=None) -> State:
        return self.apply(SetGates(self.step, slot, forget, input, output))

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
        return {name: float(row[g * self.S + slot]) for g, name in enumerate(GATES)}

    # -- the network, run with the player's gates ----------------------------------------------------
    def run(self, upto: int):
        """The real network over words 0..upto-1 with the player's gates; returns its trace (or None)."""
        if upto <= 0:
            return None
        g = self._state.gates[:upto, None, :]
        x = self.inputs[:upto, None] if self.inputs.ndim == 1 else self.inputs[:upto, None, :]
        return self.model.run(x, gates=gates_dict(g, self.S))

    def memory(self) -> tuple[np.ndarray, np.ndarray]:
        """(h, c) after the current word with the current gates (a live preview while adjusting)."""
        trace = self.run(min(self.step + 1, self.T))
        H = self.model.cell.hidden_size
        if trace is None:
            return np.zeros(H), np.zeros(H)
        return trace.h[-1, 0].copy(), trace.c[-1, 0].copy()

    def memory_says(self, k: int = 3) -> list[tuple[str, float]]:
        """What the memory holds, decoded: the readout of tanh(c), as if the output gate were fully open."""
        _, c = self.memory()
        out = self.model.outputs(np.tanh(c))
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
        before = self.run(self.step)
        H = self.model.cell.hidden_size
        h, c = (np.zeros((1, H)), np.zeros((1, H))) if before is None else (before.h[-1], before.c[-1])
        x = self.inputs[self.step]
        x_t = int(x) if self.inputs.ndim == 1 else x[None, :]
        proposal = self.model.cell.stepper().proposal(x_t, h, c)
        self.apply(UseHint(self.step))
        return {name: proposal[key][0].tolist() for name, key in zip(GATES, ("i", "f", "o"), strict=True)}

    @cached_property
    def model_run(self) -> ModelRun:
        x = self.inputs[:, None] if self.inputs.ndim == 1 else self.inputs[:, None, :]
        trace = self.model.run(x)
        gates = trace.sigmoid_gates[:, 0, :].copy()
        return ModelRun(gates, trace.c[:, 0].copy(), trace.h[:, 0].copy(),
                        run_gating(self.level, self.model, self.task, self.sequence))

    def result(self):
        """The score of a finished sentence (see game/session/scoring.py and docs/scoring.md)."""
        from .scoring import score

        if not self.finished:
            raise ActionError("the sentence is not finished yet")
        return score(self)
