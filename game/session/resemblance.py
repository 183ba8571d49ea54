"""Which of a level's losing strategies a player's gating resembles most (shown after a loss, with the
strategy's explanation: the teacher's words about that mistake).

Every gating is compared by what it changes from the level's solution, ``Δ = gates − solution`` (a
(T, 3S) table), pooled over the sequence's *stretches*: each key word (a clue, a distractor, a reset's
first word, the blank) is a stretch of its own, and the words between two key words form one stretch.
A gating's profile holds, for every stretch and every gate column, the change of largest size there
(with its sign), so forgetting at the 8th or at the 10th word between the clue and the blank is the
same mistake, and a forget gate of 0.5 at every word differs from one forget gate of 0:

    profile[s, j] = Δ[t*, j]  with  t* = argmax over t in stretch s of |Δ[t, j]|
    distance(a, b) = Σ_s Σ_j w_s · |profile_a[s, j] − profile_b[s, j]|,  w_s = DECISIVE at a key word, else 1

The player's gating resembles the losing strategy at the smallest distance (the first listed on a tie),
provided it is nearer than the solution itself (distance to the profile 0); otherwise it is none of
the level's usual mistakes and nothing is claimed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..levels.schema import Level
from ..levels.sequence import Sequence, solution_gating, strategy_gating

DECISIVE = 4.0  # a key word's decisions weigh this much more than those of a stretch between them


@dataclass(frozen=True)
class Resemblance:
    index: int                 # into level.losing
    name: str
    explanation: str | None
    distance: float            # to the player's gating
    to_solution: float         # the player's gating's distance to the solution (larger)


def stretches(seq: Sequence) -> list[tuple[int, int, bool]]:
    """(start, stop, decisive) covering the sequence in order: key words alone, the words between pooled."""
    out, start = [], 0
    for k, tok in enumerate(seq.tokens):
        if tok.key:
            if start < k:
                out.append((start, k, False))
            out.append((k, k + 1, True))
            start = k + 1
    if start < len(seq):
        out.append((start, len(seq), False))
    return out


def profile(delta: np.ndarray, parts: list[tuple[int, int, bool]]) -> np.ndarray:
    """(len(parts), columns): per stretch and gate column, the change of largest size, with its sign."""
    out = np.empty((len(parts), delta.shape[1]))
    cols = np.arange(delta.shape[1])
    for n, (a, b, _) in enumerate(parts):
        block = delta[a:b]
        out[n] = block[np.argmax(np.abs(block), axis=0), cols]
    return out


def distance(pa: np.ndarray, pb: np.ndarray, parts: list[tuple[int, int, bool]]) -> float:
    w = np.array([DECISIVE if decisive else 1.0 for _, _, decisive in parts])
    return float((w[:, None] * np.abs(pa - pb)).sum())


def closest_strategy(level: Level, seq: Sequence, gates: np.ndarray) -> Resemblance | None:
    """The losing strategy of ``level`` that the gating ``gates`` (T, 3S) on ``seq`` resembles most, or
    None when the gating is nearer the solution than any of them."""
    solution = solution_gating(level, seq)
    parts = stretches(seq)
    mine = profile(gates - solution, parts)
    best: Resemblance | None = None
    for k, strategy in enumerate(level.losing):
        theirs = profile(strategy_gating(level, seq, strategy.changes) - solution, parts)
        d = distance(mine, theirs, parts)
        if best is None or d < best.distance:
            best = Resemblance(k, strategy.name, strategy.explanation, d, 0.0)
    to_solution = distance(mine, np.zeros_like(mine), parts)
    if best is None or best.distance >= to_solution:
        return None
    return Resemblance(best.index, best.name, best.explanation, best.distance, to_solution)
