"""One lab run: a cell trained on a task at one lag under the budget every cell shares, then scored on
held-out sequences.

The comparison is fair by construction:
  * the same parameter count: the LSTM has HIDDEN_LSTM units; the GRU and the RNN get the hidden size
    whose total parameter count (cell + readout) is closest to the LSTM's, so an RNN that fails did
    not fail for want of weights (at equal hidden size it would have a quarter of them);
  * the same budget and tuning: Adam at the same learning rate, the same batch size, gradient clipping,
    at most MAX_STEPS steps, no curriculum (every step is at the lag itself), one attempt, early stop
    once TARGET accuracy is reached on the training loop's own held-out check.

Lag: the sequence length T. For the adding problem the two marked numbers lie in the first and second
half, so the first must be held T/2..T steps; for the carry task the symbol comes first and the answer
is asked for after T-1 distractors.

Solved: held-out accuracy >= SOLVED on EVAL_SIZE fresh sequences (drawn from a seed of their own, never
trained on). An adding answer is right within AddingTask's tolerance 0.04 (always answering 1.0, the mean,
is right about 8% of the time); a carry answer is right when the most likely symbol is the first one
(chance: 1 in 4).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from lstm_engine import AddingTask, FirstSymbolTask, Model, TrainConfig, TrainProgress, train

from .limits import CELLS, GAP_RANGE, SEED_RANGE, TASKS
from .results import RunResult

HIDDEN_LSTM = 16
MAX_STEPS = 3000
BATCH = 32
LEARNING_RATE = 1e-2
TARGET = 0.98        # early stop on the training loop's own held-out check
SOLVED = 0.95        # on the lab's separate held-out set
EVAL_SIZE = 1000


def make_task(name: str):
    """The adding problem (Hochreiter & Schmidhuber's experiment 4), or carry-a-symbol with distractors:
    remember the first of 4 symbols through a stream of 4 other (distractor) tokens."""
    if name == "adding":
        return AddingTask()
    if name == "carry":
        return FirstSymbolTask(symbols=4, distractors=4)
    raise ValueError(f"task must be one of {', '.join(TASKS)}, got {name!r}")


def parameter_count(cell: str, task, hidden: int) -> int:
    m = Model.create(cell, task.input_size, hidden, task.output_size, kind=task.kind,
                     tolerance=task.tolerance)
    return sum(p.size for p in m.params().values())


def hidden_size(cell: str, task) -> int:
    """The hidden size giving ``cell`` the LSTM's parameter count (the closest; the smaller on a tie)."""
    if cell == "lstm":
        return HIDDEN_LSTM
    target = parameter_count("lstm", task, HIDDEN_LSTM)
    return min(range(1, 8 * HIDDEN_LSTM), key=lambda h: (abs(parameter_count(cell, task, h) - target), h))


def budget(seed: int, gap: int) -> TrainConfig:
    """The one training recipe of the lab, the same for every cell."""
    return TrainConfig(seed=seed, batch_size=BATCH, learning_rate=LEARNING_RATE, clip_norm=1.0,
                       lengths=(gap,), max_steps=MAX_STEPS, restarts=0, patience=MAX_STEPS,
                       eval_every=50, eval_size=256, advance_accuracy=TARGET, target_accuracy=TARGET)


def held_out(task, seed: int, gap: int):
    """The lab's held-out sequences: a random stream of their own, apart from training and its checks."""
    return task.sample(np.random.default_rng([seed, 4242, gap]), EVAL_SIZE, gap)


def build_model(cell: str, task, seed: int) -> Model:
    return Model.create(cell, task.input_size, hidden_size(cell, task), task.output_size, seed=seed,
                        kind=task.kind, tolerance=task.tolerance)


def check(cell: str, task: str, gap: int, seed: int) -> None:
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
    make_task(task)
    if not GAP_RANGE[0] <= gap <= GAP_RANGE[1]:
        raise ValueError(f"lag must be from {GAP_RANGE[0]} to {GAP_RANGE[1]}, got {gap}")
    if not SEED_RANGE[0] <= seed <= SEED_RANGE[1]:
        raise ValueError(f"seed must be from {SEED_RANGE[0]} to {SEED_RANGE[1]}, got {seed}")


def run(cell: str, task_name: str, gap: int, seed: int = 0,
        progress: Callable[[TrainProgress], object] | None = None) -> tuple[RunResult, Model]:
    """Train one cell at one lag and score it. Deterministic for a seed (the seconds aside); a progress
    callback returning False cancels (lstm_engine.TrainingCancelled)."""
    check(cell, task_name, gap, seed)
    task = make_task(task_name)
    model = build_model(cell, task, seed)
    start = time.perf_counter()
    report = train(model, task, budget(seed, gap), progress=progress)
    accuracy = model.objective(held_out(task, seed, gap), grads=False).accuracy
    seconds = time.perf_counter() - start
    params = sum(p.size for p in model.params().values())
    return RunResult(cell, task_name, gap, seed, round(float(accuracy), 4), bool(accuracy >= SOLVED),
                     round(seconds, 2), report.steps, model.cell.hidden_size, params), model


@dataclass
class BudgetProgress(TrainProgress):
    """TrainProgress whose bar is the share of the step budget used (the lab has one stage, so the
    engine's stage-based estimate would sit still)."""

    @property
    def fraction(self) -> float:
        return 1.0 if self.phase == "done" else min(1.0, self.step / max(1, self.max_steps))

    @classmethod
    def of(cls, p: TrainProgress) -> BudgetProgress:
        return cls(**{f.name: getattr(p, f.name) for f in fields(p)})
