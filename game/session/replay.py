"""Replays: a versioned JSON file with the level and model it was played on and the whole history.

A replay's stored score is never trusted: verification re-simulates the history through the real
network and recomputes it. A replay made on a different level file or a different network is
rejected, because its history would not mean the same thing there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lstm_engine import ENGINE_VERSION, model_hash

from .. import atomic
from ..levels import catalogue, training
from ..levels.loader import LevelError, load_level
from ..levels.schema import Level
from ..levels.sequence import play_sequence
from .commands import ActionError, from_dict, to_dict
from .scoring import Score
from .session import PlaySession

FORMAT, VERSION = "gatekeeper-replay", 1
MAX_BYTES = 4 * 1024 * 1024
MAX_ACTIONS_PER_WORD = 500  # slider drags emit many actions; more than this per word is not play


class ReplayError(Exception):
    """A replay that cannot be read or verified; the message names the file and the reason."""


class ReplayFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    format: Literal["gatekeeper-replay"]
    version: Literal[1]
    level_id: str = Field(min_length=1, max_length=200)
    level_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    model_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    engine_version: str
    player: str = Field(max_length=40)
    started: str
    saved: str
    history: list[dict] = Field(max_length=100_000)
    score: dict


def level_hash(level: Level) -> str:
    return hashlib.sha256(json.dumps(level.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def make(session: PlaySession, level_id: str, player: str, started: str | None = None) -> ReplayFile:
    score = session.result().summary() if session.finished else {}
    if not 0 < len(player) <= 40:
        raise ReplayError(f"the player name must have 1 to 40 characters, got {len(player)}")
    return ReplayFile(format=FORMAT, version=VERSION, level_id=level_id, level_hash=level_hash(session.level),
                      model_hash=model_hash(session.model), engine_version=ENGINE_VERSION, player=player,
                      started=started or now(), saved=now(), history=[to_dict(a) for a in session.history],
                      score=score)


def save(path, replay: ReplayFile) -> None:
    atomic.write_text(path, json.dumps(replay.model_dump(mode="json"), indent=1) + "\n")


def load(path) -> ReplayFile:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ReplayError(f"{path}: too big for a replay (at most {MAX_BYTES // 1024 // 1024} MiB)")
        data = json.loads(path.read_text(encoding="utf-8"))
    except ReplayError:
        raise
    except FileNotFoundError:
        raise ReplayError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ReplayError(f"{path}: not a replay file (unreadable JSON: {e})") from None
    try:
        return ReplayFile.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise ReplayError(f"{path}: not a valid replay: {where}: {first['msg']}"
                          + (f" (and {len(e.errors()) - 1} more problems)" if len(e.errors()) > 1 else "")) \
            from None


@dataclass
class Verification:
    file: str
    level: str
    player: str
    score: Score                # recomputed, the only score that counts
    stored_matches: bool        # did the file's own score agree?
    session: PlaySession


def verify(path, replay: ReplayFile | None = None, level_file=None) -> Verification:
    """Re-simulate a replay. Raises ReplayError when it must be rejected.

    The level is looked up among the shipped levels by the replay's id, or read from ``level_file``
    (a teacher's own level); a replay never names a file to open."""
    replay = replay or load(path)
    if level_file is not None:
        try:
            level = load_level(level_file)
        except LevelError as e:
            raise ReplayError(f"{path}: the level file does not load:\n{e}") from None
        name = replay.level_id
        if level.id != replay.level_id.rsplit("/", 1)[-1]:
            raise ReplayError(f"{path}: recorded on level '{replay.level_id}', not on {level_file} "
                              f"(id '{level.id}')")
    else:
        try:
            name, entry = catalogue.shipped(replay.level_id)
        except catalogue.UnknownLevel as e:
            raise ReplayError(f"{path}: {e}; to verify a replay of your own level, give its file "
                              f"(--level FILE)") from None
        level = entry.level
        if level is None:
            raise ReplayError(f"{path}: level '{name}' does not load: {entry.error}")
    model, _, _ = training.ensure_model(level)
    now_hash = model_hash(model)
    if now_hash != replay.model_hash:  # e.g. the level's network was retrained by a newer recipe
        changed = "" if level_hash(level) == replay.level_hash else " (and the level file too)"
        raise ReplayError(f"{path}: the network of level '{replay.level_id}' has changed since this replay "
                          f"was recorded{changed}: it was played on a different network "
                          f"({replay.model_hash[:12]}; now {now_hash[:12]}), so it cannot be verified")
    if level_hash(level) != replay.level_hash:
        raise ReplayError(f"{path}: level '{replay.level_id}' has changed since this replay was recorded "
                          f"(level hash differs)")
    if len(replay.history) > MAX_ACTIONS_PER_WORD * len(play_sequence(level)) + 1000:
        raise ReplayError(f"{path}: the history is implausibly long ({len(replay.history)} actions)")
    try:
        session = PlaySession(level, model, [from_dict(a) for a in replay.history])
    except ActionError as e:
        raise ReplayError(f"{path}: the history cannot be replayed: {e}") from None
    if not session.finished:
        raise ReplayError(f"{path}: the sentence was not finished in this replay")
    score = session.result()
    stored = replay.score
    matches = stored.get("total") == score.total and stored.get("stars") == score.stars
    return Verification(str(path), name, replay.player, score, matches, session)


def save_attempt(store, player: str, session: PlaySession, level_id: str, started: str | None = None) -> int:
    """Record a finished session in the progress store: its score, stars and its replay (JSON)."""
    r = make(session, level_id, player, started)
    s = session.result()
    text = json.dumps(r.model_dump(mode="json"), indent=1)
    return store.record_attempt(player, level_id, s.total, s.stars, s.correct and s.confident, text)


def verify_text(text: str, label: str = "<stored replay>") -> Verification:
    """Verify a replay kept as text (e.g. in the progress store)."""
    try:
        data = json.loads(text)
        r = ReplayFile.model_validate(data)
    except (ValueError, ValidationError) as e:
        raise ReplayError(f"{label}: not a valid replay ({e.__class__.__name__})") from None
    return verify(label, r)
