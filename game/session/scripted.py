"""Scripted players: play a whole gating through a session with the same actions a person would use."""

from __future__ import annotations

import numpy as np

from ..levels.schema import Gating
from ..levels.sequence import apply_rules, default_gating, solution_gating, strategy_gating
from .session import PlaySession

STRATEGIES = ("model", "solution", "losing")


def strategy_gates(session: PlaySession, strategy: str, losing_index: int = 0) -> np.ndarray:
    if strategy == "model":
        return session.model_run.gates
    if strategy == "solution":
        return solution_gating(session.level, session.sequence)
    if strategy == "losing":
        changes = session.level.losing[losing_index].changes
        return strategy_gating(session.level, session.sequence, changes)
    raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")


def gating_gates(session: PlaySession, gating: Gating) -> np.ndarray:
    """A gating file's (T, 3S) gates on the played sequence: its default, then its rules in order, the
    same way a level's solution is turned into gates."""
    v = default_gating(session.T, gating.default, session.S, session.gates)
    apply_rules(v, session.sequence, gating.rules, session.S, session.gates)
    return v


def play(session: PlaySession, gates: np.ndarray) -> PlaySession:
    """Set every slot's gates at every remaining step, then advance, until the sentence is finished."""
    S = session.S
    while not session.finished:
        t = session.step
        for slot in range(S):
            values = {name: float(gates[t, g * S + slot]) for g, name in enumerate(session.gates)}
            if values != session.current_gates(slot):
                session.set_gates(slot, **values)
        session.advance()
    return session
