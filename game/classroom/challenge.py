"""The challenge file: a class's levels, each with its trained network inside, and the session's rules.

A teacher makes one with ``python main.py classroom new --title T --levels ID,ID,... -o CHALLENGE.yaml``
and hands it out (class server, USB stick, shared folder). It is YAML, read as strictly as a level file
(game/levels/yaml_strict.py: no tags, no anchors, no duplicate keys; pydantic models with unknown fields
refused); every problem is one line ``file:line:column: field: message``::

    format: gatekeeper-challenge
    version: 1
    title: Week 3, the forget gate
    rules:
      opens_at: 2026-12-01T09:00:00+01:00   # or null: always open (a time zone is required)
      closes_at: 2026-12-01T09:45:00+01:00
      attempts_per_level: 3                  # or null: unlimited
      hints_allowed: true
      practice: false                        # true: no points, no board
      time_limit_seconds: null               # or the seconds one attempt may take
    levels:
    - id: campaign/01-carry                  # the level id replays carry
      title: Carry one clue
      level_hash: 5f0c…                      # game/session/replay.level_hash of the embedded level
      network_hash: 9a1d…                    # lstm_engine model_hash of the embedded network
      level_yaml: |                          # the level file itself, so every machine plays this level
        format: 1
        …
      weights: |                             # base64 of the trained network's .npz file
        UEsDBBQAAAAIAA…

**Why everything is embedded.** The level's text and its weights travel inside the file, so 30 lab
PCs play exactly the same level on exactly the same network and never train, whatever version of the
game or of the level files they have. Every result is stored with the level's and the network's
hashes, so a level edited later never changes an old result.

**What is checked on load**, before anything else is used: the file is a regular file of at most
MAX_BYTES; each embedded level parses (the level loader's own checks; a problem inside it is reported
at the ``level_yaml`` field with the line inside the embedded level) and has the stated ``level_hash``;
each network's base64 decodes to at most MAX_WEIGHTS_BYTES, passes lstm_engine's model-file checks
(every size checked before anything is allocated), has the architecture the level asks for, and has the
stated ``network_hash`` (a tampered network is refused, naming the level). Level ids are unique.

``challenge_hash`` is the SHA-256 of the canonical content (format, title, rules, and each level's id,
title, level hash and network hash): the same challenge written twice, or re-indented, has the same
hash; any change that matters gives another. Submissions and uploads carry it, so an attempt made for
another challenge is told apart.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .. import atomic, safe_io
from ..levels import yaml_strict
from ..levels.loader import LevelError, Problem, located, parse_level
from ..levels.schema import Level

FORMAT, VERSION = "gatekeeper-challenge", 1
MAX_BYTES = 8 * 1024 * 1024          # the whole file (13 shipped levels take about 300 KiB)
MAX_LEVELS = 40
MAX_WEIGHTS_BYTES = 1024 * 1024      # one level's .npz file, decoded (a shipped one is about 14 KiB)
MAX_LEVEL_YAML = yaml_strict.MAX_BYTES
TITLE_MAX = 80
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)?$"
OWN_PACK = "own"                     # the id prefix of a teacher's own level: own/<level id>
B64_LINE = 76

Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class ChallengeError(Exception):
    """A challenge file that cannot be used. ``str()`` is one line per problem,
    ``file:line:column: field: message``; ``problems`` holds them."""

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):  # one problem that belongs to no line of a file (e.g. an argument)
            self.problems = []
            super().__init__(problems)
            return
        self.problems = sorted(dict.fromkeys(problems), key=lambda p: (p.line, p.column))
        super().__init__("\n".join(str(p) for p in self.problems))


# -- the file, as pydantic models --------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


def parse_time(text: str) -> datetime:
    """An ISO 8601 date and time with its time zone ('Z' or +01:00); ValueError otherwise."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text[:40]}' is not a date and time like 2026-12-01T09:00:00+01:00") from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"'{text[:40]}' has no time zone: add one, like 2026-12-01T09:00:00+01:00 or "
                         "…T08:00:00Z")
    return when


class RulesFile(_Strict):
    opens_at: str | None = None
    closes_at: str | None = None
    attempts_per_level: int | None = Field(default=None, ge=1, le=1000)
    hints_allowed: bool = True
    practice: bool = False
    time_limit_seconds: int | None = Field(default=None, ge=10, le=24 * 3600)

    @field_validator("opens_at", "closes_at")
    @classmethod
    def _time(cls, v):
        if v is not None:
            parse_time(v)
        return v

    @field_validator("closes_at")
    @classmethod
    def _after(cls, v, info):
        opens = info.data.get("opens_at")
        if v is not None and opens is not None and parse_time(v) <= parse_time(opens):
            raise ValueError("closes_at must come after opens_at")
        return v


class LevelEntry(_Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=120)]
    title: Annotated[str, Field(min_length=1, max_length=60)]
    level_hash: Hash
    network_hash: Hash
    level_yaml: Annotated[str, Field(min_length=1, max_length=MAX_LEVEL_YAML)]
    # base64 is 4/3 of the bytes, plus a line break every B64_LINE characters
    weights: Annotated[str, Field(min_length=1, max_length=MAX_WEIGHTS_BYTES * 4 // 3 * 78 // 76 + 8)]


class ChallengeFile(_Strict):
    format: Literal["gatekeeper-challenge"]
    version: Literal[1]
    title: Annotated[str, Field(min_length=1, max_length=TITLE_MAX)]
    rules: RulesFile = RulesFile()
    levels: list[LevelEntry] = Field(min_length=1, max_length=MAX_LEVELS)

    @field_validator("version", mode="before")
    @classmethod
    def _not_boolean(cls, v):
        if isinstance(v, bool):  # True == 1 would otherwise pass Literal[1]
            raise ValueError("must be 1, got true/false")
        return v



# -- what the rest of the game uses ------------------------------------------------------------------------
@dataclass(frozen=True)
class Rules:
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    attempts_per_level: int | None = None   # None: unlimited
    hints_allowed: bool = True
    practice: bool = False                  # no points, no board
    time_limit_seconds: int | None = None

    @classmethod
    def from_file(cls, r: RulesFile) -> Rules:
        return cls(None if r.opens_at is None else parse_time(r.opens_at),
                   None if r.closes_at is None else parse_time(r.closes_at),
                   r.attempts_per_level, r.hints_allowed, r.practice, r.time_limit_seconds)

    def to_dict(self) -> dict:
        """JSON-able, as the challenge file writes it (times as ISO 8601 text)."""
        return {"opens_at": None if self.opens_at is None else self.opens_at.isoformat(),
                "closes_at": None if self.closes_at is None else self.closes_at.isoformat(),
                "attempts_per_level": self.attempts_per_level, "hints_allowed": self.hints_allowed,
                "practice": self.practice, "time_limit_seconds": self.time_limit_seconds}

    def window_problem(self, now: datetime) -> str | None:
        """Why an attempt at ``now`` (aware) is outside the time window, or None."""
        if self.opens_at is not None and now < self.opens_at:
            return f"the challenge is not open yet (it opens at {self.opens_at.isoformat()})"
        if self.closes_at is not None and now > self.closes_at:
            return f"the challenge is closed (it closed at {self.closes_at.isoformat()})"
        return None


@dataclass(eq=False)
class ChallengeLevel:
    """One level of a challenge: the level itself, its hashes and its embedded network."""

    id: str
    title: str
    level: Level
    level_hash: str
    network_hash: str
    level_yaml: str
    weights: bytes = field(repr=False)          # the .npz file's bytes
    _model: object = field(default=None, repr=False)

    def model(self):
        """The embedded trained network (lstm_engine.Model), checked against ``network_hash``; cached."""
        if self._model is None:
            self._model = model_from_npz(self.weights, self.network_hash, self.level, f"level '{self.id}'")
        return self._model

    def playable(self):
        """(Level, Model): what the game needs to play this level offline, never training."""
        return self.level, self.model()

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title}

    def __getstate__(self):  # a worker process rebuilds the network from the bytes (cheap), once
        state = dict(self.__dict__)
        state["_model"] = None
        return state


@dataclass(eq=False)
class Challenge:
    title: str
    rules: Rules
    levels: list[ChallengeLevel]
    challenge_hash: str
    path: str | None = None

    @property
    def short_hash(self) -> str:
        return self.challenge_hash[:12]

    def level(self, level_id: str) -> ChallengeLevel | None:
        return next((lv for lv in self.levels if lv.id == level_id), None)

    def public(self) -> dict:
        """What a student sees: ``{"title", "rules", "levels": [{"id", "title"}], "challenge_hash"}``."""
        return {"title": self.title, "rules": self.rules.to_dict(),
                "levels": [lv.to_dict() for lv in self.levels], "challenge_hash": self.challenge_hash}


def playable(level: ChallengeLevel):
    """(Level, Model) of a challenge level, for the game (the same as ``level.playable()``)."""
    return level.playable()


# -- hashes and the embedded network -----------------------------------------------------------------------
def canonical_hash(title: str, rules: dict, levels: list[tuple[str, str, str, str]]) -> str:
    """The challenge hash (module docstring). levels: (id, title, level_hash, network_hash)."""
    payload = {"format": FORMAT, "version": VERSION, "title": title, "rules": rules,
               "levels": [{"id": i, "title": t, "level_hash": lh, "network_hash": nh}
                          for i, t, lh, nh in levels]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def level_hash(level: Level) -> str:
    from ..session.replay import level_hash as replay_level_hash

    return replay_level_hash(level)


def model_from_npz(data: bytes, expected_hash: str | None, level: Level, label: str):
    """A Model from .npz bytes, through lstm_engine's model-file checks (sizes before allocation, the
    architecture the level asks for, the content hash). ModelFileError naming ``label`` otherwise."""
    from lstm_engine import ModelFileError, load_model

    from ..levels.training import expected_config

    if len(data) > MAX_WEIGHTS_BYTES:
        raise ModelFileError(f"{label}: the network is too big ({len(data)} bytes; at most "
                             f"{MAX_WEIGHTS_BYTES})")
    with tempfile.TemporaryDirectory(prefix="gatekeeper-challenge-") as tmp:
        path = Path(tmp) / "network.npz"
        path.write_bytes(data)
        try:
            model, _ = load_model(path, expected_hash, expected_config(level))
        except ModelFileError as e:
            raise ModelFileError(str(e).replace(str(path), f"{label}: the embedded network")) from None
    return model


def decode_weights(text: str) -> bytes:
    """base64 (line breaks and spaces ignored) -> bytes; ValueError when it is not base64 or too big."""
    compact = re.sub(r"\s+", "", text)
    if len(compact) > (MAX_WEIGHTS_BYTES + 2) // 3 * 4:
        raise ValueError(f"the network is too big (at most {MAX_WEIGHTS_BYTES // 1024} KiB)")
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64 text (the network was damaged)") from None


def encode_weights(data: bytes) -> str:
    b = base64.b64encode(data).decode("ascii")
    return "\n".join(b[k:k + B64_LINE] for k in range(0, len(b), B64_LINE)) + "\n"


# -- loading -----------------------------------------------------------------------------------------------
def _yaml_problems(file: str, exc: yaml_strict.StrictYAMLError) -> list[Problem]:
    return [Problem(file, p.line, p.column, ".".join(map(str, p.path)), p.message) for p in exc.problems]


def _embedded_problems(file: str, doc, k: int, exc: LevelError) -> list[Problem]:
    """A problem inside an embedded level, at its level_yaml field, saying where inside the level."""
    out = []
    for p in exc.problems:
        inner = f"{p.field}: " if p.field else ""
        out.append(located(file, doc, ("levels", k, "level_yaml"),
                           f"the embedded level, line {p.line} column {p.column}: {inner}{p.message}"))
    return out


def parse_challenge(raw: bytes, file: str = "<challenge>") -> Challenge:
    """A challenge from the bytes of its file; ChallengeError (every problem found) otherwise."""
    from lstm_engine import ModelFileError

    from ..levels import loader

    try:
        doc = yaml_strict.load_bytes(raw, MAX_BYTES)
    except yaml_strict.StrictYAMLError as exc:
        raise ChallengeError(_yaml_problems(file, exc)) from None
    # the level loader's own validation: text safety, then the schema, every problem at its line
    parsed, problems = loader._validate(ChallengeFile, doc, file)
    if problems:
        raise ChallengeError(problems)
    levels, first = [], {}
    for k, entry in enumerate(parsed.levels):
        if entry.id in first:
            problems.append(located(file, doc, ("levels", k, "id"), f"the level id '{entry.id}' is listed "
                                    f"twice (also levels.{first[entry.id]}.id)"))
            continue
        first[entry.id] = k
        try:
            level = parse_level(entry.level_yaml, f"{file}: levels.{k}.level_yaml")
        except LevelError as exc:
            problems += _embedded_problems(file, doc, k, exc)
            continue
        if level_hash(level) != entry.level_hash:
            problems.append(located(file, doc, ("levels", k, "level_hash"),
                                    "does not match the embedded level (the level was changed after the "
                                    "challenge was made; make the challenge again)"))
            continue
        try:
            weights = decode_weights(entry.weights)
            model = model_from_npz(weights, entry.network_hash, level, f"level '{entry.id}'")
        except ValueError as e:
            problems.append(located(file, doc, ("levels", k, "weights"), str(e)))
            continue
        except ModelFileError as e:
            problems.append(located(file, doc, ("levels", k, "weights"),
                                    f"refused: {e} (the network was damaged or tampered with)"))
            continue
        levels.append(ChallengeLevel(entry.id, entry.title, level, entry.level_hash, entry.network_hash,
                                     entry.level_yaml, weights, model))
    if problems:
        raise ChallengeError(problems)
    rules = Rules.from_file(parsed.rules)
    digest = canonical_hash(parsed.title, rules.to_dict(),
                            [(lv.id, lv.title, lv.level_hash, lv.network_hash) for lv in levels])
    return Challenge(parsed.title, rules, levels, digest, file)


def load_challenge(path) -> Challenge:
    """Read and check a challenge file (module docstring); ChallengeError, one line per problem."""
    file = str(path)
    try:
        raw = safe_io.read_bytes(path, MAX_BYTES, what="challenge file")
    except safe_io.FileRefused as e:
        raise ChallengeError([Problem(file, 1, 1, "", e.reason)]) from None
    return parse_challenge(raw, file)


# -- making one --------------------------------------------------------------------------------------------
class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, text: str):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


def resolve_level(ref: str, progress=None):
    """(challenge id, level, level file text, npz bytes) for a shipped id (01-carry, campaign/01-carry) or a
    level file of the teacher's own. Trains an own level's network when it has none yet (progress: a
    training progress callback). LookupError / LevelError / ChallengeError when it cannot be used."""
    from lstm_engine import save_model

    from ..levels import catalogue, training

    hits = catalogue.resolve([ref])
    if len(hits) != 1:
        raise ChallengeError(f"'{ref}': names {len(hits)} levels; give one level id or one level file")
    name, path, level, error = hits[0]
    if level is None:
        raise error
    shipped = {n for n, _ in catalogue.shipped_entries()}
    cid = name if name in shipped else f"{OWN_PACK}/{level.id}"
    text = safe_io.read_text(path, MAX_LEVEL_YAML, what="level file")
    if level_hash(parse_level(text, str(path))) != level_hash(level):  # changed while we read it
        raise ChallengeError(f"{path}: the level file changed while it was read; try again")
    model, _, _ = training.ensure_model(level, progress)
    with tempfile.TemporaryDirectory(prefix="gatekeeper-challenge-") as tmp:
        target = Path(tmp) / "network.npz"
        save_model(target, model, extra={"level": level.id})
        weights = safe_io.read_bytes(target, MAX_WEIGHTS_BYTES, what="network file")
    return cid, level, text, weights


def challenge_text(title: str, rules: Rules, levels: list[tuple[str, Level, str, bytes]]) -> str:
    """The YAML text of a challenge. levels: (id, level, level file text, npz bytes)."""
    from lstm_engine import model_hash

    entries = []
    for cid, level, text, weights in levels:
        model = model_from_npz(weights, None, level, f"level '{cid}'")
        entries.append({"id": cid, "title": level.title, "level_hash": level_hash(level),
                        "network_hash": model_hash(model), "level_yaml": text,
                        "weights": encode_weights(weights)})
    data = {"format": FORMAT, "version": VERSION, "title": title, "rules": rules.to_dict(), "levels": entries}
    head = ("# A Gatekeeper classroom challenge (docs/classroom.md). Made by `classroom new`: the levels\n"
            "# and their trained networks are inside; edit only the title and the rules.\n")
    return head + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def make_challenge(title: str, level_refs: list[str], rules: Rules, out_path, progress=None) -> Challenge:
    """Write a challenge file with the levels (shipped ids or level files) and their networks embedded,
    atomically; returns it as loaded back (so what is written is exactly what students will read)."""
    if not level_refs:
        raise ChallengeError("a challenge needs at least one level")
    if len(level_refs) > MAX_LEVELS:
        raise ChallengeError(f"a challenge has at most {MAX_LEVELS} levels, got {len(level_refs)}")
    levels, seen = [], {}
    for ref in level_refs:
        item = resolve_level(ref, progress)
        if item[0] in seen:
            raise ChallengeError(f"'{ref}': the level '{item[0]}' is already in the challenge "
                                 f"(as '{seen[item[0]]}')")
        seen[item[0]] = ref
        levels.append(item)
    text = challenge_text(title, rules, levels)
    raw = text.encode("utf-8")
    if len(raw) > MAX_BYTES:
        raise ChallengeError(f"the challenge would be {len(raw) // 1024} KiB (at most "
                             f"{MAX_BYTES // 1024} KiB): use fewer levels")
    challenge = parse_challenge(raw, os.fspath(out_path))  # it must read back: never write a bad file
    atomic.write_text(out_path, text)
    return challenge
