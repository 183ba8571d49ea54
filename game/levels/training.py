"""A trained network per level: the training recipe, the content-addressed cache, the playability check.

Cache key = hash of the level's task, network and solution sections, the engine version and the
recipe version: editing a level's texts never retrains it, editing its task, network or solution (the
solution's gating is trained in) or changing the recipe always does. When the level's seed gives a
network that is not playable, training tries the next seeds (at most SEED_TRIES in all) and records
the seed it kept with the weights. Shipped weights live in
assets/models/<key>.npz with their content hashes in assets/models/manifest.json; other weights in the
per-user cache. A missing or corrupt file is retrained (with progress shown), never a crash.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from lstm_engine import (
    ENGINE_VERSION,
    Model,
    ModelFileError,
    TrainConfig,
    TrainProgress,
    load_model,
    save_model,
    stacked_fraction,
    train,
)

from .. import atomic, paths, safe_io
from . import cells, verdict
from .generator import LevelTask
from .machine import fingerprint
from .schema import Level
from .sequence import Sequence, play_sequence, solution_gating, strategy_gating

PLAYABLE_ACCURACY = 0.99
CONFIDENCE = 0.97   # training goes on until the intended gating's mean p(right) reaches this...
SETTLE = 1000       # ...or for this many steps at most (it also settles mixed memories towards no answer)
SEED_TRIES = 5      # the level's seed and at most 4 more when a network comes out not playable
SURE = 0.9          # a seed is preferred when the solution's p(right) on the played sequence reaches this
# Bump when the recipe (objective, supervision, stopping rule) changes: every level key changes with it,
# so weights trained by an older recipe are retrained, never mixed with the new ones.
RECIPE = 3
HELD_OUT = 1000
MANIFEST_MAX_BYTES = 1024 * 1024


def level_key(level: Level) -> str:
    """What training depends on: the task, the network and the solution's gating (trained in). The
    solution's explanation is text shown to the player, so it is left out, like every other text
    (written as empty, which keeps the key of a level without one as it always was). Fields added
    since the first levels are left out while they hold their defaults (the cell while it is the LSTM,
    the GRU's gates while unset), so every LSTM level keeps its key while the recipe stays the same."""
    network = level.network.model_dump(mode="json")
    if network["cell"] == "lstm":
        del network["cell"]
    payload = {"task": level.task.model_dump(mode="json"), "network": network, "engine": ENGINE_VERSION,
               "recipe": RECIPE}
    if level.solution is not None:
        solution = level.solution.model_copy(update={"explanation": None})
        payload["solution"] = _without_unset_gru_gates(solution.model_dump(mode="json"))
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _without_unset_gru_gates(value):
    if isinstance(value, dict):
        return {k: _without_unset_gru_gates(v) for k, v in value.items()
                if not (k in ("update", "reset") and v is None)}
    if isinstance(value, list):
        return [_without_unset_gru_gates(v) for v in value]
    return value


def train_config(level: Level, seed: int | None = None) -> TrainConfig:
    t = level.network.training
    return TrainConfig(seed=level.network.seed if seed is None else seed, batch_size=t.batch,
                       learning_rate=t.learning_rate, forget_bias=t.forget_bias, max_steps=t.max_steps,
                       restarts=t.restarts, forced_weight=t.forced, supervision_weight=t.supervision,
                       mixed_weight=t.mixed,
                       crisp=t.crisp, gate_noise=t.gate_noise, anneal_steps=t.anneal_steps,
                       pool=max(t.pool, t.batch),
                       advance_accuracy=PLAYABLE_ACCURACY, target_accuracy=PLAYABLE_ACCURACY,
                       target_confidence=CONFIDENCE, settle_steps=SETTLE)


def new_model(level: Level, task: LevelTask, seed: int | None = None) -> Model:
    n = level.network
    slots = None if n.cell == "rnn" else n.slots
    return Model.create(n.cell, task.input_size, n.hidden, task.output_size, slots=slots,
                        seed=n.seed if seed is None else seed, kind=task.kind, tolerance=task.tolerance)


_stopping = threading.local()


@contextmanager
def stop_when(check: Callable[[], bool]) -> Iterator[None]:
    """Every level training in this thread polls ``check`` before each optimiser step and stops with
    TrainingCancelled once it returns True: Esc lands within one step, not at the next evaluation."""
    previous = getattr(_stopping, "check", None)
    _stopping.check = check
    try:
        yield
    finally:
        _stopping.check = previous


def train_level(level: Level, progress=None, seed: int | None = None):
    """Train a fresh network for the level with one seed; returns (model, TrainReport)."""
    task = LevelTask(level)
    model = new_model(level, task, seed)
    report = train(model, task, train_config(level, seed), progress=progress,
                   stop=getattr(_stopping, "check", None))
    return model, report


@dataclass
class LevelProgress(TrainProgress):
    """The engine's progress plus which seed is being tried: "seed 2 of 5".

    ``fraction`` stacks the seeds the way the engine stacks a seed's attempts (stacked_fraction: each
    further seed gets half the bar space of the one before), with the engine's fraction over the
    attempts inside each seed's segment; so the bar moves on, never back, when a seed's network is not
    playable and the next seed starts. A seed whose training is done stands at the end of its segment.
    """

    seed: int = 0
    seed_try: int = 0        # 0-based
    seed_tries: int = 1

    @property
    def fraction(self) -> float:
        inner = 1.0 if self.phase == "done" else stacked_fraction(self.attempt, self.attempts,
                                                                  self.attempt_fraction)
        return stacked_fraction(self.seed_try, self.seed_tries, inner)


def seed_sequence(level: Level, tries: int = SEED_TRIES) -> list[int]:
    """The seeds training tries in turn: the level's own, then the next ones."""
    return [(level.network.seed + k) % 2**31 for k in range(tries)]


@dataclass
class Trained:
    model: Model
    report: object            # TrainReport of the kept seed
    seed: int                 # the seed whose network was kept
    tries: int                # seeds trained
    check: CheckResult


def train_playable(level: Level, progress=None, tries: int = SEED_TRIES) -> Trained:
    """Train with the level's seed and, while the network is not playable, with the next seeds (at most
    ``tries`` in all). Keeps the first network that plays as designed beyond doubt (CheckResult.playable,
    the solution at p(right) >= SURE, its own gating confidently right); otherwise the best of those
    tried: playable by counts_as_playable first, then the fewest problems, then the surest."""
    best = None
    seeds = seed_sequence(level, tries)
    for k, seed in enumerate(seeds):
        def tagged(p, k=k, seed=seed):
            return progress(LevelProgress(**{f.name: getattr(p, f.name) for f in fields(p)},
                                          seed=seed, seed_try=k, seed_tries=len(seeds)))
        model, report = train_level(level, None if progress is None else tagged, seed)
        check = check_level(level, model)
        found = Trained(model, report, seed, k + 1, check)
        if check.playable and check.solution.probability >= SURE and check.own.confident:
            return found
        rank = (counts_as_playable(check), report.success, -len(check.problems()), check.own.confident,
                check.solution.probability)
        if best is None or rank > best[0]:
            best = (rank, found)
    best[1].tries = len(seeds)
    return best[1]


# -- playing a gating through the network --------------------------------------------------------------
@dataclass
class Outcome:
    """What the network answers at the blank when run with some gating, and the verdict
    (game/levels/verdict.py: a win is the right answer on top *and* clearly above the gating's own guess)."""

    predicted: str | float
    probability: float            # of the right answer (classification); 1 or 0 within tolerance (numeric)
    top: list[tuple[str, float]]  # best answers with their probabilities (classification)
    wins: bool                    # the verdict: right on top and clearly above the uninformed baseline
    confident: bool               # and p(right) reaches the threshold (numeric: within the tolerance)
    baseline: float = 0.0         # what the same gates give without the clue (numeric: a guess's error)
    reason: str = ""              # the verdict in plain words
    clear_loss: bool = False      # not a win, and clearly so (a losing strategy must clearly lose)
    on_top: bool = False          # the right answer is on top (numeric: within tolerance), win or guess


def outcome_of(v: verdict.Verdict) -> Outcome:
    return Outcome(v.predicted, v.p_right, list(v.top), v.wins, v.confident, v.baseline, v.reason,
                   v.clear_loss, v.on_top)


def run_gating(level: Level, model: Model, task: LevelTask, seq: Sequence, gating=None) -> Outcome:
    """gating: (T, nS) values, one block per gate in cells.columns order (LSTM [i | f | o], GRU [z | r];
    NaN = the network decides), or None for the model's own run."""
    if gating is None:
        gating = np.full((len(seq), cells.width(level)), np.nan)
    return outcome_of(verdict.judge(level, model, task, seq, np.asarray(gating, float)[None])[0])


def held_out_accuracy(level: Level, model: Model, n: int = HELD_OUT, seed: int = 12345):
    """(own run, intended gating) accuracy on fresh sequences of the full length."""
    task = LevelTask(level)
    batch = task.sample(np.random.default_rng([seed, 3]), n, max(task.default_lengths))
    o = model.objective(batch, grads=False)
    return o.accuracy, o.forced_accuracy


@dataclass
class CheckResult:
    level: str
    own: Outcome
    solution: Outcome
    losing: list[tuple[str, Outcome]]
    held_out: float
    held_out_forced: float

    @property
    def playable(self) -> bool:
        """Trained well, the solution wins confidently and every losing strategy clearly loses."""
        return (self.held_out >= PLAYABLE_ACCURACY and self.held_out_forced >= PLAYABLE_ACCURACY
                and self.solution.confident and all(o.clear_loss for _, o in self.losing))

    def problems(self) -> list[str]:
        out = []
        if self.held_out < PLAYABLE_ACCURACY:
            out.append(f"held-out accuracy of the network's own run is {self.held_out:.1%} (< 99%)")
        if self.held_out_forced < PLAYABLE_ACCURACY:
            out.append(f"held-out accuracy under the intended gating is {self.held_out_forced:.1%} (< 99%)")
        if not self.solution.confident:
            out.append(f"the solution does not win confidently: {self.solution.reason}")
        out += [f"losing strategy '{n}' does not clearly lose: {o.reason}" for n, o in self.losing
                if not o.clear_loss]
        return out


def losing_counts(o: Outcome) -> bool:
    """Does a losing strategy's outcome spoil the level? Yes unless it clearly loses (verdict.py): a
    narrow loss could be a win on another seed."""
    return not o.clear_loss


def counts_as_playable(c: CheckResult) -> bool:
    """The rule that accepts a seed and counts seeds (levels check --seeds): CheckResult.playable."""
    return c.playable


def check_level(level: Level, model: Model) -> CheckResult:
    task = LevelTask(level)
    seq = play_sequence(level)
    gatings = [np.full((len(seq), cells.width(level)), np.nan)]
    if level.solution is not None:
        gatings.append(solution_gating(level, seq))
    gatings += [strategy_gating(level, seq, s.changes) for s in level.losing]
    judged = [outcome_of(v) for v in verdict.judge(level, model, task, seq, np.stack(gatings))]
    own = judged[0]
    sol, rest = (own, []) if level.solution is None else (judged[1], judged[2:])
    losing = [(s.name, o) for s, o in zip(level.losing, rest, strict=True)]
    acc, facc = held_out_accuracy(level, model)
    if facc is None and level.solution is None:  # a plain RNN has no intended gating: its own run counts
        facc = acc
    return CheckResult(level.id, own, sol, losing, acc, facc or 0.0)


# -- the cache ----------------------------------------------------------------------------------------------
def manifest_path() -> Path:
    return paths.shipped_models_dir() / "manifest.json"


def read_manifest(folder: Path | None = None) -> dict:
    try:
        data = safe_io.load_json_file((folder / "manifest.json") if folder else manifest_path(),
                                      MANIFEST_MAX_BYTES, what="model manifest")
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):  # FileRefused / JSONRefused: the weights are retrained, never a crash
        return {}


def write_manifest(data: dict, folder: Path | None = None) -> None:
    atomic.write_text((folder / "manifest.json") if folder else manifest_path(),
                      json.dumps(data, indent=2, sort_keys=True) + "\n")


def expected_config(level: Level) -> dict:
    """The architecture a level's network must have (a file of another shape is not this level's)."""
    task, n = LevelTask(level), level.network
    return {"kind": n.cell, "input_size": task.input_size, "hidden_size": n.hidden,
            "slots": None if n.cell == "rnn" or n.slots == n.hidden else n.slots,
            "output_size": task.output_size}


def cached_model(level: Level) -> tuple[Model | None, str]:
    """The level's trained network from shipped weights (hash-checked against the manifest) or the
    user cache; (None, why not) when neither is usable."""
    key, shape = level_key(level), expected_config(level)
    expected = read_manifest().get(key, {}).get("model_hash")
    shipped = paths.shipped_models_dir() / f"{key}.npz"
    reasons = []
    if shipped.is_file():
        if expected is None:
            reasons.append(f"{shipped}: not listed in {manifest_path()}")
        else:
            try:
                return load_model(shipped, expected, shape)[0], f"shipped {shipped.name}"
            except ModelFileError as e:
                reasons.append(str(e))
    user = paths.user_cache_dir() / "models" / f"{key}.npz"
    if user.is_file():
        try:
            return load_model(user, expected_config=shape)[0], f"cached {user}"
        except ModelFileError as e:
            reasons.append(str(e))
    return None, "; ".join(reasons) or "no trained weights yet"


def ensure_model(level: Level, progress=None, force: bool = False, ship: bool = False):
    """The level's network, training it when missing or corrupt (or when forced).

    Returns (model, report or None, where). ship=True writes into assets/models and the manifest
    (developers: the source checkout's, never an installed copy), otherwise into the per-user cache.
    """
    ship_dir = paths.ship_models_dir() if ship else None  # before training: a clear error, not a wasted hour
    why = "retraining on request"
    if not force:
        model, why = cached_model(level)
        if model is not None:
            return model, None, why
    found = train_playable(level, progress)
    model, report = found.model, found.report
    key = level_key(level)
    target = (ship_dir or paths.user_cache_dir() / "models") / f"{key}.npz"
    seeds = f"seed {found.seed}" + (f", {found.tries} seeds tried" if found.tries > 1 else "")
    try:
        digest = save_model(target, model, extra={"level": level.id},
                            training={"config": train_config(level, found.seed).to_dict(),
                                      "steps": report.steps, "seed": found.seed, "seeds_tried": found.tries,
                                      "recipe": RECIPE, "fingerprint": fingerprint(),
                                      "attempts": report.attempts, "success": report.success,
                                      "playable": counts_as_playable(found.check),
                                      "held_out_accuracy": report.held_out_accuracy,
                                      "held_out_forced_accuracy": report.held_out_forced_accuracy})
    except OSError as e:  # an unwritable cache costs a retrain next time, never the game
        return model, report, f"trained ({why}, {seeds}), not saved: {e}"
    if ship:
        manifest = read_manifest(ship_dir)
        manifest[key] = {"level": level.id, "model_hash": digest, "seed": found.seed,
                         "fingerprint": fingerprint()}
        write_manifest(manifest, ship_dir)
    return model, report, f"trained ({why}, {seeds}), saved to {target}"

