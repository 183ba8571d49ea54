"""Comparing a finished run with the trained network's own: gate and memory lanes over the sentence,
a selected step with both gatings and how much it mattered, and "what if" swaps of the network's
gates into the player's run (at one step, or from there on) without leaving the screen."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..levels.training import Outcome
from ..session.scoring import Decision, Score, what_if
from ..session.session import PlaySession, memory_of
from ..strings import t


@dataclass(frozen=True)
class WhatIf:
    step: int
    from_here: bool
    outcome: Outcome

    def describe(self, word: str) -> str:
        o, n = self.outcome, self.step + 1
        if o.top:
            percent = 100 * o.top[0][1]
            if self.from_here:
                return t("compare.whatif.from", word=word, n=n, answer=o.predicted, percent=percent)
            return t("compare.whatif.at", word=word, n=n, answer=o.predicted, percent=percent)
        if self.from_here:
            return t("compare.whatif.from.bare", word=word, n=n, answer=o.predicted)
        return t("compare.whatif.at.bare", word=word, n=n, answer=o.predicted)


class Comparison:
    def __init__(self, session: PlaySession, score: Score | None = None):
        if not session.finished:
            raise ValueError("only a finished sentence can be compared")
        self.session = session
        self.score = score or session.result()
        self.words = session.sequence.words
        self.T, self.S = session.T, session.S
        self.player = session.state.gates  # (T, nS): LSTM [i | f | o], GRU [z | r], RNN none
        self.gates = session.gates
        self.model = session.model_run.gates
        trace = session.run(self.T)
        self.player_c, self.player_h = memory_of(trace)[:, 0].copy(), trace.h[:, 0].copy()
        self.model_c, self.model_h = session.model_run.c, session.model_run.h
        self.weights = np.zeros(self.T)  # how much the decisions at each step mattered
        for d in self.score.decisions:
            self.weights[d.step] += d.weight
        self.decisive = sorted({d.step for d in self.score.critical})
        first = self.score.decisions[0].step if self.score.decisions else session.sequence.blank
        self.selected = first
        self.whatif: WhatIf | None = None

    # -- the selected step -----------------------------------------------------------------------------
    def select(self, step: int) -> None:
        self.selected = max(0, min(self.T - 1, int(step)))

    def move(self, delta: int) -> None:
        self.select(self.selected + delta)

    def jump_decisive(self, direction: int) -> bool:
        """The next (or previous) step whose decision changed the answer's probability a lot, going
        round at the end. False when there is none to go to (none at all, or only the selected one)."""
        others = [s for s in self.decisive if s != self.selected]
        if not others:
            return False
        ahead = [s for s in others if (s - self.selected) * direction > 0]
        if direction > 0:
            self.select(min(ahead) if ahead else min(others))
        else:
            self.select(max(ahead) if ahead else max(others))
        return True

    def gates_at(self, step: int, which: str) -> list[dict[str, float]]:
        row = (self.player if which == "player" else self.model)[step]
        S = self.S
        return [{name: float(row[g * S + k]) for g, name in enumerate(self.gates)} for k in range(S)]

    def decisions_at(self, step: int) -> list[Decision]:
        return [d for d in self.score.decisions if d.step == step]

    # -- what if ------------------------------------------------------------------------------------
    def swap(self, from_here: bool = False) -> WhatIf:
        self.whatif = WhatIf(self.selected, from_here, what_if(self.session, self.selected, from_here))
        return self.whatif

    def reset(self) -> None:
        self.whatif = None

    @property
    def flips(self) -> bool | None:
        """Does the current what-if change whether the answer is right? (None without one.)"""
        if self.whatif is None:
            return None
        return self.whatif.outcome.wins != self.score.correct
