"""A level as a training task for the engine: sequences -> Batch, with the intended gating and the
gate-supervision targets of every sequence (the generator knows where each clue, distractor, reset
and question is).

Building data (a pool of up to thousands of sequences) is reported while it runs: inside
``observe_building(callback)``, every ``sample`` calls ``callback(BuildProgress)`` at least every
``REPORT_SECONDS``; a callback that returns False stops the build with ``TrainingCancelled``, the
same exception as cancelling the training loop, so Esc works at once while data is built.
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
    PAD,
    Sequence,
    Token,
    answer_vocabulary,
    decisive_targets,
    input_vocabulary,
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


class LevelTask:
    """Implements the engine's task protocol (input_size, output_size, kind, tolerance,
    default_lengths, sample) for one level."""

    def __init__(self, level: Level):
        self.level = level
        t = level.task
        self.numeric = isinstance(t, NumericTask)
        if self.numeric:
            self.kind, self.tolerance = "regress", t.tolerance
            self.input_size, self.output_size = NUMERIC_INPUTS, 1
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
        self._rows: dict[Token, tuple[np.ndarray, np.ndarray]] = {}

    def token_gating(self, tok: Token) -> tuple[np.ndarray, np.ndarray]:
        """Intended gates and supervision targets of one word. A solution's rules never look at the
        step number (semantics forbids it), so both depend on the token alone and can be cached."""
        if tok not in self._rows:
            one = Sequence((tok,), "")
            gates = solution_gating(self.level, one)
            self._rows[tok] = (gates[0], decisive_targets(self.level, one, gates)[0])
        return self._rows[tok]

    def draw(self, rng: np.random.Generator, length: int | None = None) -> Sequence:
        if self.numeric:
            return sample_numeric(self.level.task, rng, length)
        return sample_text(self.level.task, rng, length, self._sentences)

    def inputs(self, seq: Sequence) -> np.ndarray:
        """One sequence as the network's input: (T,) token ids, or (T, 3) numbers."""
        if self.numeric:
            T = len(seq)
            return np.array([[t.value, float(t.role == "clue"), float(k == T - 1)]
                             for k, t in enumerate(seq.tokens)])
        return np.array([self.word_id[w] for w in seq.words], np.int64)

    def encode(self, seqs: list[Sequence], report: _Reporter | None = None) -> Batch:
        """Right-padded batch; the answer is scored at each sequence's blank."""
        B = len(seqs)
        T = max(len(s) for s in seqs)
        if self.numeric:
            x = np.zeros((T, B, NUMERIC_INPUTS))
            targets = np.zeros((T, B, 1))
        else:
            x = np.full((T, B), self.word_id[PAD], np.int64)
            targets = np.zeros((T, B), np.int64)
        mask = np.zeros((T, B), bool)
        W = cells.width(self.level)  # one block of S columns per gate of the cell
        intended = np.empty((T, B, W))
        supervise = np.full((T, B, W), np.nan)
        for b, seq in enumerate(seqs):
            n, k = len(seq), seq.blank
            x[:n, b] = self.inputs(seq)
            targets[k, b] = seq.answer if self.numeric else self.answer_id[seq.answer]
            mask[k, b] = True
            rows = [self.token_gating(t) for t in seq.tokens]
            intended[:n, b] = [r[0] for r in rows]
            intended[n:, b] = rows[-1][0]  # padding after the blank changes nothing that is scored
            supervise[:n, b] = [r[1] for r in rows]
            if report is not None:
                report.tick()
        return Batch(x, targets, mask, intended, supervise)

    def sample(self, rng: np.random.Generator, batch_size: int, length: int) -> Batch:
        report = _Reporter(2 * batch_size)
        seqs = []
        for _ in range(batch_size):
            seqs.append(self.draw(rng, length))
            report.tick()
        return self.encode(seqs, report)
