"""Fuzzing the level loader: whatever the bytes, the outcome is a Level or a LevelError whose problems all
have a line and column >= 1 and a message. Never any other exception.

(a) random YAML-ish text and random bytes, (b) mutations of the valid minimal level's text, (c) random
data structures, alone or grafted into the valid level, dumped with yaml.safe_dump.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from game.levels.loader import CHECKER_BUG, LevelError, load_level, parse_level
from game.levels.schema import Level

MINIMAL = Path(__file__).resolve().parent / "fixtures" / "levels" / "valid" / "minimal.yaml"
TEXT = MINIMAL.read_text()
LINES = TEXT.splitlines()
DATA = yaml.safe_load(TEXT)

# 200 examples per test by default (the file runs in seconds); GATEKEEPER_FUZZ_EXAMPLES=5000 for a deep run.
EXAMPLES = int(os.environ.get("GATEKEEPER_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(source: bytes | str) -> None:
    try:
        level = parse_level(source, "fuzz.yaml", file_id="minimal")
    except LevelError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.path == "fuzz.yaml"
            assert isinstance(p.line, int) and p.line >= 1, p
            assert isinstance(p.column, int) and p.column >= 1, p
            assert isinstance(p.message, str) and p.message, p
            assert CHECKER_BUG not in p.message, p  # semantics.py raised: its bug, turned into a problem
            assert isinstance(p.field, str)
            str(p)
    else:
        assert isinstance(level, Level)


# -- (a) random text and bytes ----------------------------------------------------------------------------
TOKENS = [
    ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "#", "&a ", "*a", "!", "!!",
    "!!python/object/apply:os.system ", "!!str ", "!!int ", "|", ">", "'", '"', "\n", "\n  ", "\n    ",
    "\t", " ", "?", "%TAG ", "%YAML 1.1\n", "---\n", "...\n", "<<: ", "@", "`", "\\", "yes", "no", "~",
    "null", "true", "1", "007", "1.5", ".inf", "1e999", "0x1F", "1:20", "2024-01-01", "\u00e9", "\ufeff",
    "\x00", "\x07", "\x85", "\u2028", "format", "id", "task", "kind", "text", "words", "play",
    "sentence", "answer", "network", "hidden", "slots", "fillers", "story", "solution", "rules", "losing",
    "values", "hints",
]


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=80).map("".join))
def test_yamlish_token_soup(text):
    check(text)
    check(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.text(max_size=400))
def test_random_unicode_text(text):
    check(text)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_through_files(raw):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "minimal.yaml"
        path.write_bytes(raw)
        try:
            level = load_level(path)
        except LevelError as exc:
            assert all(p.line >= 1 and p.column >= 1 and p.message for p in exc.problems)
        else:
            assert isinstance(level, Level)


# -- (b) mutations of the valid level's text ----------------------------------------------------------------
@st.composite
def mutated(draw):
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines = ["x"]
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "char", "indent", "key", "tag", "value"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "char":
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            c = draw(st.sampled_from(list(":-[]{}#&*!|>'\"\t ,?%@`\\ax9") + [draw(st.characters())]))
            keep = draw(st.booleans())
            lines[i] = line[:k] + c + line[k + (0 if keep else 1):]
        elif op == "indent":
            line = lines[i]
            delta = draw(st.sampled_from([-4, -2, -1, 1, 2, 4]))
            lines[i] = line[-delta:] if delta < 0 else " " * delta + line
        elif op == "key":
            key = draw(st.sampled_from(["extra", "format", "id", "answer", "play", "hidden", "role", "slot",
                                        "fillers", "kind", "at", "step", "values", "sentence"]))
            value = draw(st.sampled_from(["1", "yes", "abc", "[1, 2]", "{a: b}", "", "-1", "1.5", "~",
                                          "home"]))
            indent = " " * draw(st.sampled_from([0, 2, 4, 6, 8]))
            lines.insert(i, f"{indent}{key}: {value}")
        elif op == "tag":
            tag = draw(st.sampled_from(["!!python/object/apply:os.system", "!!binary", "!!set", "!x", "!!int",
                                        "!!str", "!!float", "!!null", "&anchor", "*anchor"]))
            line = lines[i]
            k = line.find(": ")
            lines[i] = line[:k + 2] + tag + " " + line[k + 2:] if k >= 0 else f"- {tag} {line.strip()}"
        else:
            k = lines[i].find(": ")
            if k >= 0:
                lines[i] = lines[i][:k + 2] + draw(st.text(max_size=12).filter(lambda s: "\n" not in s))
    return "\n".join(lines) + "\n"


@FUZZ
@given(mutated())
def test_mutations_of_the_valid_level(text):
    check(text)


# -- (c) random data structures ------------------------------------------------------------------------------
SCALARS = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True)
           | st.text(max_size=20)
           | st.sampled_from(["yes", "no", "home", "ask", "clue", "text", "French", "1"]))
KEYS = st.sampled_from(["format", "id", "title", "task", "kind", "words", "sentences", "story", "play",
                        "answer", "values", "sentence", "filler", "fillers", "hidden", "slots", "rules",
                        "at", "input", "country", "home"]) | st.text(max_size=8)
DATA_TREES = st.recursive(SCALARS, lambda kids: st.lists(kids, max_size=4)
                          | st.dictionaries(KEYS | st.integers(0, 5), kids, max_size=4), max_leaves=20)


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@FUZZ
@given(DATA_TREES)
def test_random_data_structures(data):
    check(dump(data))


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for k, v in enumerate(node):
            yield from paths(v, prefix + (k,))


ALL_PATHS = [p for p in paths(DATA) if p]


@FUZZ
@given(st.sampled_from(ALL_PATHS), DATA_TREES, st.booleans())
@example(("play",), [], False)  # found by this test: semantics.py indexed level.play[-1] of an empty play
def test_random_data_grafted_into_the_valid_level(path, value, delete):
    data = yaml.safe_load(TEXT)
    node = data
    for k in path[:-1]:
        node = node[k]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    check(dump(data))


def test_the_unmutated_level_is_valid():
    check(TEXT)
    assert parse_level(TEXT, "minimal.yaml", file_id="minimal").id == "minimal"
