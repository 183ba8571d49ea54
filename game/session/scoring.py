"""Scoring a finished sentence. docs/scoring.md explains these rules in words a student understands.

1. The verdict (game/levels/verdict.py): does the network, run with the player's gates, win — the
   right answer on top *and* clearly above what the same gates give when the clue is changed (a guess)?
   Number levels: within the tolerance, and the answer follows the starred numbers.
2. Outcome points, 0..100, rounded to a whole number:
   word levels   100·(1 − log p / log g), g = max(baseline, 1/N answers); 0 when p ≤ g (a guess);
   number levels 100·(1 − e), e = how far the answer (and its average over the changed stars) lies
                 outside the tolerance, in tolerances; 100 within it; 0 when the answer ignores the
                 starred numbers (a guess).
3. Agreement with the model, 0..1. Quality L of a run: log p(right) (word levels); minus the distance
   outside the tolerance in tolerances (number levels; every answer within the tolerance is equally good).
   For each step, gate and slot where the player's value differs from the network's own run:
     effect  = L(player's run with the network's value there) − L(player's run)
     reverse = L(network's run) − L(network's run with the player's value there)
     left    = (L(network's run) − L(player's run) − Σ effect⁺)⁺     the shortfall not yet explained
     extra   = (min(reverse⁺, left) − effect⁺)⁺, scaled down together so that Σ extra ≤ left
     cost    = effect⁺ + extra
   A decision at least as good for the answer as the network's (effect ≤ 0 and reverse ≤ 0) costs
   nothing. The reverse direction catches choices that only matter together (never writing and never
   revealing: no single swap helps the player's run, but both ruin the network's), yet it only explains
   a shortfall that exists and that the player's own swaps do not already explain: when the player's
   run is as good as the network's, a decision that merely differs (a full reset where the network
   half-resets) is free. agreement = exp(−Σ cost), rounded to 2 decimals.
   Slots: when the player's gating wins, every relabelling of its slots that also wins is compared with
   the network too (up to RELABEL_SLOTS slots), and the best agreement counts: keys in slot 2 and phone
   in slot 1 score as the same gating with the slots swapped.
4. Points: outcome × 0.7 + agreement × 30 − 5 per hint (hints never take the score below 0), one
   decimal; each part is rounded as shown on the results screen, so the parts add up to the total.
5. Stars: 0 unless the verdict wins; 1 = wins; 2 = and confident (the level's threshold; number levels:
   within the tolerance); 3 = also no critical decision: none whose cost is ≥ log 2 (halves the right
   answer's probability), and none whose swap would have turned a losing answer right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import permutations

import numpy as np

from lstm_engine.losses import softmax
from lstm_engine.model import gates_dict

from ..levels import verdict as verdicts
from ..levels.training import Outcome, run_gating

OUTCOME_WEIGHT, AGREEMENT_WEIGHT, HINT_COST = 70.0, 30.0, 5.0
CRITICAL = math.log(2.0)   # a cost that halves the right answer's probability
DIFFERENT = 1e-6
RELABEL_SLOTS = 4          # slot relabellings are tried up to this many slots (4! = 24 gatings)
CHUNK = 128                # gatings per forward pass: memory stays bounded on long sentences


@dataclass(frozen=True)
class Decision:
    """One gate value where the player and the model differ, and what swapping it would do."""

    step: int
    word: str
    gate: str            # "input", "forget", "output" (LSTM) or "update", "reset" (GRU)
    slot: int            # the player's slot (0-based)
    player: float
    model: float
    effect: float        # quality with the model's value in the player's run, minus the player's quality
    answer_if_swapped: str | float
    flips: bool          # the swap would have turned the player's losing answer right (see module doc)
    reverse: float = 0.0  # the model's quality minus its quality with the player's value instead
    cost: float = 0.0     # what the decision costs (module docstring, rule 3)
    model_slot: int | None = None  # the network's slot it is compared with, when the slots are relabelled

    @property
    def weight(self) -> float:
        """How much this decision cost."""
        return self.cost

    @property
    def critical(self) -> bool:
        return self.flips or self.cost >= CRITICAL


@dataclass(frozen=True)
class Score:
    answer: str | float
    correct: bool               # the verdict: a win (right on top and clearly above a guess)
    confident: bool
    p_right: float              # probability of the right answer (numeric levels: 1 within tolerance)
    log_score: float            # quality L of the player's run (module docstring, rule 3)
    outcome_points: float       # 0..100, whole
    agreement: float            # 0..1, two decimals
    hints: int
    total: float                # 0..100, one decimal = answer_part + agreement_part − hint_part
    stars: int                  # 0..3
    decisions: tuple[Decision, ...]   # every difference from the model, most costly first
    baseline: float = 0.0       # the verdict's baseline (word levels: p(right) with the clue changed)
    on_top: bool = False        # the right answer is on top (numeric: within tolerance), win or guess
    reason: str = ""            # the verdict in plain words
    answer_part: float = 0.0    # outcome_points × 0.7
    agreement_part: float = 0.0  # agreement × 30
    hint_part: float = 0.0      # 5 per hint, at most the two parts above
    relabelled: tuple[int, ...] | None = None  # network slot s compared with player slot relabelled[s]
    error: float | None = None      # number levels: |answer − truth|
    tracking: float | None = None   # number levels: mean error with the starred numbers changed

    @property
    def critical(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.critical)

    def parts(self) -> dict:
        return {"outcome_points": self.outcome_points, "answer_part": self.answer_part,
                "agreement": self.agreement, "agreement_part": self.agreement_part, "hints": self.hints,
                "hint_part": self.hint_part}

    def summary(self) -> dict:
        return {"answer": self.answer, "correct": self.correct, "confident": self.confident,
                "p_right": round(self.p_right, 6), "baseline": round(self.baseline, 6),
                "log_score": round(self.log_score, 6), "outcome_points": self.outcome_points,
                "agreement": self.agreement, "hints": self.hints, "total": self.total, "stars": self.stars}


def _quality(session, gatings: np.ndarray):
    """Run N gatings (N, T, 3S) on the played sentence: (quality L, answers, right on top), in chunks."""
    if len(gatings) > CHUNK:
        parts = [_quality(session, gatings[k:k + CHUNK]) for k in range(0, len(gatings), CHUNK)]
        return (np.concatenate([p[0] for p in parts]), [a for p in parts for a in p[1]],
                np.concatenate([p[2] for p in parts]))
    task, seq = session.task, session.sequence
    N = len(gatings)
    x = np.repeat(session.inputs[:, None], N, axis=1)
    trace = session.model.run(x, gates=gates_dict(gatings.transpose(1, 0, 2), session.S,
                                                  session.model.gate_names) or None)
    out = session.model.outputs(trace.h[seq.blank])  # (N, O)
    if task.numeric:
        err = np.abs(out[:, 0] - float(seq.answer))
        quality = -np.maximum(0.0, err - task.tolerance) / task.tolerance
        return quality, [round(float(v), 4) for v in out[:, 0]], err <= task.tolerance
    p = softmax(out)
    right = task.answer_id[seq.answer]
    best = p.argmax(axis=1)
    return np.log(np.maximum(p[:, right], 1e-300)), [task.answers[int(j)] for j in best], best == right


def _swaps(session, base: np.ndarray, source: np.ndarray, diff: np.ndarray):
    """Quality of `base` with one entry (step, column) of `diff` taken from `source`, for each entry.
    The swapped gatings are built CHUNK at a time, so memory stays bounded however many differ."""
    parts = []
    for a in range(0, len(diff), CHUNK):
        part = diff[a:a + CHUNK]
        g = np.repeat(base[None], len(part), axis=0)
        rows, cols = part[:, 0], part[:, 1]
        g[np.arange(len(part)), rows, cols] = source[rows, cols]
        parts.append(_quality(session, g))
    if not parts:
        return np.zeros(0), [], np.zeros(0, bool)
    return (np.concatenate([p[0] for p in parts]), [x for p in parts for x in p[1]],
            np.concatenate([p[2] for p in parts]))


def relabel(gating: np.ndarray, perm: tuple[int, ...], S: int) -> np.ndarray:
    """The gating with its slots relabelled: slot s of the result is slot perm[s] of the input."""
    cols = [g * S + perm[s] for g in range(gating.shape[1] // S) for s in range(S)]
    return gating[:, cols]


def _decisions(session, player: np.ndarray, model: np.ndarray, perm, player_wins: bool):
    S = session.S
    diff = np.argwhere(np.abs(player - model) > DIFFERENT)  # (k, 2): step, column
    k = len(diff)
    # [player's run, model's run, k swaps into the player's run, k swaps into the model's run]
    L0, a0, top0 = _quality(session, np.stack([player, model]))
    L1, a1, top1 = _swaps(session, player, model, diff)
    L2, _, top2 = _swaps(session, model, player, diff)
    L, answers, top = np.concatenate([L0, L1, L2]), a0 + a1, np.concatenate([top0, top1, top2])
    effects = np.maximum(0.0, L[2:2 + k] - L[0])
    reverses = L[1] - L[2 + k:]
    # the reverse direction explains only what is left of the shortfall after the player's own swaps
    left = max(0.0, float(L[1] - L[0]) - float(effects.sum()))
    extra = np.maximum(0.0, np.minimum(np.maximum(0.0, reverses), left) - effects)
    if extra.sum() > left:
        extra *= left / extra.sum()
    identity = tuple(perm) == tuple(range(S))
    out = []
    for n, (t, col) in enumerate(diff):
        g, slot = divmod(int(col), S)
        effect, reverse = float(L[2 + n] - L[0]), float(reverses[n])
        cost = float(effects[n] + extra[n])
        # turns the player's losing answer right, or the player's value turns the network's right answer wrong
        flips = not player_wins and ((bool(top[2 + n]) and not top[0])
                                     or (bool(top[1]) and not top[2 + k + n]))
        out.append(Decision(int(t), session.sequence.words[t], session.gates[g], int(perm[slot]),
                            float(player[t, col]), float(model[t, col]), effect, answers[2 + n], flips,
                            reverse, cost, None if identity else slot))
    out.sort(key=lambda d: (-d.cost, d.step))
    return tuple(out), math.exp(-sum(d.cost for d in out))


def outcome_points(v: verdicts.Verdict, answers: int, tolerance: float | None) -> int:
    """Rule 2 of the module docstring."""
    if v.error is not None:
        if v.baseline < v.tracking + tolerance:  # it ignores the starred numbers: a guess
            return 0
        off = max(0.0, v.error - tolerance, v.tracking - tolerance) / tolerance
        return round(100 * max(0.0, 1.0 - off))
    guess = max(v.baseline, 1.0 / max(answers, 1))
    if v.p_right <= guess or guess >= 1.0:
        return 0
    return round(100 * min(1.0, max(0.0, 1.0 - math.log(v.p_right) / math.log(guess))))


def score(session) -> Score:
    """The score of a finished PlaySession."""
    task, level, S = session.task, session.level, session.S
    player = session.state.gates
    model = session.model_run.gates
    perms = list(permutations(range(S))) if 1 < S <= RELABEL_SLOTS else [tuple(range(S))]
    labelled = [player if k == 0 else relabel(player, p, S) for k, p in enumerate(perms)]
    judged = verdicts.judge(level, session.model, task, session.sequence, np.stack(labelled))
    v = judged[0]
    # equally right: the player's gating and each relabelling that also wins; the order of the search
    # does not depend on how the player labelled the slots, so relabelled gatings score alike
    tried = [0] + ([k for k in range(1, len(perms)) if judged[k].wins] if v.wins else [])
    best = None
    for k in tried:
        decisions, agreement = _decisions(session, labelled[k], model, perms[k], v.wins)
        key = (-round(agreement, 12), labelled[k].tobytes())
        if best is None or key < best[0]:
            best = (key, k, decisions, agreement)
    _, k, decisions, agreement = best
    points = outcome_points(v, len(task.answers), task.tolerance)
    agreement = round(agreement, 2)
    hints = session.state.hints
    answer_part = round(OUTCOME_WEIGHT * points / 100, 1)
    agreement_part = round(AGREEMENT_WEIGHT * agreement, 1)
    hint_part = round(min(HINT_COST * hints, answer_part + agreement_part), 1)
    total = round(answer_part + agreement_part - hint_part, 1)
    stars = 0
    if v.wins:
        stars = 1 + v.confident + (v.confident and not any(d.critical for d in decisions))
    if v.error is not None:
        quality = -max(0.0, v.error - task.tolerance) / task.tolerance
    else:
        quality = math.log(max(v.p_right, 1e-300))
    return Score(v.predicted, v.wins, v.confident, v.p_right, quality, points, agreement, hints,
                 total, int(stars), decisions, v.baseline, v.on_top, v.reason, answer_part, agreement_part,
                 hint_part, None if k == 0 else tuple(perms[k]), v.error, v.tracking)


def what_if(session, step: int, from_here: bool = False) -> Outcome:
    """The answer if the model's own gates replaced the player's at `step` (or from `step` on)."""
    if not 0 <= step < session.T:
        raise ValueError(f"step {step} is outside the sentence (0..{session.T - 1})")
    gates = session.state.gates.copy()
    rows = slice(step, None) if from_here else slice(step, step + 1)
    gates[rows] = session.model_run.gates[rows]
    return run_gating(session.level, session.model, session.task, session.sequence, gates)
