"""Helpers for the classroom tests: a real challenge made from shipped levels, and real replays of it.

No training ever: the levels are shipped ones (their weights are in assets/models) or a teacher's copy of
a shipped level under another id (the same task, network and solution, so the same weights serve it).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from game import paths
from game.classroom import challenge
from game.session import replay, scripted
from game.session.commands import UseHint
from game.session.session import PlaySession

CAMPAIGN = paths.levels_dir() / "campaign"
LEVELS = ["01-carry", "campaign/08-two-slots", "13-sensor-log"]


def own_level(folder: Path, new_id: str = "my-carry", title: str = "My carry") -> Path:
    """A teacher's own level file: 01-carry under another id and title (texts do not change the weights)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (CAMPAIGN / "01-carry.yaml").read_text(encoding="utf-8")
    text = text.replace("id: 01-carry", f"id: {new_id}", 1).replace("title: Carry the clue",
                                                                      f"title: {title}", 1)
    path = folder / f"{new_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def make(folder: Path, levels=None, rules: challenge.Rules | None = None, title="Week 3",
         name="challenge.yaml") -> tuple[Path, challenge.Challenge]:
    out = folder / name
    ch = challenge.make_challenge(title, list(levels or LEVELS), rules or challenge.Rules(), out)
    return out, ch


def played(ch: challenge.Challenge, level_id: str, strategy="solution", player="ada", hints=0,
           started: str | None = None, losing_index=0) -> dict:
    """A real replay (as the JSON dict a student's game writes) of a challenge level."""
    cl = ch.level(level_id)
    level, model = cl.playable()
    s = PlaySession(level, model)
    for _ in range(hints):
        s.apply(UseHint(s.step))
    scripted.play(s, scripted.strategy_gates(s, strategy, losing_index))
    r = replay.make(s, cl.id, player, started=started)
    return json.loads(replay.dumps(r))


def as_bytes(d: dict) -> bytes:
    return json.dumps(d).encode()


def copy(src: Path, dst: Path) -> Path:
    shutil.copy(src, dst)
    return dst
