"""A trained network per level: the training recipe, the content-addressed cache, the playability check.

Cache key = hash of the level's task and network sections and the engine version: editing a level's
texts never retrains it, editing its task or network always does. Shipped weights live in
assets/models/<key>.npz with their content hashes in assets/models/manifest.json; other weights in the
per-user cache. A missing or corrupt file is retrained (with progress shown), never a crash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lstm_engine import ENGINE_VERSION, Model, ModelFileError, TrainConfig, load_model, save_model, train
from lstm_engine.losses import softmax
from lstm_engine.model import gates_dict

from .. import paths
from .generator import LevelTask
from .schema import Level
from .sequence import Sequence, play_sequence, solution_gating, strategy_gating

PLAYABLE_ACCURACY = 0.99
HELD_OUT = 1000


def level_key(level: Level) -> str:
    """What training depends on: the task, the network and the solution (its gating is trained in)."""
    payload = {"task": level.task.model_dump(mode="json"), "network": level.network.model_dump(mode="json"),
               "solution": level.solution.model_dump(mode="json"), "engine": ENGINE_VERSION}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def train_config(level: Level, seed: int | None = None) -> TrainConfig:
    t = level.network.training
    return TrainConfig(seed=level.network.seed if seed is None else seed, batch_size=t.batch,
                       learning_rate=t.learning_rate, forget_bias=t.forget_bias, max_steps=t.max_steps,
                       restarts=t.restarts, forced_weight=t.forced, supervision_weight=t.supervision,
                       crisp=t.crisp, gate_noise=t.gate_noise, anneal_steps=t.anneal_steps,
                       pool=max(t.pool, t.batch),
                       advance_accuracy=PLAYABLE_ACCURACY, target_accuracy=PLAYABLE_ACCURACY)


def new_model(level: Level, task: LevelTask, seed: int | None = None) -> Model:
    n = level.network
    return Model.create("lstm", task.input_size, n.hidden, task.output_size, slots=n.slots,
                        seed=n.seed if seed is None else seed, kind=task.kind, tolerance=task.tolerance)


def train_level(level: Level, progress=None, seed: int | None = None):
    """Train a fresh network for the level; returns (model, TrainReport)."""
    task = LevelTask(level)
    model = new_model(level, task, seed)
    report = train(model, task, train_config(level, seed), progress=progress)
    return model, report


# -- playing a gating through the network --------------------------------------------------------------
@dataclass
class Outcome:
    """What the network answers at the blank when run with some gating."""

    predicted: str | float
    probability: float            # of the right answer (classification); 1 or 0 within tolerance (numeric)
    top: list[tuple[str, float]]  # best answers with their probabilities (classification)
    wins: bool


def run_gating(level: Level, model: Model, task: LevelTask, seq: Sequence, gating=None) -> Outcome:
    """gating: (T, 3S) values [i | f | o] (NaN = the network decides), or None for the model's own run."""
    x = task.inputs(seq)[:, None]
    gates = None if gating is None else gates_dict(np.asarray(gating)[:, None, :], level.network.slots)
    trace = model.run(x, gates=gates)
    out = model.outputs(trace.h[seq.blank, 0])
    if task.numeric:
        pred = float(out[0])
        ok = abs(pred - float(seq.answer)) <= task.tolerance
        return Outcome(round(pred, 4), 1.0 if ok else 0.0, [], ok)
    p = softmax(out)
    order = np.argsort(-p)
    right = task.answer_id[seq.answer]
    return Outcome(task.answers[int(order[0])], float(p[right]),
                   [(task.answers[int(j)], float(p[j])) for j in order[:3]],
                   int(order[0]) == right and float(p[right]) >= level.win_threshold)


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
        return (self.held_out >= PLAYABLE_ACCURACY and self.held_out_forced >= PLAYABLE_ACCURACY
                and self.solution.wins and not any(o.wins for _, o in self.losing))

    def problems(self) -> list[str]:
        out = []
        if self.held_out < PLAYABLE_ACCURACY:
            out.append(f"held-out accuracy of the network's own run is {self.held_out:.1%} (< 99%)")
        if self.held_out_forced < PLAYABLE_ACCURACY:
            out.append(f"held-out accuracy under the intended gating is {self.held_out_forced:.1%} (< 99%)")
        if not self.solution.wins:
            out.append(f"the solution does not win: it answers {self.solution.predicted!r}")
        out += [f"losing strategy '{n}' wins" for n, o in self.losing if o.wins]
        return out


def check_level(level: Level, model: Model) -> CheckResult:
    task = LevelTask(level)
    seq = play_sequence(level)
    own = run_gating(level, model, task, seq)
    sol = run_gating(level, model, task, seq, solution_gating(level, seq))
    losing = [(s.name, run_gating(level, model, task, seq, strategy_gating(level, seq, s.changes)))
              for s in level.losing]
    acc, facc = held_out_accuracy(level, model)
    return CheckResult(level.id, own, sol, losing, acc, facc or 0.0)


# -- the cache ----------------------------------------------------------------------------------------------
def manifest_path() -> Path:
    return paths.shipped_models_dir() / "manifest.json"


def read_manifest() -> dict:
    try:
        data = json.loads(manifest_path().read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_manifest(data: dict) -> None:
    p = manifest_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    tmp.replace(p)


def cached_model(level: Level) -> tuple[Model | None, str]:
    """The level's trained network from shipped weights (hash-checked) or the user cache; (None, why)."""
    key = level_key(level)
    expected = read_manifest().get(key, {}).get("model_hash")
    shipped = paths.shipped_models_dir() / f"{key}.npz"
    reasons = []
    if shipped.is_file():
        try:
            return load_model(shipped, expected_hash=expected)[0], f"shipped {shipped.name}"
        except ModelFileError as e:
            reasons.append(str(e))
    user = paths.user_cache_dir() / "models" / f"{key}.npz"
    if user.is_file():
        try:
            return load_model(user)[0], f"cached {user}"
        except ModelFileError as e:
            reasons.append(str(e))
    return None, "; ".join(reasons) or "no trained weights yet"


def ensure_model(level: Level, progress=None, force: bool = False, ship: bool = False):
    """The level's network, training it when missing or corrupt (or when forced).

    Returns (model, report or None, where). ship=True writes into assets/models and the manifest
    (developers), otherwise into the per-user cache.
    """
    if not force:
        model, where = cached_model(level)
        if model is not None:
            return model, None, where
    model, report = train_level(level, progress)
    key = level_key(level)
    target = (paths.shipped_models_dir() if ship else paths.user_cache_dir() / "models") / f"{key}.npz"
    digest = save_model(target, model, extra={"level": level.id},
                        training={"config": train_config(level).to_dict(), "steps": report.steps,
                                  "attempts": report.attempts, "success": report.success,
                                  "held_out_accuracy": report.held_out_accuracy,
                                  "held_out_forced_accuracy": report.held_out_forced_accuracy})
    if ship:
        manifest = read_manifest()
        manifest[key] = {"level": level.id, "model_hash": digest}
        write_manifest(manifest)
    return model, report, str(target)
