"""Replays: a versioned JSON file with the level and model it was played on and the whole history.

A replay's stored score is never trusted: verification re-simulates the history through the real
network and recomputes it. A replay made on a different level file or a different network is
rejected, because its history would not mean the same thing there.

Where the level comes from: ``level_id`` is the game's reference for it (game/levels/refs.py: a shipped
``pack/id``, ``user:pack/id`` or ``file:<path>``) and ``level_source`` the level file's path for levels
that are not shipped. To verify, the level is looked up by the reference (and the recorded path, or a
file given with ``--level``); **the level's content hash decides**, so the same level moved elsewhere is
found and a different file at the same path is refused. A recorded path is only a hint: it is read
through the bounded reader (a regular level file under the cap) and used only if its hash matches.

Hints are self-reported. Replays are not signed, so a history whose hint actions were deleted replays
to a higher score and is accepted; until the classroom server counts hints itself, every verification
says so (:attr:`Verification.hints_self_reported`, printed by ``replay verify``).
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

from .. import atomic, safe_io
from ..levels import catalogue, refs, training
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
    # the level file's path, for a level that is not shipped (a hint: the level hash decides)
    level_source: str | None = Field(default=None, min_length=1, max_length=4096)


def level_hash(level: Level) -> str:
    return hashlib.sha256(json.dumps(level.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def make(session: PlaySession, level_id: str, player: str, started: str | None = None,
         source=None) -> ReplayFile:
    """source: the level file's path, for levels that are not shipped (module docstring)."""
    score = session.result().summary() if session.finished else {}
    if not 0 < len(player) <= 40:
        raise ReplayError(f"the player name must have 1 to 40 characters, got {len(player)}")
    if len(level_id) > refs.MAX_REF:
        raise ReplayError(f"a level reference has at most {refs.MAX_REF} characters (game/levels/refs.py)")
    return ReplayFile(format=FORMAT, version=VERSION, level_id=level_id, level_hash=level_hash(session.level),
                      model_hash=model_hash(session.model), engine_version=ENGINE_VERSION, player=player,
                      started=started or now(), saved=now(), history=[to_dict(a) for a in session.history],
                      score=score, level_source=None if source is None else str(source))


def dumps(replay: ReplayFile, indent: int | None = 1) -> str:
    """The replay as JSON text (``level_source`` only when there is one, so shipped-level replays read
    the same as before it existed)."""
    return json.dumps(replay.model_dump(mode="json", exclude_none=True), indent=indent)


def save(path, replay: ReplayFile) -> None:
    atomic.write_text(path, dumps(replay) + "\n")


def load(path) -> ReplayFile:
    path = Path(path)
    try:
        data = safe_io.load_json_file(path, MAX_BYTES, what="replay file")
    except safe_io.FileRefused as e:
        raise ReplayError(str(e)) from None
    except safe_io.JSONRefused as e:
        raise ReplayError(f"not a replay file: {e}") from None
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
    source: str | None = None   # the level file used, for levels that are not shipped
    hints_self_reported: bool = True  # replays are not signed: the hint count is the player's word


def _load_file(path, level_file) -> Level:
    try:
        return load_level(level_file)
    except LevelError as e:
        raise ReplayError(f"{path}: the level file does not load:\n{e}") from None


def _changed(path, replay: ReplayFile, level: Level, model=None) -> str:
    """Why a replay no longer verifies on this level: its network first (a newer training recipe retrains
    every level, and names the network that changed), else the level's content."""
    model = model if model is not None else training.ensure_model(level)[0]
    now = model_hash(model)
    if now != replay.model_hash:
        changed = "" if level_hash(level) == replay.level_hash else " (and the level file too)"
        return (f"{path}: the network of level '{replay.level_id}' has changed since this replay was "
                f"recorded{changed}: it was played on a different network ({replay.model_hash[:12]}; now "
                f"{now[:12]}), so it cannot be verified")
    return (f"{path}: level '{replay.level_id}' has changed since this replay was recorded "
            f"(level hash differs)")


def find_level(path, replay: ReplayFile, level_file=None) -> tuple[str, Level, str | None]:
    """(name, level, source file or None) of the level a replay was recorded on; ReplayError if it
    cannot be found. Every candidate must have the recorded content hash (module docstring)."""
    ref = replay.level_id
    if level_file is not None:
        target = refs.path_of(str(level_file)) or Path(level_file)
        level = _load_file(path, target)
        if level_hash(level) != replay.level_hash:
            raise ReplayError(f"{path}: recorded on level '{ref}', not on {level_file} (the level's "
                              f"content differs: id '{level.id}')")
        return ref, level, str(target)
    if not refs.is_file_ref(ref) and not ref.startswith(refs.USER):
        try:
            name, entry = catalogue.shipped(ref)
        except catalogue.UnknownLevel as e:
            if replay.level_source is None:
                raise ReplayError(f"{path}: {e}; to verify a replay of your own level, give its file "
                                  f"(--level FILE)") from None
        else:
            if entry.level is None:
                raise ReplayError(f"{path}: level '{name}' does not load: {entry.error}")
            if level_hash(entry.level) != replay.level_hash:
                raise ReplayError(_changed(path, replay, entry.level))
            return name, entry.level, None
    why = []
    candidates = [p for p in (replay.level_source, refs.path_of(ref)) if p is not None]
    if ref.startswith(refs.USER):
        try:
            _, entry = catalogue.user_entry(ref)
            candidates.insert(0, entry.path)
        except catalogue.UnknownLevel as e:
            why.append(str(e))
    for candidate in dict.fromkeys(str(c) for c in candidates):
        if Path(candidate).suffix not in (".yaml", ".yml"):
            why.append(f"{candidate}: not a level file")
            continue
        try:
            level = load_level(candidate)
        except LevelError as e:
            why.append(str(e).splitlines()[0])
            continue
        if level_hash(level) == replay.level_hash:
            return ref, level, candidate
        why.append(f"{candidate}: a different level now (its content changed)")
    detail = "; ".join(why) or "no level file was recorded"
    raise ReplayError(f"{path}: the level '{ref}' was not found ({detail}); give its file with --level FILE")


def verify(path, replay: ReplayFile | None = None, level_file=None) -> Verification:
    """Re-simulate a replay. Raises ReplayError when it must be rejected.

    The level is found by :func:`find_level` (``level_file``: a level file or a ``file:`` reference
    given by the user, e.g. a teacher's own level)."""
    replay = replay or load(path)
    name, level, source = find_level(path, replay, level_file)
    model, _, _ = training.ensure_model(level)
    if model_hash(model) != replay.model_hash:
        raise ReplayError(_changed(path, replay, level, model))
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
    return Verification(str(path), name, replay.player, score, matches, session, source)


def save_attempt(store, player: str, session: PlaySession, level_id: str, started: str | None = None,
                 source=None) -> int:
    """Record a finished session in the progress store: its score, stars and its replay (JSON).
    source: the level file's path for a level that is not shipped (so the attempt can be reopened)."""
    r = make(session, level_id, player, started, source)
    s = session.result()
    text = dumps(r)
    return store.record_attempt(player, level_id, s.total, s.stars, s.correct and s.confident, text)


def verify_text(text: str, label: str = "<stored replay>") -> Verification:
    """Verify a replay kept as text (e.g. in the progress store)."""
    try:
        data = safe_io.loads_json(text, MAX_BYTES, what=label)
        r = ReplayFile.model_validate(data)
    except safe_io.JSONRefused as e:
        raise ReplayError(str(e)) from None
    except (ValueError, ValidationError) as e:
        raise ReplayError(f"{label}: not a valid replay ({e.__class__.__name__})") from None
    return verify(label, r)
