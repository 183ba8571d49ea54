"""Verifying one attempt of a challenge: re-simulate the replay on the challenge's own level and network.

The only score that counts is the one recomputed here. A replay (game/session/replay.py's format) is
bytes from a student's machine, so it is read as hostile input:

1. at most MAX_ATTEMPT_BYTES, JSON within a depth limit (game/safe_io.loads_json), the replay schema
   (game/session/replay.ReplayFile: unknown fields refused);
2. its ``level_id`` must be a level of the challenge, its ``level_hash`` that level's hash and its
   ``model_hash`` the embedded network's hash: an attempt made on another version of the level, or with
   another network, would not mean the same thing here;
3. the challenge's rules: the time window (when ``now`` is given: the server's clock, never the
   replay's), hints (a challenge without hints refuses an attempt that used one), the time limit per
   attempt (on the replay's own start and save times: what an offline attempt can show);
4. the history is replayed action by action through a PlaySession on the embedded level and network
   (the same machinery as ``replay verify``), must finish the sentence, and is scored by
   game/session/scoring.py with the level's verdict (game/levels/verdict.py).

A refusal is an :class:`AttemptRefused` whose message is one line. A stored score that differs from the
recomputed one is **not** a refusal: the stored score is simply never used
(:attr:`VerifiedAttempt.stored_score_matches` says whether it agreed, so a collector can flag a forgery).

Hints: a replay's hint actions are the player's word (replays are not signed). When the class server
counted the hints itself, ``hints_counted`` is that count; the score then charges the larger of the two
and ``hints_self_reported`` is False.

For a process pool: :func:`verify_attempt` is a module-level function of picklable arguments (a
Challenge pickles without its networks, which are rebuilt from the embedded bytes), and
:func:`verify_in_worker` takes the challenge file's path instead, loading it once per process.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from pydantic import ValidationError

from .. import safe_io
from ..levels import cells
from ..session.commands import ActionError, from_dict, to_dict
from ..session.replay import MAX_ACTIONS_PER_WORD, ReplayFile
from ..session.scoring import HINT_COST
from .challenge import Challenge, load_challenge

MAX_ATTEMPT_BYTES = 256 * 1024
MAX_DEPTH = 8                      # a replay is 4 levels deep
TIME_LIMIT_GRACE = 5               # seconds: saving the replay takes a moment after the last word


class AttemptRefused(Exception):
    """An attempt that is not accepted; ``reason`` (and ``str()``) is one line."""

    def __init__(self, reason: str):
        reason = " ".join(str(reason).split())  # one line, whatever a message quoted
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class VerifiedAttempt:
    level_id: str
    player: str
    score: float                   # recomputed, 0..100, one decimal
    stars: int
    answer: str | float
    p_right: float
    baseline: float
    wins: bool
    hints: int                     # the hints the score charged
    hints_self_reported: bool
    words: list[str]
    player_gates: list[list[float]]  # per word, gates in reading order (cells.reading), each per slot
    model_gates: list[list[float]]   # the network's own run, the same layout
    replay: dict                   # the canonical replay, re-serialised by us (score recomputed)
    level_hash: str = ""
    network_hash: str = ""
    challenge_hash: str = ""
    confident: bool = False
    stored_score_matches: bool = True  # False: the file's own score differs (never used; a forgery flag)
    attempt_key: str = ""          # the same attempt (level, times, history) has one key, whoever sends it
    started: str = ""
    saved: str = ""
    reason: str = ""               # the verdict in plain words
    stored_score: float | None = None  # what the file said (never used; for the teacher's report)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> VerifiedAttempt:
        """Back from :meth:`to_dict` (e.g. from a store); unknown keys are ignored."""
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in names})


def _rows(level, gates, S: int) -> list[list[float]]:
    """Each word's gates in reading order (LSTM forget, input, output; GRU update, reset; RNN none)."""
    columns = cells.columns(level)
    cols = [columns.index(g) * S + s for g in cells.reading(level) for s in range(S)]
    return [[round(float(v), 6) for v in row] for row in gates[:, cols]]


def _time(text: str, what: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise AttemptRefused(f"malformed replay: {what} is not a date and time") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def attempt_key(replay: ReplayFile) -> str:
    """What makes an attempt this attempt: the level, when it was played, and every action (not the
    player's name: the same attempt sent by two students is the same attempt)."""
    payload = [replay.level_id, replay.level_hash, replay.model_hash, replay.started, replay.saved,
               replay.history]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def parse_replay(data: bytes | str) -> ReplayFile:
    """Steps 1 of the module docstring; AttemptRefused otherwise."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > MAX_ATTEMPT_BYTES:
        raise AttemptRefused(f"too large ({len(data) // 1024} KiB; an attempt has at most "
                             f"{MAX_ATTEMPT_BYTES // 1024} KiB)")
    try:
        obj = safe_io.loads_json(data, MAX_ATTEMPT_BYTES, MAX_DEPTH, what="the replay")
    except safe_io.JSONRefused as e:
        raise AttemptRefused(f"malformed replay: {e}") from None
    if not isinstance(obj, dict):
        raise AttemptRefused("malformed replay: not a replay (a JSON object is expected)")
    try:
        return ReplayFile.model_validate(obj)
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "the replay"
        msg = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        raise AttemptRefused(f"malformed replay: {where}: {msg}"[:300]) from None


def verify_attempt(challenge: Challenge, data: bytes | str, *, now: datetime | None = None,
                   hints_counted: int | None = None) -> VerifiedAttempt:
    """Verify one replay (bytes of its JSON) against a challenge; AttemptRefused with a one-line reason."""
    from ..session.session import PlaySession

    replay = parse_replay(data)
    cl = challenge.level(replay.level_id)
    if cl is None:
        raise AttemptRefused(f"level {replay.level_id[:80]!r} is not in this challenge")
    if replay.level_hash != cl.level_hash:
        raise AttemptRefused(f"level hash does not match: the attempt was made on another version of "
                             f"level {cl.id!r}")
    if replay.model_hash != cl.network_hash:
        raise AttemptRefused(f"network hash does not match: the attempt was made with another network "
                             f"for level {cl.id!r}")
    rules = challenge.rules
    if now is not None:
        if now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        why = rules.window_problem(now)
        if why:
            raise AttemptRefused(why)
    started, saved = _time(replay.started, "started"), _time(replay.saved, "saved")
    if rules.time_limit_seconds is not None:
        took = (saved - started).total_seconds()
        if took > rules.time_limit_seconds + TIME_LIMIT_GRACE:
            raise AttemptRefused(f"over the time limit: the attempt took {took:.0f} s (at most "
                                 f"{rules.time_limit_seconds} s)")
    level, model = cl.playable()
    try:  # the byte cap bounds the history: replaying it is linear in its length
        session = PlaySession(level, model, [from_dict(a) for a in replay.history])
    except ActionError as e:
        raise AttemptRefused(f"malformed replay: the history cannot be replayed: {e}"[:300]) from None
    if len(replay.history) > MAX_ACTIONS_PER_WORD * session.T + 1000:
        raise AttemptRefused(f"malformed replay: the history is implausibly long ({len(replay.history)} "
                             f"actions)")
    if not session.finished:
        raise AttemptRefused("the sentence was not finished in this attempt")
    own_hints = session.state.hints
    if hints_counted is not None and (isinstance(hints_counted, bool) or hints_counted < 0):
        raise ValueError(f"hints_counted must be a whole number >= 0, got {hints_counted!r}")
    hints = own_hints if hints_counted is None else max(own_hints, int(hints_counted))
    if not rules.hints_allowed and hints:
        raise AttemptRefused(f"hints are not allowed in this challenge (this attempt used {hints})")
    s = session.result()
    hint_part = round(min(HINT_COST * hints, s.answer_part + s.agreement_part), 1)
    total = round(s.answer_part + s.agreement_part - hint_part, 1)
    stored = replay.score
    matches = stored.get("total") == s.total and stored.get("stars") == s.stars
    canonical = replay.model_dump(mode="json", exclude_none=True)
    canonical["history"] = [to_dict(a) for a in session.history]
    canonical["score"] = s.summary()
    answer = s.answer if isinstance(s.answer, str) else round(float(s.answer), 6)
    return VerifiedAttempt(
        level_id=cl.id, player=replay.player, score=total, stars=int(s.stars), answer=answer,
        p_right=round(float(s.p_right), 6), baseline=round(float(s.baseline), 6), wins=bool(s.correct),
        hints=int(hints), hints_self_reported=hints_counted is None,
        words=[str(w) for w in session.sequence.words],
        player_gates=_rows(session.level, session.state.gates, session.S),
        model_gates=_rows(session.level, session.model_run.gates, session.S), replay=canonical,
        level_hash=cl.level_hash,
        network_hash=cl.network_hash, challenge_hash=challenge.challenge_hash, confident=bool(s.confident),
        stored_score_matches=bool(matches), attempt_key=attempt_key(replay), started=replay.started,
        saved=replay.saved, reason=s.reason, stored_score=_number(stored.get("total")))


def _number(v) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


# -- for a process pool -------------------------------------------------------------------------------
_LOADED: dict[tuple, Challenge] = {}


def challenge_for(path) -> Challenge:
    """The challenge file at ``path``, loaded once per process (again if the file changes)."""
    st = os.stat(path)
    key = (os.fspath(path), st.st_mtime_ns, st.st_size)
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = load_challenge(path)
    return _LOADED[key]


def verify_in_worker(challenge_path: str, data: bytes, now_iso: str | None = None,
                     hints_counted: int | None = None) -> dict:
    """For ProcessPoolExecutor.submit: plain arguments, a plain result. Returns ``{"ok": True,
    "attempt": VerifiedAttempt.to_dict()}`` or ``{"ok": False, "reason": one line}``."""
    now = None if now_iso is None else datetime.fromisoformat(now_iso)
    try:
        v = verify_attempt(challenge_for(challenge_path), data, now=now, hints_counted=hints_counted)
    except AttemptRefused as e:
        return {"ok": False, "reason": e.reason}
    return {"ok": True, "attempt": v.to_dict()}
