"""Scoring a finished sentence. docs/scoring.md explains these rules in words a student understands.

1. Outcome first: is the network's answer, run with the player's gates, right, and how sure is it?
   The log-score log p(right answer) rewards a confident right answer over a lucky one.
2. Agreement with the model, weighted by how much each decision mattered: for every step, gate and
   slot where the player's value differs from the value the trained network chose on its own run,
   measure the change in the log-score both ways: the network's value put into the player's run, and
   the player's value put into the network's own run. The larger change is the decision's weight, so
   two choices that only matter together (never writing and never revealing) are not free. A
   difference that changes nothing (the network keeps its output gate open where a person keeps it
   shut) costs nothing; a decisive one costs a lot. agreement = exp(-sum of weights).
3. Stars: 1 = right; 2 = right and confident (the level's threshold); 3 = also no critical decision,
   i.e. no disagreement whose swap changes the answer or its probability by a factor of 2 or more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lstm_engine.losses import softmax
from lstm_engine.model import gates_dict

from ..levels.training import Outcome, run_gating
from .session import GATES, PlaySession

OUTCOME_WEIGHT, AGREEMENT_WEIGHT, HINT_COST = 70.0, 30.0, 5.0
CRITICAL = math.log(2.0)   # a swap that halves or doubles the right answer's probability
DIFFERENT = 1e-6


@dataclass(frozen=True)
class Decision:
    """One gate value where the player and the model differ, and what swapping it would do."""

    step: int
    word: str
    gate: str            # "input", "forget" or "output"
    slot: int
    player: float
    model: float
    effect: float        # log-score with the model's value minus the player's log-score
    answer_if_swapped: str | float
    flips: bool          # the swap turns a right answer wrong or a wrong one right
    reverse: float = 0.0  # the model's log-score minus its log-score with the player's value instead

    @property
    def weight(self) -> float:
        """How much this decision mattered, whichever run it is tried in."""
        return max(abs(self.effect), abs(self.reverse))

    @property
    def critical(self) -> bool:
        return self.flips or self.weight >= CRITICAL


@dataclass(frozen=True)
class Score:
    answer: str | float
    correct: bool
    confident: bool
    p_right: float              # probability of the right answer (numeric levels: 1 within tolerance)
    log_score: float
    outcome_points: float       # 0..100: 0 at chance, 100 when certain and right
    agreement: float            # 0..1
    hints: int
    total: float                # 0..100
    stars: int                  # 0..3
    decisions: tuple[Decision, ...]   # every difference from the model, most important first

    @property
    def critical(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.critical)

    def summary(self) -> dict:
        return {"answer": self.answer, "correct": self.correct, "confident": self.confident,
                "p_right": round(self.p_right, 6), "log_score": round(self.log_score, 6),
                "outcome_points": round(self.outcome_points, 3), "agreement": round(self.agreement, 6),
                "hints": self.hints, "total": self.total, "stars": self.stars}


CHUNK = 128  # gatings per forward pass: memory stays bounded on long sentences


def _answers(session: PlaySession, gatings: np.ndarray):
    """Run N gatings (N, T, 3S) through the network: (log-scores, answers, correct), in chunks."""
    if len(gatings) > CHUNK:
        parts = [_answers(session, gatings[k:k + CHUNK]) for k in range(0, len(gatings), CHUNK)]
        return (np.concatenate([p[0] for p in parts]), [a for p in parts for a in p[1]],
                np.concatenate([p[2] for p in parts]))
    task, seq = session.task, session.sequence
    N = len(gatings)
    x = np.repeat(session.inputs[:, None], N, axis=1)
    trace = session.model.run(x, gates=gates_dict(gatings.transpose(1, 0, 2), session.S))
    out = session.model.outputs(trace.h[seq.blank])  # (N, O)
    if task.numeric:
        err = out[:, 0] - float(seq.answer)
        logp = -0.5 * (err / task.tolerance) ** 2
        return logp, [round(float(v), 4) for v in out[:, 0]], np.abs(err) <= task.tolerance
    p = softmax(out)
    right = task.answer_id[seq.answer]
    logp = np.log(np.maximum(p[:, right], 1e-300))
    best = p.argmax(axis=1)
    return logp, [task.answers[int(j)] for j in best], best == right


def score(session: PlaySession) -> Score:
    task, level, S = session.task, session.level, session.S
    player = session.state.gates
    model = session.model_run.gates
    diff = np.argwhere(np.abs(player - model) > DIFFERENT)  # (k, 2): step, column
    k = len(diff)
    # [player's run, model's run, k swaps into the player's run, k swaps into the model's run]
    gatings = np.concatenate([player[None], model[None], np.repeat(player[None], k, axis=0),
                              np.repeat(model[None], k, axis=0)])
    for n, (t, col) in enumerate(diff):
        gatings[2 + n, t, col] = model[t, col]
        gatings[2 + k + n, t, col] = player[t, col]
    logp, answers, correct = _answers(session, gatings)
    decisions = []
    for n, (t, col) in enumerate(diff):
        g, slot = divmod(int(col), S)
        decisions.append(Decision(int(t), session.sequence.words[t], GATES[g], slot, float(player[t, col]),
                                  float(model[t, col]), float(logp[2 + n] - logp[0]), answers[2 + n],
                                  bool(correct[2 + n] != correct[0]), float(logp[1] - logp[2 + k + n])))
    decisions.sort(key=lambda d: -d.weight)
    if task.numeric:
        err = abs(float(answers[0]) - float(session.sequence.answer))
        p_right = 1.0 if correct[0] else 0.0
        confident = bool(correct[0]) and err <= task.tolerance / 2
        outcome_points = 100.0 * math.exp(float(logp[0]))
    else:
        p_right = math.exp(float(logp[0]))
        confident = bool(correct[0]) and p_right >= level.win_threshold
        chance = math.log(len(task.answers))
        outcome_points = 100.0 * min(1.0, max(0.0, 1.0 + float(logp[0]) / chance))
    agreement = math.exp(-sum(d.weight for d in decisions))
    hints = session.state.hints
    total = max(0.0, OUTCOME_WEIGHT * outcome_points / 100 + AGREEMENT_WEIGHT * agreement - HINT_COST * hints)
    stars = 0
    if correct[0]:
        stars = 1 + confident + (confident and not any(d.critical for d in decisions))
    return Score(answers[0], bool(correct[0]), confident, p_right, float(logp[0]), outcome_points, agreement,
                 hints, round(total, 2), int(stars), tuple(decisions))


def what_if(session: PlaySession, step: int, from_here: bool = False) -> Outcome:
    """The answer if the model's own gates replaced the player's at `step` (or from `step` on)."""
    if not 0 <= step < session.T:
        raise ValueError(f"step {step} is outside the sentence (0..{session.T - 1})")
    gates = session.state.gates.copy()
    rows = slice(step, None) if from_here else slice(step, step + 1)
    gates[rows] = session.model_run.gates[rows]
    return run_gating(session.level, session.model, session.task, session.sequence, gates)
