"""A student's offline "my submission": one file with the nickname and every attempt of a challenge.

With no network at all, the student's game exports one JSON file and hands it in (USB stick, shared
folder); the teacher's ``classroom collect`` verifies every attempt in it by re-simulation
(game/classroom/collect.py). The file::

    {"format": "gatekeeper-submission", "version": 1,
     "nickname": "ada", "challenge_hash": "<64 hex>", "challenge_title": "Week 3", "saved": "<ISO time>",
     "attempts": [<replay>, <replay>, ...]}

Each attempt is a replay exactly as game/session/replay.py writes it (its stored score is never used).
The file is written atomically (game/atomic.py) under a safe name, ``gatekeeper-<nickname>-<challenge
short hash>.json``: only ``A-Z a-z 0-9 . _ -`` from the nickname (at most NAME_MAX characters); a
nickname that had to be changed to fit (spaces, accents, other scripts) also gets 6 hex digits of its
hash, so "Zoë" and "Zoé" never write over each other's file. Reading is bounded (MAX_BYTES, JSON depth,
game/safe_io.py); a file that cannot be read is a :class:`SubmissionError` with one line naming it. Each
attempt is checked later, one by one, so one broken attempt never hides the others.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .. import atomic, safe_io, text_safety
from ..session.replay import now as utc_now

FORMAT, VERSION = "gatekeeper-submission", 1
MAX_BYTES = 16 * 1024 * 1024
MAX_ATTEMPTS = 1000
MAX_DEPTH = 10          # submission > attempts > replay > history > action: 5 levels
NICKNAME_MAX = 40
NAME_MAX = 40
PREFIX = "gatekeeper-"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_HASH = re.compile(r"^[0-9a-f]{64}$")


class SubmissionError(Exception):
    """A submission file that cannot be read (or written); the message is one line naming the file."""


@dataclass(frozen=True)
class Submission:
    nickname: str
    challenge_hash: str
    challenge_title: str
    saved: str
    attempts: list          # each a replay as parsed JSON (checked when it is verified)
    path: str = ""


def check_nickname(nickname: str) -> str:
    """The nickname, stripped; ValueError (one line) when it cannot be one."""
    if not isinstance(nickname, str):
        raise ValueError("the nickname must be text")
    name = nickname.strip()
    if not 0 < len(name) <= NICKNAME_MAX:
        raise ValueError(f"the nickname must have 1 to {NICKNAME_MAX} characters, got {len(name)}")
    why = text_safety.text_problem(name)
    if why or "\n" in name or "\t" in name:
        raise ValueError(f"the nickname {why or 'contains a line break or a tab'}")
    return name


def file_name(nickname: str, challenge_hash: str) -> str:
    """``gatekeeper-<safe nickname>-<12 hex of the challenge>.json`` (module docstring)."""
    stem = _UNSAFE.sub("-", nickname).strip("-.")[:NAME_MAX].strip("-.")
    if stem != nickname:
        stem = (stem or "student") + "-" + hashlib.sha256(nickname.encode("utf-8", "surrogatepass")
                                                          ).hexdigest()[:6]
    return f"{PREFIX}{stem}-{challenge_hash[:12]}.json"


def _attempt(a) -> dict:
    """A replay as a dict: a dict, the JSON text/bytes of one, or a ReplayFile."""
    if isinstance(a, dict):
        return a
    if isinstance(a, (str, bytes, bytearray)):
        obj = safe_io.loads_json(a, MAX_BYTES, MAX_DEPTH, what="an attempt")
        if not isinstance(obj, dict):
            raise ValueError("an attempt must be a replay (a JSON object)")
        return obj
    if hasattr(a, "model_dump"):
        return a.model_dump(mode="json", exclude_none=True)
    raise TypeError(f"an attempt must be a replay, not {type(a).__name__}")


def write_submission(folder, nickname: str, challenge, attempts) -> Path:
    """Write the student's submission into ``folder`` (atomically, safe name); returns its path.
    challenge: a Challenge (its hash and title); attempts: replays (dicts, JSON text or ReplayFiles)."""
    try:
        name = check_nickname(nickname)
        items = [_attempt(a) for a in attempts]
    except (ValueError, TypeError) as e:
        raise SubmissionError(f"cannot write the submission: {e}") from None
    if len(items) > MAX_ATTEMPTS:
        raise SubmissionError(f"cannot write the submission: {len(items)} attempts (at most {MAX_ATTEMPTS})")
    data = {"format": FORMAT, "version": VERSION, "nickname": name,
            "challenge_hash": challenge.challenge_hash, "challenge_title": challenge.title,
            "saved": utc_now(), "attempts": items}
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise SubmissionError(f"cannot write the submission: it would be larger than "
                              f"{MAX_BYTES // 2**20} MiB")
    path = Path(folder) / file_name(name, challenge.challenge_hash)
    atomic.write_text(path, text)
    return path


def read_submission(path) -> Submission:
    """A submission file, bounded and checked (module docstring); SubmissionError otherwise."""
    try:
        raw = safe_io.read_bytes(path, MAX_BYTES, what="submission file")
    except safe_io.FileRefused as e:
        raise SubmissionError(str(e)) from None
    return parse_submission(raw, str(path))


def parse_submission(raw: bytes, file: str = "<submission>") -> Submission:
    """A submission from the bytes of its file; SubmissionError (one line naming ``file``) otherwise."""
    try:
        data = safe_io.loads_json(raw, MAX_BYTES, MAX_DEPTH, what="the submission file")
    except safe_io.JSONRefused as e:
        raise SubmissionError(f"{file}: {e}") from None
    if not isinstance(data, dict):
        raise SubmissionError(f"{file}: not a submission (a JSON object is expected)")
    if data.get("format") != FORMAT:
        what = data.get("format")
        kind = "a single replay; hand in the exported submission" if what == "gatekeeper-replay" else \
            f"format {str(what)[:40]!r}"
        raise SubmissionError(f"{file}: not a submission file ({kind})")
    if data.get("version") != VERSION or isinstance(data.get("version"), bool):
        raise SubmissionError(f"{file}: submission version {str(data.get('version'))[:20]!r} is not "
                              f"supported (this game reads version {VERSION})")
    extra = sorted(set(data) - {"format", "version", "nickname", "challenge_hash", "challenge_title",
                                "saved", "attempts"})
    if extra:
        raise SubmissionError(f"{file}: unknown field {extra[0][:40]!r}")
    try:
        nickname = check_nickname(data.get("nickname"))
    except ValueError as e:
        raise SubmissionError(f"{file}: nickname: {e}") from None
    digest = data.get("challenge_hash")
    if not isinstance(digest, str) or not _HASH.match(digest):
        raise SubmissionError(f"{file}: challenge_hash: not a challenge hash (64 hex digits)")
    attempts = data.get("attempts")
    if not isinstance(attempts, list):
        raise SubmissionError(f"{file}: attempts: a list of replays is expected")
    if len(attempts) > MAX_ATTEMPTS:
        raise SubmissionError(f"{file}: attempts: {len(attempts)} attempts (at most {MAX_ATTEMPTS})")
    title, saved = data.get("challenge_title", ""), data.get("saved", "")
    return Submission(nickname, digest, title if isinstance(title, str) else "",
                      saved if isinstance(saved, str) else "", attempts, file)
