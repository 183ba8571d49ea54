"""The verdict: does a gating win, and does a losing one clearly lose? One rule for the game's results,
the scores, `levels check` and `replay verify` (docs/scoring.md says it in words).

A win must be more than a guess. What a guess looks like depends on the gating itself: it is what the
network answers, with the *same* gates, when it has no information about the clue the question asks
about. We find it counterfactually, on the played sentence:

Word levels. The question at the blank is about one clue sentence; the word drawn into that sentence
(the last time it was said before the blank) decides the answer. Replace that word by each other value
of its word list whose answer differs (at most ``COUNTERFACTUALS`` of them, evenly spread through the
list in its own order, so the choice is fixed), run the same gating on every variant and average the
probability the network gives the *original* right answer:

    baseline = mean over variants v of p(original answer | sentence with v, same gates)

If the gating carries the clue, that probability collapses when the clue changes (baseline ≈ 0); if it
carries nothing — the clue is never written, or wiped — p(right) is exactly the baseline, because
nothing the clue word does reaches the answer. The verdict on the played sentence, with p = p(right):

    wins        = the right answer is on top  and  p ≥ baseline + MARGIN
    clear loss  = p ≤ baseline + MARGIN / 2   or  another answer is at least CLEAR_FACTOR times as likely
    confident   = wins and p ≥ the level's win threshold

So a gating that tells the network nothing about the clue (p = baseline) can never win, whatever the
number of answers or the network's default: in a two-answer level a coin flip (p 0.51, baseline 0.51)
loses. MARGIN = 0.25: a network that has really read the clue moves the right answer's probability
from about 1/N to near 1, far more than 0.25, while a guess moves it by exactly 0; 0.25 is also more
than any two-answer coin flip can drift (a win there needs p ≥ 0.75 when the baseline is 0.5).

Number levels (adding, signed, series) are judged in the answer's own units against the level's tolerance.
The starred numbers are replaced by fixed readings spread over 0–1 (``NUMBER_GRID``; the m-th star of
variant k reads GRID[(k + 3m) mod 10]), which moves the true answer to y_k. With the same gates the
network answers a_k; on the played sentence it answers a, the truth is y:

    error     = |a − y|                       (the played sentence)
    tracking  = mean_k |a_k − y_k|            (does the answer follow the starred numbers?)
    baseline  = mean_k |a − y_k|              (the error of an answer that ignores them: a guess)
    wins        = error ≤ tol  and  tracking ≤ tol  and  baseline ≥ tracking + tol
    clear loss  = error > 2·tol  or  tracking > 2·tol  or  baseline < tracking + tol / 2
    confident   = wins (an answer within the tolerance earns the full outcome)

A gating that never writes the stars answers a_k = a on every variant, so tracking = baseline and it
can never win, even when its constant answer happens to land near the played sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_engine import Model
from lstm_engine.losses import softmax
from lstm_engine.model import gates_dict

from ..strings import t
from .generator import LevelTask
from .schema import Level
from .sequence import SIGNS, Sequence, placeholders

MARGIN = 0.25          # word levels: how far above its own guess the right answer must be
CLEAR_FACTOR = 2.0     # word levels: a wrong answer this many times likelier than the right: a clear loss
COUNTERFACTUALS = 8    # word levels: at most this many other values of the clue's list
NUMBER_GRID = (0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95)
UNINFORMED = 0.01      # p(right) this close to the baseline: the gates carry (almost) nothing of the clue
CHUNK = 128            # sequences per forward pass: memory stays bounded on long sentences


@dataclass(frozen=True)
class Verdict:
    """What the network answers with one gating, and whether that is a win."""

    predicted: str | float
    p_right: float             # word levels: p(right); number levels: 1 within the tolerance, else 0
    top: tuple[tuple[str, float], ...]   # best answers and their probabilities (word levels)
    on_top: bool               # the right answer is on top (number levels: within the tolerance)
    baseline: float            # the gating's own guess (see the module docstring), in its units
    wins: bool
    confident: bool
    clear_loss: bool
    reason: str                # the verdict in plain words
    error: float | None = None      # number levels: |answer − truth|
    tracking: float | None = None   # number levels: mean error with the starred numbers changed

    @property
    def units(self) -> str:
        return "probability" if self.error is None else "error"

    def to_dict(self) -> dict:
        out = {"answer": self.predicted, "p_right": round(self.p_right, 6),
               "baseline": round(self.baseline, 6), "baseline_units": self.units, "on_top": self.on_top,
               "wins": self.wins, "confident": self.confident, "clear_loss": self.clear_loss,
               "reason": self.reason}
        if self.error is not None:
            out |= {"error": round(self.error, 6), "tracking_error": round(float(self.tracking), 6)}
        return out


# -- the counterfactual sentences --------------------------------------------------------------------------
def clue_step(level: Level, seq: Sequence) -> int | None:
    """Step of the word that decides the answer: the last drawn word of the clue sentence the question
    at the blank is about, said before the blank. None when there is none."""
    q = seq.tokens[seq.blank]
    sentence = level.task.sentences.get(q.sentence) if q.sentence else None
    about = sentence.about if sentence is not None else None
    steps = [k for k, tok in enumerate(seq.tokens[:seq.blank])
             if tok.key and tok.role == "clue" and tok.sentence == about]
    return steps[-1] if steps else None


def counterfactual_words(level: Level, seq: Sequence) -> tuple[int | None, list[str]]:
    """(step, other values) for a word level: the clue step and the values tried there instead."""
    step = clue_step(level, seq)
    if step is None:
        return None, []
    task = level.task
    q = task.sentences[seq.tokens[seq.blank].sentence]
    lists = placeholders(task.sentences[q.about].text)
    values = task.words[lists[-1]]

    def answer(v):
        return task.answers[q.answer][v] if q.answer else v

    others = [v for v in values if answer(v) != seq.answer]
    if len(others) > COUNTERFACTUALS:  # a fixed, evenly spread subset, in the list's own order
        others = [others[(k * len(others)) // COUNTERFACTUALS] for k in range(COUNTERFACTUALS)]
    return step, others


def counterfactual_numbers(seq: Sequence, kind: str) -> tuple[list[int], np.ndarray, np.ndarray]:
    """(starred steps, values (K, stars), truths (K,)) for a number level."""
    marked = [k for k, tok in enumerate(seq.tokens) if tok.role == "clue"]
    G = len(NUMBER_GRID)
    vals = np.array([[NUMBER_GRID[(k + 3 * m) % G] for m in range(len(marked))] for k in range(G)])
    # signed levels: each starred number counts with the sign word read just before it
    signs = np.array([SIGNS[seq.tokens[k - 1].word] if k > 0 and seq.tokens[k - 1].role == "sign" else 1.0
                      for k in marked])
    if not marked:
        truths = np.zeros(G)
    elif kind in ("adding", "signed"):
        truths = (vals * signs).sum(axis=1)
    else:
        truths = vals[:, -1]
    return marked, vals, truths


def _variants(level: Level, task: LevelTask, seq: Sequence):
    """Inputs (K+1 sentences: the played one first) and, for number levels, the truths of each."""
    x = task.inputs(seq)
    if task.numeric:
        marked, vals, truths = counterfactual_numbers(seq, level.task.kind)
        xs = np.repeat(x[None], len(vals) + 1, axis=0)
        for m, t_ in enumerate(marked):
            xs[1:, t_, 0] = vals[:, m]
        return xs, np.concatenate([[float(seq.answer)], truths])
    step, others = counterfactual_words(level, seq)
    xs = np.repeat(x[None], len(others) + 1, axis=0)
    for k, v in enumerate(others):
        xs[k + 1, step] = task.word_id[v]
    return xs, None


def _outputs(model: Model, S: int, xs: np.ndarray, gatings: np.ndarray, blank: int) -> np.ndarray:
    """Network outputs at the blank for every gating (N, T, 3S) on every variant xs (K, T, ...):
    (N, K, O), computed CHUNK sequences at a time."""
    N, K = len(gatings), len(xs)
    rows = [(n, k) for n in range(N) for k in range(K)]
    out = None
    for a in range(0, len(rows), CHUNK):
        part = rows[a:a + CHUNK]
        x = np.stack([xs[k] for _, k in part], axis=1)            # (T, B[, 3])
        g = np.stack([gatings[n] for n, _ in part], axis=1)       # (T, B, nS)
        trace = model.run(x, gates=gates_dict(g, S, model.gate_names) or None)
        o = model.outputs(trace.h[blank])                          # (B, O)
        if out is None:
            out = np.empty((N, K, o.shape[-1]))
        for b, (n, k) in enumerate(part):
            out[n, k] = o[b]
    return out


# -- the verdict --------------------------------------------------------------------------------------------
def judge(level: Level, model: Model, task: LevelTask, seq: Sequence, gatings) -> list[Verdict]:
    """The verdict of every gating (N, T, nS) (LSTM [i | f | o], GRU [z | r], a plain RNN no columns),
    NaN = the network decides."""
    gatings = np.asarray(gatings, dtype=float)
    xs, truths = _variants(level, task, seq)
    out = _outputs(model, level.network.slots, xs, gatings, seq.blank)
    if task.numeric:
        return [_numbers(task.tolerance, out[n, :, 0], truths) for n in range(len(gatings))]
    return [_words(level, task, seq, out[n]) for n in range(len(gatings))]


def _words(level: Level, task: LevelTask, seq: Sequence, logits: np.ndarray) -> Verdict:
    p = softmax(logits)                       # (K+1, O): the played sentence first
    right = task.answer_id[seq.answer]
    pr = float(p[0, right])
    baseline = float(p[1:, right].mean()) if len(p) > 1 else 0.0
    order = np.argsort(-p[0])
    best = int(order[0])
    on_top = best == right
    wins = on_top and pr >= baseline + MARGIN
    clear = pr <= baseline + MARGIN / 2 or float(p[0, best]) >= CLEAR_FACTOR * pr
    confident = wins and pr >= level.win_threshold
    answer, top_answer, ptop = seq.answer, task.answers[best], float(p[0, best])
    if wins:
        reason = t("verdict.words.wins", answer=answer, p=pr, baseline=baseline)
    elif on_top:
        reason = t("verdict.words.guess", answer=answer, p=pr, baseline=baseline, needed=baseline + MARGIN)
    else:
        reason = t("verdict.words.wrong", top=top_answer, ptop=ptop, answer=answer, p=pr)
    if not wins and abs(pr - baseline) <= UNINFORMED:
        reason += " " + t("verdict.words.uninformed")
    if not wins and not clear:
        reason += " " + t("verdict.words.narrow", line=baseline + MARGIN / 2, factor=CLEAR_FACTOR)
    top = tuple((task.answers[int(j)], float(p[0, j])) for j in order[:3])
    return Verdict(top_answer, pr, top, on_top, baseline, wins, confident, clear, reason)


def _numbers(tol: float, answers: np.ndarray, truths: np.ndarray) -> Verdict:
    a, y = float(answers[0]), float(truths[0])
    error = abs(a - y)
    tracking = float(np.abs(answers[1:] - truths[1:]).mean())
    baseline = float(np.abs(a - truths[1:]).mean())
    within = error <= tol
    wins = within and tracking <= tol and baseline >= tracking + tol
    clear = error > 2 * tol or tracking > 2 * tol or baseline < tracking + tol / 2
    if wins:
        reason = t("verdict.numbers.wins", answer=round(a, 4), error=error, tracking=tracking, tol=tol,
                   baseline=baseline)
    elif not within:
        reason = t("verdict.numbers.off", answer=round(a, 4), truth=y, error=error, tol=tol)
    elif baseline < tracking + tol:
        reason = t("verdict.numbers.guess", answer=round(a, 4), error=error, tol=tol, tracking=tracking,
                   baseline=baseline)
    else:
        reason = t("verdict.numbers.luck", answer=round(a, 4), error=error, tol=tol, tracking=tracking)
    if not wins and not clear:
        reason += " " + t("verdict.numbers.narrow", tol=tol)
    return Verdict(round(a, 4), 1.0 if within else 0.0, (), within, baseline, wins, wins, clear, reason,
                   error, tracking)
