"""Autoplay: the trained network (or the level's intended solution) plays, beat by beat.

Each word takes two beats: decide (set every slot's gates) and read (advance). Time is passed in;
the speed scales it. The actions go through the same session history as a person's.
"""

from __future__ import annotations

import numpy as np

from ..session.commands import Action, Advance, SetGates
from ..session.session import PlaySession

DECIDE_SECONDS = 0.6  # at speed 1: time to look at the word before the gates move
READ_SECONDS = 0.8  # time to look at the gates before the word is read


class Autoplay:
    def __init__(self, strategy: str, gates: np.ndarray, speed: float = 1.0):
        self.strategy = strategy  # "model" or "solution"
        self.gates = gates  # (T, 3S) [i | f | o]
        self.speed = speed
        self.paused = False
        self.clock = 0.0
        self.decided_step: int | None = None

    def toggle_pause(self) -> None:
        self.paused = not self.paused

    def decisions(self, session: PlaySession) -> list[Action]:
        """The SetGates actions that make the current word's gates this strategy's (none if equal)."""
        t, S = session.step, session.S
        out = []
        for slot in range(S):
            have = session.current_gates(slot)  # the level's gates, in the gating table's column order
            want = {name: round(float(self.gates[t, g * S + slot]), 4) for g, name in enumerate(have)}
            if any(abs(want[k] - have[k]) > 1e-9 for k in want):
                out.append(SetGates(t, slot, **want))
        return out

    def update(self, dt: float, session: PlaySession) -> list[Action]:
        """The actions due after ``dt`` more seconds (at most one beat per call)."""
        if self.paused or session.finished:
            return []
        self.clock += dt * self.speed
        if self.decided_step != session.step:
            if self.clock >= DECIDE_SECONDS:
                self.clock, self.decided_step = 0.0, session.step
                return self.decisions(session)
            return []
        if self.clock >= READ_SECONDS:
            self.clock = 0.0
            return [Advance()]
        return []
