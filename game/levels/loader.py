"""Level files and packs: strict YAML, then the schema, then the semantic checks. Every problem, at every
stage, becomes a ``Problem`` with the file, line and column a teacher should look at.

    level = load_level("levels/campaign/carry-one-clue.yaml")     # a Level, or LevelError
    listing = load_pack("levels/campaign")                         # never raises for a broken level
    code, lines = validate_paths(["levels"])                       # what `gatekeeper levels validate` prints

A problem reads ``path:line:column: field.path: message``, e.g.
``levels/campaign/carry-one-clue.yaml:12:5: task.sentnces: unknown field 'sentnces', did you mean
'sentences'? (allowed: kind, words, ...)``. Field paths count list items from 0, like the schema does.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import os
import threading
import types
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .. import text_safety
from . import yaml_strict
from .schema import Gating, Level, Pack
from .yaml_strict import Document, StrictYAMLError

LEVEL_SUFFIX = ".yaml"
PACK_FILE = "pack.yaml"
CHECKER_BUG = "the level checker failed (a bug in Gatekeeper, not in this file; please report it)"


# -- problems ------------------------------------------------------------------------------------------------
class Problem(NamedTuple):
    path: str       # the file
    line: int       # 1-based
    column: int     # 1-based
    field: str      # dotted field path ("task.story.2.fillers"), "" for the whole file
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}: "
        # printable: a problem quotes the file, whose name and text may hold anything (text_safety.py)
        return text_safety.printable(where + (f"{self.field}: " if self.field else "") + self.message)


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line, p.column))


class LevelError(Exception):
    """A level (or pack.yaml) that cannot be used; ``problems`` holds every problem, sorted by line."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = _sorted(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def dotted(path: tuple) -> str:
    return ".".join(str(c) for c in path)


def _yaml_problems(file: str, exc: StrictYAMLError) -> list[Problem]:
    return [Problem(file, p.line, p.column, dotted(p.path), p.message) for p in exc.problems]


# -- values and requirements in plain words ----------------------------------------------------------------
def describe(value: Any) -> str:
    """A value as a teacher wrote it: "text 'abc'", "the number 3", "a list", ..."""
    if isinstance(value, bool):
        return f"the value {'true' if value else 'false'}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"text '{text_safety.printable(short)}'" if value else "empty text ''"
    if value is None:
        return "nothing (the value is empty)"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    return f"{type(value).__name__}"


_EXPECTED = {
    "int_type": "a whole number",
    "float_type": "a number",
    "string_type": "text",
    "bool_type": "true or false",
    "list_type": "a list (lines starting with '- ', or [a, b])",
    "tuple_type": "a list (lines starting with '- ', or [a, b])",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
}
_SHORT = {"list_type": "a list", "tuple_type": "a list", "dict_type": "a mapping",
          "model_type": "a mapping", "model_attributes_type": "a mapping"}

_PATTERNS = {
    r"^[a-z][a-z0-9_]*$": "a name of lowercase letters a-z, digits and _, starting with a letter",
    r"^\S+$": "a single word, without spaces",
    r"^[a-z0-9][a-z0-9-]*$": "lowercase letters a-z, digits and -, starting with a letter or digit",
}


def _items(n) -> str:
    return f"{n} item" if n == 1 else f"{n} items"


def _message(err: dict, parent_model: type | None) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return "required field missing"
    if kind == "extra_forbidden":
        name = err["loc"][-1]
        if parent_model is None:
            return f"unknown field '{name}'"
        allowed = list(parent_model.model_fields)
        close = difflib.get_close_matches(str(name), allowed, n=1)
        hint = f", did you mean '{close[0]}'?" if close else ""
        return f"unknown field '{name}'{hint} (allowed: {', '.join(allowed)})"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {describe(value)}"
    if kind == "union_type":  # made by _merge_unions: no alternative fits
        return f"expected {' or '.join(ctx['expected'])}, got {describe(value)}"
    if kind == "union_tag_not_found":
        return "required field missing (it says which kind this is: text or adding)"
    if kind == "union_tag_invalid":
        return f"unknown kind '{ctx.get('tag')}' (allowed: {ctx.get('expected_tags')})"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}, got {describe(value)}"
    if kind == "string_pattern_mismatch":
        wanted = _PATTERNS.get(ctx.get("pattern"), f"text matching {ctx.get('pattern')}")
        return f"must be {wanted}, got {describe(value)}"
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return "must not be empty"
        return f"is too short: at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters, this has {len(value)}"
    if kind == "too_short":
        return f"needs at least {_items(ctx.get('min_length'))}, this has {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"has too many items: at most {ctx.get('max_length')}, this has {ctx.get('actual_length')}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal", "multiple_of",
                "finite_number"):
        return f"{_value_words(err['msg'])}, got {value!r}"
    if kind in ("value_error", "assertion_error"):
        msg = err["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            msg = msg.removeprefix(prefix)
        return msg
    if isinstance(value, str | int | float | bool) or value is None:
        return f"{_value_words(err['msg'])} (got {describe(value)})"
    return _value_words(err["msg"])


def _value_words(msg: str) -> str:
    """pydantic says "Input should be ...": in a level, "input" reads like the input gate."""
    return msg.replace("Input should", "the value should").replace("input value", "value")


# -- pydantic locations -> data paths -------------------------------------------------------------------
def _strip(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _union_members(tp: Any) -> list | None:
    if get_origin(tp) in (Union, types.UnionType):
        return [a for a in get_args(tp) if a is not type(None)]
    return None


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _member_for_tag(members: list, tag: Any, discriminator: Any) -> Any:
    """The union member a pydantic location tag names ('NumericPlay', 'list[...]', 'constrained-str',
    or a discriminator value such as 'text'); None when it cannot be told."""
    tag = str(tag)
    for m in members:
        s = _strip(m)
        if _is_model(s):
            if tag == s.__name__ or tag.endswith((f" {s.__name__}]", f"[{s.__name__}]")):
                return m
            if isinstance(discriminator, str) and discriminator in s.model_fields:
                ann = _strip(s.model_fields[discriminator].annotation)
                if get_origin(ann) is Literal and tag in map(str, get_args(ann)):
                    return m
            continue
        origin = get_origin(s)
        if origin in (list, dict, tuple) and tag.startswith(f"{origin.__name__}["):
            return m
        if origin is Literal and tag.startswith("literal["):
            return m
        if isinstance(s, type) and tag in (s.__name__, f"constrained-{s.__name__}"):
            return m
    return None


@dataclass
class _Where:
    path: tuple                     # the data path the error is about
    unions: list = field(default_factory=list)   # (data path of a union, tag of the member tried)
    parents: list = field(default_factory=list)  # resolved type at each prefix of path (None: unknown)
    key: bool = False               # the error is about a mapping key, not its value


def _walk(model: type, loc: tuple) -> _Where:
    where = _Where(())
    path: list = []
    tp, disc = model, None
    where.parents.append(tp)
    i = 0
    while i < len(loc):
        comp = loc[i]
        if tp is not None:
            tp = _strip(tp)
            members = _union_members(tp)
            if members is not None:
                if len(members) == 1:        # X | None: no tag in the location
                    tp = members[0]
                    where.parents[-1] = _strip(tp)
                    continue
                where.unions.append((tuple(path), comp))
                tp, disc = _member_for_tag(members, comp, disc), None
                where.parents[-1] = None if tp is None else _strip(tp)
                i += 1
                continue
        if comp == "[key]":
            where.key = True
            i += 1
            continue
        path.append(comp)
        nxt, next_disc = None, None
        if _is_model(tp):
            f = tp.model_fields.get(comp) if isinstance(comp, str) else None
            if f is not None:
                nxt, next_disc = f.annotation, f.discriminator
        elif tp is not None:
            origin, args = get_origin(tp), get_args(tp)
            if origin is list and args:
                nxt = args[0]
            elif origin is dict and len(args) == 2:
                nxt = args[1]
            elif origin is tuple and args and isinstance(comp, int):
                nxt = args[0] if args[-1] is Ellipsis else (args[comp] if comp < len(args) else None)
        tp, disc = nxt, next_disc
        where.parents.append(None if tp is None else _strip(tp))
        i += 1
    where.path = tuple(path)
    return where


def _merge_unions(records: list) -> list:
    """Of the members of a union, keep the errors of the one the value was meant for: members whose
    error is "wrong type of value" at the union itself did not fit. If none fits, one error says what
    would have: "expected a list or a mapping, got text 'x'"."""
    points = sorted({u[0] for w, _ in records for u in w.unions}, key=len)
    for point in points:
        by_tag: dict = {}
        for rec in records:
            for upath, tag in rec[0].unions:
                if upath == point:
                    by_tag.setdefault(tag, []).append(rec)
                    break
        if len(by_tag) < 2:
            continue

        fitting = [t for t, recs in by_tag.items() if not _misfit(recs, point)]
        tried = [rec for recs in by_tag.values() for rec in recs]
        if fitting:
            best = min(fitting, key=lambda t: len(by_tag[t]))
            drop = {id(rec) for t, recs in by_tag.items() if t != best for rec in recs}
            records = [rec for rec in records if id(rec) not in drop]
        else:
            expected = []
            for recs in by_tag.values():
                kind = next(e["type"] for w, e in recs if w.path == point and e["type"].endswith("_type"))
                name = _SHORT.get(kind) or _EXPECTED.get(kind, kind)
                if name not in expected:
                    expected.append(name)
            first = tried[0]
            merged = (_Where(point, [u for u in first[0].unions if len(u[0]) < len(point)]),
                      {"type": "union_type", "loc": point, "msg": "", "input": _input_at(tried, point),
                       "ctx": {"expected": expected}})
            drop = {id(rec) for rec in tried}
            records = [rec for rec in records if id(rec) not in drop] + [merged]
    return records


def _misfit(records: list, point: tuple) -> bool:
    """The member's errors say the value at the union is not even of the member's type."""
    return any(w.path == point and e["type"].endswith("_type") for w, e in records)


def _input_at(records: list, point: tuple) -> Any:
    for w, e in records:
        if w.path == point:
            return e.get("input")
    return None


def schema_problems(file: str, model: type, doc: Document, errors: list[dict]) -> list[Problem]:
    """pydantic errors -> Problems, each at the line and column of the field it is about."""
    records = _merge_unions([(_walk(model, tuple(e["loc"])), e) for e in errors])
    out = []
    for where, err in records:
        parent = where.parents[-2] if len(where.parents) >= 2 else None
        message = _message(err, parent if _is_model(parent) else None)
        if where.key:
            message = f"the key '{where.path[-1] if where.path else ''}' {message}"
        if err["type"] in ("union_tag_not_found", "union_tag_invalid"):  # about the field that picks
            where.path += (str((err.get("ctx") or {}).get("discriminator", "kind")).strip("'\""),)
        line, column = doc.locate(where.path)
        out.append(Problem(file, line, column, dotted(where.path), message))
    return out


def located(file: str, doc: Document, loc: tuple, message: str) -> Problem:
    """A problem about the field at ``loc`` (a data path), at that field's line and column."""
    line, column = doc.locate(tuple(loc))
    return Problem(file, line, column, text_safety.printable(dotted(tuple(loc))), message)


# -- text every screen can draw (game/text_safety.py states the rule) --------------------------------------
def text_problems(file: str, doc: Document) -> list[Problem]:
    """Every text of the file (values and keys) that cannot be drawn, at its field."""
    out: list[Problem] = []

    def walk(value: Any, path: tuple) -> None:
        if isinstance(value, str):
            why = text_safety.text_problem(value)
            if why:
                out.append(located(file, doc, path, why))
        elif isinstance(value, dict):
            for k, v in value.items():
                why = text_safety.text_problem(k) if isinstance(k, str) else None
                if why:
                    out.append(located(file, doc, path + (k,), f"the key {why}"))
                walk(v, path + (k,))
        elif isinstance(value, list):
            for k, v in enumerate(value):
                walk(v, path + (k,))

    walk(doc.data, ())
    return out


# -- one document against one model ----------------------------------------------------------------------
def _validate(model: type, doc: Document, file: str) -> tuple[Any, list[Problem]]:
    unsafe = text_problems(file, doc)
    if unsafe:  # refused before any check could quote (or a screen draw) the text
        return None, unsafe
    data = doc.data
    if data is None:
        return None, [Problem(file, 1, 1, "", "the file is empty")]
    if not isinstance(data, dict):
        line, column = doc.locate(())
        return None, [Problem(file, line, column, "",
                              f"the top level must be fields like 'title: My level', one per line, "
                              f"not {describe(data)}")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, schema_problems(file, model, doc, exc.errors(include_url=False))


def _semantic_problems(level: Level) -> list[tuple[tuple, str]]:
    try:
        semantics = importlib.import_module(f"{__package__}.semantics")
    except ModuleNotFoundError as exc:  # semantics.py not written yet; its own import errors still raise
        if exc.name == f"{__package__}.semantics":
            return []
        raise
    return list(semantics.problems(level))


def _file_id(file: str) -> str:
    name = os.path.basename(file)
    return name[:-len(LEVEL_SUFFIX)] if name.endswith(LEVEL_SUFFIX) else os.path.splitext(name)[0]


def parse_level(source: bytes | str, file: str = "<level>", file_id: str | None = None) -> Level:
    """A level from the bytes (or text) of a file. ``file`` names it in problems; when ``file_id`` is
    given the level's id must equal it. Raises LevelError with every problem found."""
    try:
        doc = yaml_strict.load_text(source) if isinstance(source, str) else yaml_strict.load_bytes(source)
    except StrictYAMLError as exc:
        raise LevelError(_yaml_problems(file, exc)) from None
    level, problems = _validate(Level, doc, file)
    data = doc.data
    if (file_id is not None and isinstance(data, dict) and isinstance(data.get("id"), str)
            and data["id"] != file_id and not any(p.field == "id" for p in problems)):
        problems.append(located(file, doc, ("id",), f"the id '{data['id']}' must be the file name without "
                                                    f"{LEVEL_SUFFIX}: '{file_id}'"))
    if level is not None:  # the schema holds (an id that is not the file name does not stop the checks)
        try:
            found = _semantic_problems(level)
        except Exception as exc:  # noqa: BLE001 - a bug in a check refuses the level, never crashes the game
            found = [((), f"{CHECKER_BUG}: {type(exc).__name__}: {exc}")]
        problems.extend(located(file, doc, tuple(loc), message) for loc, message in found)
    if problems:
        raise LevelError(problems)
    return level


# Parsed levels by content: level select lists every level each time it opens, and parsing and checking
# a level costs milliseconds to seconds. The key is the file's bytes (their SHA-256), its name and the id
# it must have, so an edited file is parsed again at once (never stale) and an unchanged one is the very
# same frozen Level. A broken file's problems are kept too. Least recently used entries go first. The
# game fills it from a background thread after its first frame (game/ui/app.py), hence the lock.
_PARSED: OrderedDict[tuple[bytes, str, str | None], Level | tuple[Problem, ...]] = OrderedDict()
_PARSED_LOCK = threading.Lock()
PARSED_CACHE_SIZE = 256


def parse_level_cached(raw: bytes, file: str = "<level>", file_id: str | None = None) -> Level:
    """parse_level, remembered by content (see _PARSED)."""
    key = (hashlib.sha256(raw).digest(), file, file_id)
    with _PARSED_LOCK:
        hit = _PARSED.get(key)
    if hit is None:
        try:
            hit = parse_level(raw, file, file_id)
        except LevelError as exc:
            hit = tuple(exc.problems)
    with _PARSED_LOCK:
        hit = _PARSED.setdefault(key, hit)  # a parse finished first by another thread wins: one object
        _PARSED.move_to_end(key)
        while len(_PARSED) > PARSED_CACHE_SIZE:
            _PARSED.popitem(last=False)
    if isinstance(hit, tuple):
        raise LevelError(hit)  # a new exception each time: a raised one carries its traceback along
    return hit


def load_level(path: str | os.PathLike) -> Level:
    """Read, check and return one level file; LevelError lists every problem, sorted by line."""
    file = str(path)
    try:
        raw = yaml_strict.read_bytes(path)
    except StrictYAMLError as exc:
        raise LevelError(_yaml_problems(file, exc)) from None
    return parse_level_cached(raw, file, _file_id(file))


def load_gating(path: str | os.PathLike, level: Level) -> Gating:
    """A gating file for ``replay record LEVEL --gating FILE``: the solution's rule language (``default``,
    ``rules``), read with the same strict YAML reader and checked against ``level`` (its slots, sentences,
    words and the played sequence's length). LevelError lists every problem as file:line:column: field."""
    file = str(path)
    try:
        doc = yaml_strict.load_file(path)
    except StrictYAMLError as exc:
        raise LevelError(_yaml_problems(file, exc)) from None
    gating, problems = _validate(Gating, doc, file)
    if gating is not None:
        from .semantics import gating_problems

        problems = [located(file, doc, loc, message) for loc, message in gating_problems(level, gating)]
    if problems:
        raise LevelError(problems)
    return gating


# -- packs ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PackEntry:
    """One name of a pack's ``order``: the level, or why it cannot be played."""

    name: str
    path: Path
    level: Level | None = None
    error: LevelError | None = None

    @property
    def ok(self) -> bool:
        return self.level is not None


@dataclass(frozen=True)
class PackListing:
    folder: Path
    title: str                       # the folder's name when pack.yaml is broken
    description: str | None
    entries: list[PackEntry]         # in the pack's order
    warnings: list[Problem]          # e.g. level files that are not in the order: listed, not fatal
    error: LevelError | None = None  # pack.yaml itself is missing or broken (then there are no entries)

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def ok(self) -> bool:
        return self.error is None and all(e.ok for e in self.entries)


def load_pack(folder: str | os.PathLike) -> PackListing:
    """pack.yaml, then every level of its order. Never raises for a broken file: problems are in the
    listing (``error`` for pack.yaml, each entry's ``error`` for its level)."""
    folder = Path(folder)
    pack_file = folder / PACK_FILE
    pf = str(pack_file)

    def broken(problems):
        return PackListing(folder, folder.name, None, [], [], LevelError(problems))

    try:
        doc = yaml_strict.load_file(pack_file)
    except StrictYAMLError as exc:
        return broken(_yaml_problems(pf, exc))
    pack, problems = _validate(Pack, doc, pf)
    if problems:
        return broken(problems)

    entries, first_at = [], {}
    for k, name in enumerate(pack.order):
        file = folder / f"{name}{LEVEL_SUFFIX}"
        if name in first_at:
            line = doc.locate(("order", first_at[name]))[0]
            err = LevelError([located(pf, doc, ("order", k), f"'{name}' is listed twice (also line {line})")])
            entries.append(PackEntry(name, file, error=err))
            continue
        first_at[name] = k
        if not file.is_file():
            err = LevelError([located(pf, doc, ("order", k), f"no level file '{file.name}' in this folder")])
            entries.append(PackEntry(name, file, error=err))
            continue
        try:
            entries.append(PackEntry(name, file, level=load_level(file)))
        except LevelError as exc:
            entries.append(PackEntry(name, file, error=exc))

    warnings = []
    for f in sorted(folder.iterdir()):
        if f.name == PACK_FILE or not f.is_file():
            continue
        if f.suffix == ".yml":
            warnings.append(located(pf, doc, ("order",), f"'{f.name}' ends in .yml: level files end in "
                                                          f"{LEVEL_SUFFIX}, so it is never played"))
        elif f.suffix == LEVEL_SUFFIX and f.stem not in first_at:
            warnings.append(located(pf, doc, ("order",), f"'{f.name}' is in this folder but not in 'order', "
                                                          "so it is never played"))
    return PackListing(folder, pack.title, pack.description, entries, warnings)


def pack_folders(root: str | os.PathLike) -> list[Path]:
    root = Path(root)
    return sorted((d for d in root.iterdir() if d.is_dir() and (d / PACK_FILE).is_file()),
                  key=lambda d: d.name)


def load_packs(root: str | os.PathLike) -> list[PackListing]:
    """Every sub-folder of ``root`` that has a pack.yaml, sorted by folder name."""
    return [load_pack(d) for d in pack_folders(root)]


# -- validation for the command line -----------------------------------------------------------------------
def _validate_level(path: Path, lines: list[str]) -> bool:
    try:
        load_level(path)
    except LevelError as exc:
        lines.extend(str(p) for p in exc.problems)
        return False
    lines.append(f"ok {path}")
    return True


def _validate_pack(folder: Path, lines: list[str]) -> bool:
    listing = load_pack(folder)
    if listing.error is not None:
        lines.extend(str(p) for p in listing.error.problems)
    for entry in listing.entries:
        if entry.ok:
            lines.append(f"ok {entry.path}")
        else:
            lines.extend(str(p) for p in entry.error.problems)
    lines.extend(str(p) for p in listing.warnings)
    return listing.ok


def validate_paths(paths: Iterable[str | os.PathLike]) -> tuple[int, list[str]]:
    """Check level files, pack folders, or folders of packs. Returns (0 if everything is valid else 1,
    the lines to print: "ok <path>" per valid level, every problem otherwise, pack warnings too)."""
    lines: list[str] = []
    ok = True
    for given in paths:
        path = Path(given)
        if path.is_file() and path.name == PACK_FILE:
            ok &= _validate_pack(path.parent, lines)
        elif path.is_file():
            ok &= _validate_level(path, lines)
        elif path.is_dir():
            if (path / PACK_FILE).is_file():
                ok &= _validate_pack(path, lines)
            elif packs := pack_folders(path):
                for folder in packs:
                    ok &= _validate_pack(folder, lines)
            elif loose := sorted(path.glob(f"*{LEVEL_SUFFIX}")):
                for file in loose:
                    ok &= _validate_level(file, lines)
            else:
                lines.append(str(Problem(str(path), 1, 1, "", "no pack.yaml, no pack folders and no level "
                                                              f"files ({LEVEL_SUFFIX}) here")))
                ok = False
        else:
            lines.append(str(Problem(str(path), 1, 1, "", "no such file or folder")))
            ok = False
    return (0 if ok else 1), lines
