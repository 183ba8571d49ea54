"""A strict, safe YAML reader for level files: plain data plus the line and column of every node.

Built on ``yaml.SafeLoader``'s scanner, parser and composer; the Python data is then built by this
module from the composed node tree (never by PyYAML's constructors), so nothing but plain text,
numbers, true/false, empty values, lists and mappings can come out of a file. Rejected, each with the
line and column where it happens:

- files above ``MAX_BYTES`` (checked on the bytes, before anything is parsed), files with NUL bytes
  (binary), text that is not UTF-8, and control characters YAML does not allow;
- YAML syntax errors, and more than one document in a file;
- anchors and aliases (``&name`` / ``*name``): they are never needed in a level and are how "billion
  laughs" alias bombs work;
- any explicit tag other than the standard ``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``,
  ``!!seq`` and ``!!map`` (so ``!!python/object/apply:os.system`` and friends are errors, never run);
- duplicate keys in a mapping, and keys that are lists or mappings;
- nesting deeper than ``MAX_DEPTH`` (no recursion blow-up on ``[[[[[[...``).

Plain (unquoted) words are read with a deliberately small rule set, close to YAML 1.2's core schema:

- only ``true`` and ``false`` (any of ``true``/``True``/``TRUE``) are booleans. YAML 1.1, which PyYAML
  follows, also turns ``yes``, ``no``, ``on``, ``off``, ``y`` and ``n`` into booleans: a teacher who writes
  ``answer: no`` or a word list ``[yes, no]`` means the words, so here they stay words;
- ``~``, ``null`` and an empty value are "nothing" (None);
- whole numbers are decimal only: ``007`` is 7 (YAML 1.1 reads it as octal), ``1_000`` and ``0x1F`` are
  text; real numbers are decimal with an optional exponent (``0.5``, ``.5``, ``1e-3``); ``.inf`` and
  ``.nan`` are text; YAML 1.1's sexagesimal numbers (``1:20`` read as 80) and dates are text.

``load_bytes``/``load_text``/``load_file`` return a ``Document``: ``data`` and ``positions``, a map from
every node path (a tuple of keys and list indices, ``()`` for the top level) to its 1-based
(line, column). A mapping entry's position is where its key starts; a list item's is where the item
starts. Every problem is a ``StrictYAMLError`` holding ``YamlProblem``s.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml
from yaml.events import AliasEvent
from yaml.nodes import ScalarNode, SequenceNode

from .. import safe_io

MAX_BYTES = 256 * 1024
MAX_DEPTH = 40
MAX_NUMBER_DIGITS = 100

Path = tuple
Position = tuple[int, int]

_PREFIX = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_PREFIX + t for t in ("str", "int", "float", "bool", "null"))
SEQ, MAP = _PREFIX + "seq", _PREFIX + "map"

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SCALAR_RULES = {BOOL: _BOOL, NULL: _NULL, INT: _INT, FLOAT: _FLOAT}


class YamlProblem(NamedTuple):
    line: int       # 1-based
    column: int     # 1-based
    path: Path      # node path, () when the problem is not inside a known node
    message: str


class StrictYAMLError(Exception):
    def __init__(self, problems: list[YamlProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(f"{p.line}:{p.column}: {p.message}" for p in self.problems))


@dataclass(frozen=True)
class Document:
    data: Any
    positions: dict[Path, Position]

    def locate(self, path: Path) -> Position:
        return locate(self.positions, path)


def locate(positions: dict[Path, Position], path: Path) -> Position:
    """Position of ``path``, else of its nearest parent that exists; (1, 1) if none does."""
    path = tuple(path)
    while True:
        try:
            if path in positions:
                return positions[path]
        except TypeError:  # an unhashable component: cannot be in the map
            pass
        if not path:
            return (1, 1)
        path = path[:-1]


def _error(message: str, line: int = 1, column: int = 1, path: Path = ()) -> StrictYAMLError:
    return StrictYAMLError([YamlProblem(line, column, path, message)])


# -- the loader: PyYAML's scanner/parser/composer with our resolver and guards -------------------------
class _Loader(yaml.SafeLoader):
    """SafeLoader with a YAML-1.2-like implicit resolver, no anchors/aliases, and a depth limit.
    Only ``compose_node`` is used (``get_single_node``); the constructor is never called."""

    yaml_implicit_resolvers: dict = {}

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        rule, mark = "anchors and aliases are not allowed in a level file", event.start_mark
        if isinstance(event, AliasEvent):
            raise yaml.composer.ComposerError(None, None, f"an alias (*{event.anchor}): {rule}", mark)
        if getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(None, None, f"an anchor (&{event.anchor}): {rule}", mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.add_implicit_resolver(BOOL, _BOOL, list("tTfF"))
_Loader.add_implicit_resolver(NULL, _NULL, ["~", "n", "N", ""])
_Loader.add_implicit_resolver(INT, _INT, list("-+0123456789"))
_Loader.add_implicit_resolver(FLOAT, _FLOAT, list("-+0123456789."))


# -- YAML errors in plain words ------------------------------------------------------------------------------
def _explain(problem: str) -> str:
    p = problem or "not valid YAML"
    if "'\\t'" in p or "\t" in p:
        return "a tab character: indent with spaces, never tabs"
    if p.startswith(("an alias", "an anchor", "nested more than")):
        return p
    if "mapping values are not allowed" in p:
        return ("a ':' where none is expected; text that contains ': ' must be put in quotes "
                f"(YAML says: {p})")
    if "unknown escape character" in p:
        return ("a backslash \\ inside double quotes starts an escape; use single quotes instead "
                f"(YAML says: {p})")
    if "could not find expected ':'" in p:
        return f"a line that is not 'key: value': is a ':' missing or the indentation wrong? (YAML says: {p})"
    if "expected <block end>" in p or "expected <block mapping start>" in p:
        return f"the indentation does not line up with the lines above (YAML says: {p})"
    if "end of stream" in p or "end of the stream" in p:
        return f"the file ends in the middle of something: is a bracket never closed? (YAML says: {p})"
    return f"not valid YAML: {p}"


def _from_yaml_error(exc: yaml.YAMLError, text: str) -> StrictYAMLError:
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[:max(0, exc.position)]
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        return _error(f"a control character (#x{exc.character:04x}) that a level file may not contain",
                      line, column)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    cmark = getattr(exc, "context_mark", None)
    if context and "expected a single document" in context:
        message, context = "a second document: a line '---' starts one; a level file holds exactly one", None
    elif "end of stream" in problem and "quoted scalar" in (context or "") and cmark is not None:
        mark, context = cmark, None  # point at the quote that is never closed
        message = "this quote is never closed (the file ends before the closing quote)"
    elif "<stream end>" in problem and "flow" in (context or "") and cmark is not None:
        bracket = "{" if "mapping" in context else "["
        mark, context = cmark, None
        message = f"this '{bracket}' is never closed (the file ends before the closing bracket)"
    else:
        message = _explain(problem)
    if context and cmark is not None and not message.startswith(("a tab", "an alias", "an anchor")):
        message += f" ({context} on line {cmark.line + 1})"
    if mark is None:
        return _error(message)
    return _error(message, mark.line + 1, mark.column + 1)


# -- node tree -> data + positions ---------------------------------------------------------------------------
def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_PREFIX):] if tag.startswith(_PREFIX) else tag


class _Builder:
    def __init__(self):
        self.positions: dict[Path, Position] = {}
        self.problems: list[YamlProblem] = []

    def problem(self, node, path: Path, message: str) -> None:
        self.problems.append(YamlProblem(node.start_mark.line + 1, node.start_mark.column + 1, path, message))

    def bad_tag(self, node, path: Path) -> None:
        self.problem(node, path, f"the tag '{_tag_name(node.tag)}' is not allowed: a level file holds only "
                                 "text, numbers, true/false, lists and mappings")

    def scalar(self, node: ScalarNode, path: Path):
        tag, value = node.tag, node.value
        if tag == STR:
            return value
        rule = _SCALAR_RULES.get(tag)
        if rule is None:
            self.bad_tag(node, path)
            return None
        if not rule.match(value):
            self.problem(node, path, f"'{value[:40]}' is not a valid {_tag_name(tag)} value")
            return None
        if tag == NULL:
            return None
        if tag == BOOL:
            return value.lower() == "true"
        if len(value) > MAX_NUMBER_DIGITS:
            self.problem(node, path, f"a number with more than {MAX_NUMBER_DIGITS} characters")
            return None
        return int(value, 10) if tag == INT else float(value)

    def build(self, node, path: Path):
        mark = node.start_mark
        self.positions.setdefault(path, (mark.line + 1, mark.column + 1))
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != SEQ:
                self.bad_tag(node, path)
                return None
            return [self.build(item, path + (k,)) for k, item in enumerate(node.value)]
        if node.tag != MAP:
            self.bad_tag(node, path)
            return None
        out: dict = {}
        first_line: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, path, "a key must be a plain name, not a list or a mapping")
                continue
            key = self.scalar(key_node, path)
            kpath = path + (key,)
            if key in out:
                self.problem(key_node, kpath, f"duplicate key '{key}' (already on line {first_line[key]})")
                continue
            first_line[key] = key_node.start_mark.line + 1
            self.positions[kpath] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, kpath)
        return out


# -- entry points --------------------------------------------------------------------------------------------
def load_text(text: str) -> Document:
    """Parse YAML text (already decoded). Raises StrictYAMLError."""
    if "\x00" in text:
        raise _error("this is not a text file (it contains NUL bytes: binary data)")
    try:
        loader = _Loader(text)  # the reader checks for forbidden characters here
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise _from_yaml_error(exc, text) from None
    if root is None:
        return Document(None, {})
    builder = _Builder()
    data = builder.build(root, ())
    if builder.problems:
        raise StrictYAMLError(builder.problems)
    return Document(data, builder.positions)


def decode(raw: bytes, max_bytes: int = MAX_BYTES) -> str:
    """Bytes -> text, with the size cap and clear messages for binary, UTF-16 and non-UTF-8 content."""
    if len(raw) > max_bytes:
        raise _error(f"the file is too big ({len(raw) / 1024:.0f} KiB; at most {max_bytes // 1024} KiB)")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _error("the file is saved as UTF-16: save it as UTF-8 text")
    if b"\x00" in raw:
        raise _error("this is not a text file (it contains NUL bytes: binary data)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise _error(f"the file is not UTF-8 text (first bad byte on line {line}); "
                     "save it as UTF-8") from None


def load_bytes(raw: bytes, max_bytes: int = MAX_BYTES) -> Document:
    return load_text(decode(raw, max_bytes))


def read_bytes(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's bytes: a regular file under the cap (game/safe_io.py: FIFOs and devices refused)."""
    try:
        return safe_io.read_bytes(path, max_bytes)
    except safe_io.FileRefused as exc:
        raise _error(exc.reason) from None


def load_file(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> Document:
    return load_bytes(read_bytes(path, max_bytes), max_bytes)
