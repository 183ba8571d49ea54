"""The training loop: Adam with clipping, a length curriculum, annealed crisp gates, restarts.

Recipe (engine-reference.md): success on long gaps is bimodal, so train short sequences first and
move to the next length once held-out accuracy reaches ``advance_accuracy``; if an attempt runs out
of steps, restart from a seed derived from the first. The crisp-gate penalty and the gate noise stay
off until the final length is learned, then ramp in linearly over ``anneal_steps`` (switching them on
from the start stalls training). An attempt succeeds when held-out accuracy reaches ``target_accuracy``
and, after the anneal, the answers under the intended gating are sure enough (``target_confidence``:
accuracy alone stops training while the right answer is barely on top; it waits at most
``settle_steps`` for that). Everything random comes from
the seed: the same seed gives bit-identical weights.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from .cell import EngineError, Workspace
from .model import Model
from .optim import Adam, clip_grad_norm


class TrainingCancelled(Exception):
    """Raised when the progress callback returns False (e.g. the player pressed Cancel)."""


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0
    batch_size: int = 64
    learning_rate: float = 1e-2
    clip_norm: float = 1.0
    forget_bias: float = 1.0
    lengths: tuple[int, ...] | None = None  # the curriculum; None = the task's default_lengths
    advance_accuracy: float = 0.99
    target_accuracy: float = 0.99
    target_confidence: float = 0.0          # mean p(right) under the intended gating (Objective.confidence)
    settle_steps: int = 400                 # at most this many steps waiting for target_confidence
    max_steps: int = 2000                   # per attempt
    restarts: int = 2                       # further attempts after the first
    patience: int = 400                     # restart when held-out accuracy stalls this many steps
    eval_every: int = 25
    eval_size: int = 512
    forced_weight: float = 1.0              # weight of the run under the intended gating
    supervision_weight: float = 0.0
    mixed_weight: float = 0.0               # weight of the mixed-memory run (its target: no answer)
    crisp: float = 0.0                      # lambda of the crisp-gate penalty
    gate_noise: float = 0.0                 # sigma of the noise on gate pre-activations
    anneal_steps: int = 200
    pool: int | None = None                 # draw batches from this many sequences per stage (a dataset)

    def __post_init__(self):
        checks = [("batch_size", self.batch_size >= 1), ("learning_rate", self.learning_rate > 0),
                  ("max_steps", self.max_steps >= 1), ("restarts", self.restarts >= 0),
                  ("patience", self.patience >= 1), ("settle_steps", self.settle_steps >= 0),
                  ("eval_every", self.eval_every >= 1), ("eval_size", self.eval_size >= 1),
                  ("advance_accuracy", 0 < self.advance_accuracy <= 1),
                  ("target_accuracy", 0 < self.target_accuracy <= 1),
                  ("crisp", self.crisp >= 0), ("gate_noise", self.gate_noise >= 0),
                  ("anneal_steps", self.anneal_steps >= 0), ("clip_norm", self.clip_norm > 0),
                  ("pool", self.pool is None or self.pool >= self.batch_size)]
        bad = [name for name, ok in checks if not ok]
        if bad:
            raise EngineError(f"invalid training setting(s): {', '.join(bad)}")
        if self.lengths is not None and (not self.lengths or min(self.lengths) < 1):
            raise EngineError("lengths must be a non-empty list of positive sequence lengths")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["lengths"] = None if self.lengths is None else list(self.lengths)
        return d


def stacked_fraction(unit: int, units: int, within: float) -> float:
    """Where a bar stands while try ``unit`` (0-based) of at most ``units`` is ``within`` (0..1) done.

    Try k gets a segment of the bar half as long as try k-1's (weights 1, 1/2, 1/4, ...), since each is
    needed only when the one before failed; so the usual first-try success fills about half the bar, and
    a run through every restart keeps moving to the end instead of sitting at one figure. The fraction
    grows with ``unit`` and with ``within``: no try ever moves the bar back.
    """
    units = max(1, units)
    unit = min(max(0, unit), units - 1)
    total = 2.0 - 0.5 ** (units - 1)            # sum of the weights 1, 1/2, ... over `units` tries
    start = 2.0 - 0.5 ** (unit - 1)             # the weights of the tries before (0 for the first)
    return min(1.0, (start + 0.5 ** unit * min(1.0, max(0.0, within))) / total)


@dataclass
class TrainProgress:
    """What a progress bar or a loading screen shows; passed to the callback at every evaluation.

    ``attempt_fraction`` is this attempt's own progress, never decreasing within the attempt: the larger
    of the step budget used and the curriculum reached (stages done plus held-out accuracy within the
    stage, over stages + 1/2 so the anneal still has room). ``fraction`` places it among the
    ``attempts`` the config allows (stacked_fraction).
    """

    attempt: int
    step: int             # optimiser steps in this attempt
    max_steps: int
    stage: int            # index into the curriculum
    stages: int
    length: int
    loss: float
    held_out_accuracy: float
    held_out_forced_accuracy: float | None
    phase: str            # "learning", "annealing" or "done"
    seconds: float
    attempts: int = 1               # restarts + 1: the most attempts this training may take
    attempt_fraction: float = 0.0   # this attempt's progress, 0..1, never decreasing within it

    @property
    def fraction(self) -> float:
        """Overall completion for a bar, monotone over steps, stages and attempts."""
        if self.phase == "done":
            return 1.0
        return stacked_fraction(self.attempt, self.attempts, self.attempt_fraction)


@dataclass
class TrainReport:
    success: bool
    steps: int                  # optimiser steps over all attempts
    attempts: int
    seconds: float
    held_out_accuracy: float
    held_out_forced_accuracy: float | None
    length: int                 # the longest curriculum length trained
    seed: int                   # seed of the attempt whose weights were kept
    history: list[tuple[int, int, int, float]] = field(default_factory=list)  # attempt, step, length, acc

    def to_dict(self) -> dict:
        return asdict(self)


def attempt_seed(seed: int, attempt: int) -> int:
    return seed if attempt == 0 else int(np.random.SeedSequence([seed, attempt]).generate_state(1)[0])


def train(model: Model, task, config: TrainConfig = TrainConfig(),
          progress: Callable[[TrainProgress], object] | None = None,
          stop: Callable[[], bool] | None = None) -> TrainReport:
    """Train ``model`` on ``task`` in place and return a report. The kept weights are those of the
    first successful attempt, or of the best attempt when none succeeds.

    ``progress`` is called at every evaluation (every ``eval_every`` steps) and may return False to
    cancel; ``stop`` is polled before every step (it must be cheap, e.g. ``threading.Event.is_set``), so
    a cancel from another thread lands within one step rather than at the next evaluation. Either raises
    TrainingCancelled. Neither touches a random stream: the weights do not depend on them."""
    lengths = tuple(config.lengths or task.default_lengths)
    start = time.perf_counter()
    eval_sets: dict[int, object] = {}
    needs_anneal = model.is_lstm and (config.crisp > 0 or config.gate_noise > 0)
    total_steps, history = 0, []
    best = None  # (score, params copy, report fields)

    def evaluate(length: int):
        if length not in eval_sets:  # held-out data: a stream of its own, the same for every attempt
            eval_sets[length] = task.sample(np.random.default_rng([config.seed, 99, length]),
                                            config.eval_size, length)
        o = model.objective(eval_sets[length], grads=False, forced_weight=config.forced_weight)
        return o.accuracy, o.forced_accuracy, o.confidence

    for attempt in range(config.restarts + 1):
        seed = attempt_seed(config.seed, attempt)
        model.reinitialize(seed, config.forget_bias)
        data_rng = np.random.default_rng([seed, 1])
        noise_rng = np.random.default_rng([seed, 2])
        opt = Adam(model.params(), lr=config.learning_rate)
        ws = Workspace()
        stage, anneal_start, settle_start = 0, None, None
        acc, facc, loss = 0.0, None, float("nan")
        best_here, best_step = -1.0, 0  # best held-out accuracy at this stage, and when
        pool, pool_length = None, None
        success, done_here = False, 0.0
        for step in range(1, config.max_steps + 1):
            if stop is not None and stop():
                raise TrainingCancelled("training cancelled")
            length = lengths[stage]
            ramp = 0.0
            if anneal_start is not None:
                ramp = min(1.0, (step - anneal_start) / max(1, config.anneal_steps))
            if config.pool is None:
                batch = task.sample(data_rng, config.batch_size, length)
            else:
                if pool_length != length:  # a new stage: a new pool at its length
                    pool, pool_length = task.sample(data_rng, config.pool, length), length
                batch = pool.take(data_rng.integers(0, config.pool, config.batch_size))
            obj = model.objective(batch, forced_weight=config.forced_weight, crisp=config.crisp * ramp,
                                  noise_sigma=config.gate_noise * ramp,
                                  supervision_weight=config.supervision_weight,
                                  mixed_weight=config.mixed_weight, rng=noise_rng,
                                  workspace=ws)
            loss = obj.loss
            if not np.isfinite(loss):
                break  # diverged: this attempt is lost, restart
            clip_grad_norm(obj.grads, config.clip_norm)
            opt.step(obj.grads)
            total_steps += 1
            if step % config.eval_every and step != config.max_steps:
                continue
            acc, facc, sure = evaluate(length)
            history.append((attempt, step, length, acc))
            learned = acc >= config.advance_accuracy and (facc is None or facc >= config.advance_accuracy)
            phase = "learning"
            if acc > best_here + 0.01:
                best_here, best_step = acc, step
            if stage < len(lengths) - 1:
                if learned:
                    stage, best_here, best_step = stage + 1, -1.0, step
            else:
                if needs_anneal and anneal_start is None and learned:
                    anneal_start = step
                annealed = not needs_anneal or (anneal_start is not None
                                                and step - anneal_start >= config.anneal_steps)
                phase = "annealing" if anneal_start is not None else phase
                accurate = acc >= config.target_accuracy and (facc is None or facc >= config.target_accuracy)
                if annealed and accurate and settle_start is None:
                    settle_start = step
                # sure enough, or waited `settle_steps` for it: confidence never costs a restart
                if annealed and accurate and (sure >= config.target_confidence
                                              or step - settle_start >= config.settle_steps):
                    success, phase = True, "done"
            reached = (stage + min(1.0, acc)) / (len(lengths) + 0.5)  # room left for the anneal
            done_here = max(done_here, step / config.max_steps, reached)
            if progress is not None and progress(TrainProgress(
                    attempt, step, config.max_steps, stage, len(lengths), length, loss, acc, facc, phase,
                    time.perf_counter() - start, config.restarts + 1, min(1.0, done_here))) is False:
                raise TrainingCancelled("training cancelled")
            if success:
                break
            if step - best_step >= config.patience and anneal_start is None:
                break  # stalled on a plateau: a fresh start is cheaper than waiting
        score = (success, stage, acc, facc or 0.0)
        if best is None or score > best[0]:
            best = (score, {n: p.copy() for n, p in model.params().items()},
                    dict(held_out_accuracy=acc, held_out_forced_accuracy=facc,
                         length=lengths[stage], seed=seed))
        if success:
            break
    (success, *_), params, fields = best
    for n, p in model.params().items():
        p[...] = params[n]
    return TrainReport(success=success, steps=total_steps, attempts=attempt + 1,
                       seconds=time.perf_counter() - start, history=history, **fields)
