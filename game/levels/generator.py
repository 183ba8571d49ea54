"""A level as a training task for the engine: sequences -> Batch, with the intended gating and the
gate-supervision targets of every sequence (the generator knows where each clue, distractor, reset
and question is).

Building data (a pool of up to thousands of sequences) is reported while it runs: inside
``observe_building(callback)``, every ``sample`` calls ``callback(BuildProgress)`` at least every
``REPORT_SECONDS``; a callback that returns False stops the build with ``TrainingCancelled``, the
same exception as cancelling the training loop, so Esc works at once while data is built.

Two things make the trained network look like the lesson, whatever its seed:
  - emphasis: each role's decisive gate (input at a clue or distractor, forget at a reset, output at
    the question) is supervised ``training.decisive`` times harder than the other supervised gates, so
    the network clears at a reset (forget near 0) and writes clues crisply instead of half-doing both;
  - the mixed gating: the intended gating with every value of the asked word list written into the
    asked slot and nothing forgotten there. When that memory holds two or more different answers its
    target is "no answer in particular" (uniform), so "never clear the belt" or "write the look-alike
    too" cannot win by the luck of how two sums happen to decode.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from lstm_engine import Batch, TrainingCancelled

from . import cells
from .schema import Level, NumericTask
from .sequence import (
    GATE_INDEX,
    PAD,
    SIGNS,
    Sequence,
    Token,
    answer_vocabulary,
    decisive_targets,
    input_vocabulary,
    placeholders,
    sample_numeric,
    sample_text,
    solution_gating,
)

NUMERIC_INPUTS = 3  # value, "remember this" marker, "answer now" marker
REPORT_SECONDS = 0.1  # most time between two reports (and cancel checks) while data is built


@dataclass(frozen=True)
class BuildProgress:
    """Training data being built: ``done`` of ``total`` units (drawing, then encoding, each sequence)."""

    done: int
    total: int

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


_observer = threading.local()  # per thread: the game trains in a background thread


@contextmanager
def observe_building(callback: Callable[[BuildProgress], bool]) -> Iterator[None]:
    """Report every data build in this thread to ``callback``; it returns False to cancel."""
    previous = getattr(_observer, "callback", None)
    _observer.callback = callback
    try:
        yield
    finally:
        _observer.callback = previous


class _Reporter:
    def __init__(self, total: int):
        self.callback = getattr(_observer, "callback", None)
        self.total, self.done, self.last = total, 0, time.monotonic()

    def tick(self) -> None:
        self.done += 1
        if self.callback is None:
            return
        now = time.monotonic()
        if now - self.last >= REPORT_SECONDS or self.done == self.total:
            self.last = now
            if self.callback(BuildProgress(self.done, self.total)) is False:
                raise TrainingCancelled("building training data cancelled")
SIGNED_INPUTS = 5   # and, for signed levels, "plus" and "minus" markers


class LevelTask:
    """Implements the engine's task protocol (input_size, output_size, kind, tolerance,
    default_lengths, sample) for one level."""

    def __init__(self, level: Level):
        self.level = level
        t = level.task
        self.numeric = isinstance(t, NumericTask)
        if self.numeric:
            self.kind, self.tolerance = "regress", t.tolerance
            self.input_size = SIGNED_INPUTS if t.kind == "signed" else NUMERIC_INPUTS
            self.output_size = 1
            self.vocab, self.answers = [], []
            self.default_lengths = tuple(t.curriculum or (t.length[1],))
        else:
            self.kind, self.tolerance = "classify", None
            self.vocab, self.answers = input_vocabulary(t), answer_vocabulary(t)
            self.input_size, self.output_size = len(self.vocab), len(self.answers)
            most = max((item.fillers[1] for item in t.story if item.fillers), default=0)
            self.default_lengths = tuple(t.curriculum or (most,))
        self.word_id = {w: k for k, w in enumerate(self.vocab)}
        self.answer_id = {w: k for k, w in enumerate(self.answers)}
        self._sentences: dict = {}  # rendered sentences, reused across sequences
        self._rows: dict[Token, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def token_gating(self, tok: Token) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Intended gates, supervision targets and their emphasis for one word. A solution's rules never
        look at the step number (semantics forbids it), so all three depend on the token alone."""
        if tok not in self._rows:
            one = Sequence((tok,), "")
            gates = solution_gating(self.level, one)
            targets = decisive_targets(self.level, one, gates)[0]
            emphasis = np.ones_like(targets)
            role_gate = cells.ROLE_GATE[cells.cell_of(self.level)]
            if tok.key and tok.role in role_gate:
                S = self.level.network.slots
                g = cells.columns(self.level).index(role_gate[tok.role])
                emphasis[g * S:(g + 1) * S] = self.level.network.training.decisive
            self._rows[tok] = (gates[0], targets, emphasis)
        return self._rows[tok]

    def _row_index(self, tok: Token, table: list, rows_at: dict, by_id: dict) -> int:
        """Index of ``tok``'s gating rows in ``table`` (encode), adding them when new. Equal tokens share
        one cached row tuple, so its identity numbers the row."""
        row = self.token_gating(tok)
        j = rows_at.get(id(row))
        if j is None:
            j = rows_at[id(row)] = len(table)
            table.append(row)
        by_id[id(tok)] = j
        return j

    def _sign_blind(self, seq: Sequence, intended: np.ndarray, rng):
        """Signed levels: the output gate shut at some sign words, so the next number is written without
        its sign. The network cannot know that sign: plus and minus are equally likely, so the honest
        answer counts such a number as 0 (the mean of +v and -v)."""
        S = self.level.network.slots
        o0 = GATE_INDEX["output"] * S
        signs = [k for k, tok in enumerate(seq.tokens[:seq.blank]) if tok.role == "sign"]
        if not signs or rng is None:
            return None
        blind = [k for k in signs if rng.random() < 0.5] or [signs[int(rng.integers(len(signs)))]]
        out = intended.copy()
        out[blind, o0:o0 + S] = 0.0
        total = float(seq.answer) - sum(SIGNS[seq.tokens[k].word] * seq.tokens[k + 1].value for k in blind)
        return out, total

    def mixed_gating(self, seq: Sequence, intended: np.ndarray, rng=None):
        """(gating, target) of the mixed run, or None. Words: the intended gating with every value of the
        asked list written into the asked slot and that slot never cleared, when that memory holds two
        or more answers (and the solution's own memory does not already). Numbers: the intended gating
        with one more unmarked number written; the memory then holds, and must say, the sum of both."""
        if cells.cell_of(self.level) != "lstm":  # the mixtures below are written in an LSTM's gates
            return None
        S = self.level.network.slots
        i0, f0 = GATE_INDEX["input"] * S, GATE_INDEX["forget"] * S
        if self.numeric and self.level.task.kind == "signed":
            return self._sign_blind(seq, intended, rng)
        if self.numeric:
            # any unmarked number, the one read at the question too ("keep the latest reading")
            b = seq.blank
            free = [k for k, tok in enumerate(seq.tokens[:b + 1]) if tok.role in ("filler", "question")
                    and intended[k, i0] < 0.5 and np.all(intended[k + 1:b + 1, f0] > 0.5)]
            if not free or rng is None:
                return None
            # one more number, or (half of the time) any number of them, up to "add everything"
            n = 1 if rng.random() < 0.5 else int(rng.integers(1, len(free) + 1))
            extra = rng.choice(free, size=n, replace=False)
            out = intended.copy()
            out[extra, i0] = 1.0
            total = float(seq.answer) + sum(seq.tokens[k].value for k in extra)
            # drop each marked write half of the time, so a number written alone is read faithfully too
            for m, tok in enumerate(seq.tokens[:b]):
                if tok.role == "clue" and intended[m, i0] > 0.5 and rng.random() < 0.5:
                    out[m, i0] = 0.0
                    sign = seq.tokens[m - 1].word if m > 0 else "plus"
                    total -= SIGNS.get(sign, 1.0) * tok.value
            return out, total
        t = self.level.task
        q = seq.tokens[seq.blank]
        question = t.sentences[q.sentence]
        lists = placeholders(t.sentences[question.about].text)
        if not lists or q.slot is None:
            return None
        values, table = set(t.words[lists[0]]), t.answers.get(question.answer, {})
        steps = [k for k, tok in enumerate(seq.tokens[:seq.blank])
                 if tok.key and tok.role in ("clue", "distractor") and tok.word in values]
        s = q.slot

        def answers(ks):
            return {table.get(seq.tokens[k].word, seq.tokens[k].word) for k in ks}
        cleared = [k for k in range(seq.blank) if intended[k, f0 + s] < 0.5]
        kept = [k for k in steps if intended[k, i0 + s] > 0.5 and k >= (cleared[-1] if cleared else 0)]
        if len(answers(steps)) < 2 or len(answers(kept)) > 1:  # no mixture, or the solution's own
            return None
        out = intended.copy()
        out[:, f0 + s] = 1.0
        out[steps, i0 + s] = 1.0
        return out, None

    def draw(self, rng: np.random.Generator, length: int | None = None) -> Sequence:
        if self.numeric:
            return sample_numeric(self.level.task, rng, length)
        return sample_text(self.level.task, rng, length, self._sentences)

    def inputs(self, seq: Sequence) -> np.ndarray:
        """One sequence as the network's input: (T,) token ids, or (T, 3) numbers."""
        if self.numeric:
            T = len(seq)
            rows = [[t.value, float(t.role == "clue"), float(k == T - 1), float(t.word == "plus"),
                     float(t.word == "minus")] for k, t in enumerate(seq.tokens)]
            return np.array(rows)[:, :self.input_size]
        return np.array([self.word_id[w] for w in seq.words], np.int64)

    def encode(self, seqs: list[Sequence], rng: np.random.Generator | None = None,
               report: _Reporter | None = None) -> Batch:
        """Right-padded batch; the answer is scored at each sequence's blank. rng picks the extra number
        of a numeric level's mixed run (none without it)."""
        B = len(seqs)
        T = max(len(s) for s in seqs)
        if self.numeric:
            x = np.zeros((T, B, self.input_size))
            targets = np.zeros((T, B, 1))
        else:
            x = np.full((T, B), self.word_id[PAD], np.int64)
            targets = np.zeros((T, B), np.int64)
        mask = np.zeros((T, B), bool)
        W = cells.width(self.level)  # one block of S columns per gate of the cell
        # Every step's three gating rows come from its token alone (token_gating): number each distinct
        # token of the batch once, then gather all (T, B) rows in one indexing per array. Tokens are
        # told apart by identity first (rendered sentences and fillers are shared objects), so a
        # token's dataclass hash is computed once per object, not once per step. Row 0 is padding.
        table, rows_at, by_id = [None], {}, {}
        own = np.zeros((T, B), np.intp)    # padding repeats the sequence's last row (intended gating)
        blank = np.zeros((T, B), np.intp)  # padding: row 0 (no supervision, emphasis 1)
        for b, seq in enumerate(seqs):
            n, k = len(seq), seq.blank
            x[:n, b] = self.inputs(seq)
            targets[k, b] = seq.answer if self.numeric else self.answer_id[seq.answer]
            mask[k, b] = True
            ids = list(map(by_id.get, map(id, seq.tokens)))
            if None in ids:  # tokens not seen yet in this batch
                for q, tok in enumerate(seq.tokens):
                    if ids[q] is None:
                        ids[q] = by_id.get(id(tok)) or self._row_index(tok, table, rows_at, by_id)
            own[:n, b] = blank[:n, b] = ids
            own[n:, b] = ids[-1]
        pad = (np.zeros(W), np.full(W, np.nan), np.ones(W))
        table[0] = pad
        intended = np.array([r[0] for r in table], float).reshape(len(table), W)[own]
        supervise = np.array([r[1] for r in table], float).reshape(len(table), W)[blank]
        emphasis = np.array([r[2] for r in table], float).reshape(len(table), W)[blank]
        mixed = np.full((T, B, W), np.nan)
        mixed_targets = np.zeros_like(targets, dtype=float) if self.numeric else None
        for b, seq in enumerate(seqs):
            n, k = len(seq), seq.blank
            m = self.mixed_gating(seq, intended[:n, b], rng)
            if m is not None:
                mixed[:n, b], mixed[n:, b] = m[0], m[0][-1]
                if self.numeric:
                    mixed_targets[k, b] = m[1]
            if report is not None:
                report.tick()
        none = W == 0 or np.isnan(mixed[0, :, 0]).all()  # a plain RNN has no gates to mix
        return Batch(x, targets, mask, intended, supervise, emphasis, None if none else mixed,
                     None if none else mixed_targets)

    def sample(self, rng: np.random.Generator, batch_size: int, length: int) -> Batch:
        report = _Reporter(2 * batch_size)
        seqs = []
        for _ in range(batch_size):
            seqs.append(self.draw(rng, length))
            report.tick()
        return self.encode(seqs, np.random.default_rng([int(rng.integers(2**31)), 5]), report)
