"""Training data: the Batch a task produces, and two classic synthetic tasks.

A task is any object with ``input_size``, ``output_size``, ``kind`` ("classify" or "regress"),
``tolerance`` (regress only), ``default_lengths`` (a length curriculum) and
``sample(rng, batch_size, length) -> Batch``. Game levels provide their own tasks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Batch:
    """One batch of sequences, time-major.

    x: (T, B) int token ids, or (T, B, I) floats.
    targets: (T, B) ints (classify) or (T, B, O) floats (regress); only read where mask is True.
    mask: (T, B) bool, the steps that are scored (e.g. the blank).
    intended: optional (T, B, 3S) gate values [i | f | o] of the intended solution, NaN = free.
    supervise: optional (T, B, 3S) gate targets for the network's own run, NaN = unsupervised.
    emphasis: optional (T, B, 3S) weight of each supervision target (1 where absent); decisive gates
        weigh more than the rest.
    mixed: optional (T, B, 3S) gate values that write several different answers into one memory; its
        target is "no answer in particular" (uniform). NaN rows (a sequence with no mixture) are skipped.
    mixed_targets: regression only: what the memory under ``mixed`` holds (e.g. the sum of every number
        written), shaped like targets.
    """

    x: np.ndarray
    targets: np.ndarray
    mask: np.ndarray
    intended: np.ndarray | None = None
    supervise: np.ndarray | None = None
    emphasis: np.ndarray | None = None
    mixed: np.ndarray | None = None
    mixed_targets: np.ndarray | None = None

    @property
    def size(self) -> int:
        return self.x.shape[1]

    def take(self, idx: np.ndarray) -> Batch:
        """The sequences at ``idx``, trimmed after the last scored step (padding there is idle work)."""
        mask = self.mask[:, idx]
        T = int(np.flatnonzero(mask.any(axis=1)).max()) + 1 if mask.any() else mask.shape[0]

        def pick(a):
            return None if a is None else a[:T, idx]
        return Batch(pick(self.x), pick(self.targets), mask[:T], pick(self.intended), pick(self.supervise),
                     pick(self.emphasis), pick(self.mixed), pick(self.mixed_targets))


class FirstSymbolTask:
    """Remember the first of ``symbols`` symbols through length-1 distractors; answer at the end.

    With ``distractors=0`` (the default) the distractors are drawn from the same symbols, so the
    network must latch the first one and ignore look-alikes; otherwise tokens symbols.. are extra
    distractor tokens. Hochreiter & Schmidhuber's long-lag test in miniature.
    """

    kind = "classify"
    tolerance = None

    def __init__(self, symbols: int = 4, distractors: int = 0, lengths=(10, 30, 100)):
        self.symbols, self.distractors = symbols, distractors
        self.input_size = symbols + distractors
        self.output_size = symbols
        self.default_lengths = tuple(lengths)

    def sample(self, rng: np.random.Generator, batch_size: int, length: int) -> Batch:
        low = 0 if self.distractors == 0 else self.symbols
        x = rng.integers(low, self.input_size, size=(length, batch_size))
        first = rng.integers(0, self.symbols, size=batch_size)
        x[0] = first
        targets = np.zeros((length, batch_size), np.int64)
        targets[-1] = first
        mask = np.zeros((length, batch_size), bool)
        mask[-1] = True
        return Batch(x, targets, mask)


class AddingTask:
    """The adding problem: inputs (value in [0, 1], marker); output the sum of the two marked values
    at the last step. Chance level (always answering 1.0) has mean squared error about 0.167."""

    kind = "regress"
    input_size = 2
    output_size = 1

    def __init__(self, lengths=(10, 30, 100), tolerance: float = 0.04):
        self.default_lengths = tuple(lengths)
        self.tolerance = tolerance

    def sample(self, rng: np.random.Generator, batch_size: int, length: int) -> Batch:
        x = np.zeros((length, batch_size, 2))
        x[:, :, 0] = rng.random((length, batch_size))
        half = max(1, length // 2)
        a = rng.integers(0, half, size=batch_size)
        b = rng.integers(half, length, size=batch_size)
        cols = np.arange(batch_size)
        x[a, cols, 1] = 1.0
        x[b, cols, 1] = 1.0
        targets = np.zeros((length, batch_size, 1))
        targets[-1, :, 0] = x[a, cols, 0] + x[b, cols, 0]
        mask = np.zeros((length, batch_size), bool)
        mask[-1] = True
        return Batch(x, targets, mask)
