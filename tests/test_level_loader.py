"""The level loader: strict YAML, schema and semantic problems, each at ``path:line:column: field``.

The fixtures under tests/fixtures/levels/bad/ are the valid minimal level with one thing broken (line 1
says what); their line numbers are those of valid/minimal.yaml unless a line was inserted or deleted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from game.levels.loader import (
    CHECKER_BUG,
    LevelError,
    PackListing,
    Problem,
    load_level,
    load_pack,
    load_packs,
    parse_level,
    validate_paths,
)
from game.levels.schema import Level
from game.levels.yaml_strict import MAX_BYTES, StrictYAMLError, load_bytes, load_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "levels"
VALID, BAD = FIXTURES / "valid", FIXTURES / "bad"
MINIMAL = VALID / "minimal.yaml"


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(LevelError) as info:
        load_level(path)
    assert info.value.problems, "a LevelError always has problems"
    return info.value.problems


# -- the valid fixtures ------------------------------------------------------------------------------------
def test_minimal_level_loads():
    level = load_level(MINIMAL)
    assert isinstance(level, Level)
    assert level.id == "minimal" and level.answer == "French"
    assert level.task.kind == "text" and level.task.words == {"country": ["France", "Spain"]}
    assert level.task.story[1].fillers == [0, 3]
    assert level.network.hidden == 8 and level.network.slots == 1
    assert [p.sentence or p.filler for p in level.play] == ["home", "It was sunny .", "ask"]
    assert level.solution.rules[0].input == 1.0 and level.losing[0].name == "Never write"


def test_yes_no_on_off_stay_words():
    level = load_level(VALID / "yes-no.yaml")
    assert level.task.words["reply"] == ["yes", "no", "on", "off"]
    assert level.play[0].values == {"reply": "no"} and level.answer == "no"


# -- every malformed fixture: (file, "line:column: field", count of problems, key phrase) --------------------
BAD_CASES = [
    ("syntax-error", "4:16", "", 1, "must be put in quotes"),
    ("unclosed-quote", "4:8", "", 1, "this quote is never closed"),
    ("duplicate-key", "5:1", "title", 1, "duplicate key 'title' (already on line 4)"),
    ("anchor-alias", "5:10", "", 1, "an anchor (&c): anchors and aliases are not allowed"),
    ("alias-bomb", "4:4", "", 1, "an anchor (&a): anchors and aliases are not allowed"),
    ("unknown-field", "17:3", "task.sentnces", 2,
     "unknown field 'sentnces', did you mean 'sentences'? (allowed: kind, words, answers, sentences, fill"),
    ("unknown-field", "9:1", "task.sentences", 2, "required field missing"),
    ("wrong-type-whole", "34:3", "network.hidden", 1, "expected a whole number, got text 'abc'"),
    ("wrong-type-number", "43:1", "win_threshold", 1, "expected a number, got text 'abc'"),
    ("missing-hidden", "33:1", "network.hidden", 1, "required field missing"),
    ("missing-answer", "2:1", "answer", 1, "required field missing"),
    ("win-threshold-out-of-range", "43:1", "win_threshold", 1, "less than or equal to 1, got 1.5"),
    ("slots-not-dividing", "35:3", "network.slots", 1, "slots (3) must divide hidden (8) evenly"),
    ("too-many-hints", "7:1", "hints", 1, "too many items: at most 3, this has 4"),
    ("python-tag", "42:9", "answer", 1, "the tag '!!python/object/apply:os.system' is not allowed"),
    ("empty", "1:1", "", 1, "the file is empty"),
    ("comments-only", "1:1", "", 1, "the file is empty"),
    ("binary-nul", "1:1", "", 1, "not a text file"),
    ("random-bytes", "1:1", "", 1, "not UTF-8 text (first bad byte on line 1)"),
    ("not-utf8", "1:1", "", 1, "not UTF-8 text (first bad byte on line 4)"),
    ("utf16", "1:1", "", 1, "saved as UTF-16"),
    ("top-level-list", "2:1", "", 1, "the top level must be fields like 'title: My level', one per line, "
                                     "not a list"),
    ("story-item-both", "30:7", "task.story.0", 1, "give exactly one of 'sentence', 'one_of' or 'fillers'"),
    ("rule-two-selectors", "45:7", "solution.rules.0", 1, "a rule needs exactly one of 'at', 'sentence'"),
    ("tab-indentation", "34:1", "", 1, "a tab character: indent with spaces"),
    ("yes-where-number", "46:7", "solution.rules.0.input", 1, "expected a number, got text 'yes'"),
    ("id-mismatch", "3:1", "id", 1, "the id 'minimal' must be the file name without .yaml: 'id-mismatch'"),
    ("wrong-kind", "10:3", "task.kind", 1,
     "unknown kind 'txt' (allowed: 'text', 'adding', 'series', 'signed')"),
    ("play-not-a-list", "36:1", "play", 1, "expected a list or a mapping, got text 'just words'"),
    ("bad-list-name", "12:5", "task.words.Country", 1, "the key 'Country' must be a name of lowercase"),
    ("answer-two-words", "42:1", "answer", 1, "must be a single word, without spaces, got text 'French"),
    ("two-documents", "55:1", "", 1, "a second document"),
    ("control-character", "4:16", "", 1, "a control character (#x0007)"),
    ("too-deep", "42:48", "", 1, "nested more than 40 levels deep"),
    # text that cannot be drawn or printed (game/text_safety.py)
    ("text-nul", "6:1", "intro", 1, "contains a NUL character (U+0000)"),
    ("text-zero-width", "4:1", "title", 1, "has no visible character"),
    ("text-surrogate", "8:5", "hints.0", 1, "contains a lone surrogate (not a character) (U+D800)"),
    ("text-escape-id", "3:1", "id", 1, "contains an escape character (terminal codes) (U+001B)"),
]

SEMANTIC_CASES = [  # found by semantics.py, located by the loader
    ("answer-not-in-vocabulary", "42:1", "answer", 1, "'German' is not a possible answer"),
    ("blank-missing", "36:1", "play", 1, "must end with a question"),
    ("unknown-sentence-in-play", "37:5", "play.0.sentence", 1, "no sentence named 'hom'"),
    ("value-not-in-list", "39:7", "play.0.values.country", 1, "'Germany' is not in the word list country"),
    ("one-answer", "14:5", "task.answers.language", 1,
     "a text level needs at least two different answers: every answer is 'French'"),
    ("clue-sometimes-before-question", "32:7", "task.story.2.sentence", 1,
     "the question 'ask' asks about clue 'home', which is said only in some stories"),
    # costs over the caps (game/levels/cost.py): each message names its cap
    ("cost-bomb", "31:3", "task.story", 1,
     "the longest training sequence has 94,810,010 words: the cap is 500"),
    ("training-budget", "36:3", "network.training", 1,
     "the training budget is 1,478,400,000 word-steps (max_steps x (restarts + 1) x batch x 22 words x "
     "hidden/16): the cap is 130,000,000"),
    ("play-too-long", "36:1", "play", 1, "the played sequence has 2,018 words: the cap is 500"),
    # gaps that were accepted silently (issue 11, item 8)
    ("losing-same-as-solution", "52:5", "losing.0.changes", 1,
     "'Never write' sets the same gates as the solution at every word of the played sequence"),
    ("curriculum-too-long", "29:19", "task.curriculum.1", 1,
     "5 fillers: longer than the story allows (its longest run of fillers is 3)"),
    ("duplicate-word", "12:30", "task.words.country.2", 1, "'France' is already in the list (item 0)"),
    ("filler-clue-value", "29:7", "task.fillers.1", 1, "'Spain' is a clue's value (word list country)"),
]


def check_case(name, where, field, count, phrase):
    path = BAD / f"{name}.yaml"
    problems = problems_of(path)
    prefix = f"{path}:{where}: " + (f"{field}: " if field else "")
    lines = [str(p) for p in problems]
    hits = [s for s in lines if s.startswith(prefix)]
    assert hits, f"no problem starts with {prefix!r}:\n" + "\n".join(lines)
    assert any(phrase in s[len(prefix):] for s in hits), f"{phrase!r} not in {hits}"
    assert len(problems) == count, "\n".join(lines)
    for p in problems:
        assert p.line >= 1 and p.column >= 1 and p.path == str(path)


@pytest.mark.parametrize("name, where, field, count, phrase", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_fixture(name, where, field, count, phrase):
    check_case(name, where, field, count, phrase)


@pytest.mark.parametrize("name, where, field, count, phrase", SEMANTIC_CASES,
                         ids=[c[0] for c in SEMANTIC_CASES])
def test_semantic_fixture(name, where, field, count, phrase):
    check_case(name, where, field, count, phrase)


def test_every_bad_fixture_has_a_case():
    named = {c[0] for c in BAD_CASES + SEMANTIC_CASES}
    on_disk = {p.stem for p in BAD.glob("*.yaml")}
    assert on_disk == named, (on_disk - named, named - on_disk)
    assert len(on_disk) >= 20


def test_huge_file_is_refused_before_parsing(tmp_path):
    big = tmp_path / "huge.yaml"
    filler = "# " + "x" * 98 + "\n"
    big.write_text(MINIMAL.read_text().replace("id: minimal", "id: huge") + filler * (MAX_BYTES // 100 + 10))
    (problem,) = problems_of(big)
    assert str(problem).startswith(f"{big}:1:1: the file is too big (")
    assert "at most 256 KiB" in problem.message
    with pytest.raises(StrictYAMLError, match="too big"):
        load_bytes(big.read_bytes())


def test_unreadable_paths(tmp_path):
    (missing,) = problems_of(tmp_path / "nope.yaml")
    assert str(missing) == f"{tmp_path / 'nope.yaml'}:1:1: no such file"
    (folder,) = problems_of(tmp_path)
    assert folder.message == "this is a folder, not a file"


# -- problems: format, order, completeness -----------------------------------------------------------------
def test_problem_format():
    problem = Problem("a.yaml", 3, 5, "task.story.2.fillers", "bad")
    assert str(problem) == "a.yaml:3:5: task.story.2.fillers: bad"
    assert str(Problem("a.yaml", 1, 1, "", "the file is empty")) == "a.yaml:1:1: the file is empty"
    err = LevelError([Problem("a.yaml", 9, 1, "x", "later"), Problem("a.yaml", 2, 4, "", "first")])
    assert str(err) == "a.yaml:2:4: first\na.yaml:9:1: x: later"
    assert [p.line for p in err.problems] == [2, 9]


def edited(**lines: str) -> str:
    """The minimal level with lines replaced: edited(L34="  hidden: abc")."""
    text = MINIMAL.read_text().splitlines()
    for key, value in lines.items():
        text[int(key[1:]) - 1] = value
    return "\n".join(text) + "\n"


def test_all_schema_errors_are_reported_sorted_by_line():
    text = edited(L4="title: ''", L21="      slot: 99", L34="  hidden: abc", L46="      input: 2",
                  L51="  - nam: Never write")
    with pytest.raises(LevelError) as info:
        parse_level(text, "x.yaml")
    lines = [str(p) for p in info.value.problems]
    assert lines == [
        "x.yaml:4:1: title: must not be empty",
        "x.yaml:21:7: task.sentences.home.slot: the value should be less than or equal to 64, got 99",
        "x.yaml:34:3: network.hidden: expected a whole number, got text 'abc'",
        "x.yaml:46:7: solution.rules.0.input: the value should be less than or equal to 1, got 2",
        "x.yaml:51:5: losing.0.name: required field missing",
        "x.yaml:51:5: losing.0.nam: unknown field 'nam', did you mean 'name'? (allowed: name, explanation, "
        "changes)",
    ]


@pytest.mark.parametrize("line, expected", [
    ("answer: [French]", "x.yaml:42:1: answer: expected text or a number, got a list"),
    ("answer:", "x.yaml:42:1: answer: expected text or a number, got nothing (the value is empty)"),
    ("answer: ''", "x.yaml:42:1: answer: must not be empty"),
])
def test_unions_report_the_member_that_was_meant(line, expected):
    with pytest.raises(LevelError) as info:
        parse_level(edited(L42=line), "x.yaml")
    assert [str(p) for p in info.value.problems] == [expected]


def test_play_as_numbers_is_checked_as_numbers():
    text = edited(L36="play: {values: [0.5, 2], marked: []}", L37="", L38="", L39="", L40="", L41="")
    with pytest.raises(LevelError) as info:
        parse_level(text, "x.yaml")
    lines = [str(p) for p in info.value.problems]
    assert lines == ["x.yaml:36:22: play.values.1: the value should be less than or equal to 1, got 2",
                     "x.yaml:36:26: play.marked: needs at least 1 item, this has 0"]


def test_empty_play_is_a_problem_not_a_checker_crash():
    lines = MINIMAL.read_text().splitlines()
    text = "\n".join(lines[:35] + ["play: []"] + lines[41:])
    with pytest.raises(LevelError) as info:
        parse_level(text + "\n", "x.yaml")
    (problem,) = info.value.problems
    assert CHECKER_BUG not in problem.message, "semantics.py raised on an empty play (see the report)"
    assert problem.field == "play" and (problem.line, problem.column) == (36, 1)


def test_task_without_kind_points_at_task():
    with pytest.raises(LevelError) as info:
        parse_level(edited(L10="  # no kind"), "x.yaml")
    assert [str(p) for p in info.value.problems] == [
        "x.yaml:9:1: task.kind: required field missing (it says which kind this is: text or adding)"]


def test_id_is_checked_against_the_file_name_only_when_known():
    assert parse_level(MINIMAL.read_bytes(), "anything.yaml").id == "minimal"
    with pytest.raises(LevelError, match="must be the file name without .yaml: 'other'"):
        parse_level(MINIMAL.read_bytes(), "other.yaml", file_id="other")


def test_semantic_problems_are_reported_with_an_id_mismatch():
    with pytest.raises(LevelError) as info:
        parse_level(edited(L42="answer: German"), "other.yaml", file_id="other")
    assert [p.field for p in info.value.problems] == ["id", "answer"]


def test_windows_line_endings_and_byte_order_mark():
    raw = b"\xef\xbb\xbf" + MINIMAL.read_bytes().replace(b"\n", b"\r\n")
    assert parse_level(raw, "minimal.yaml", file_id="minimal").id == "minimal"
    with pytest.raises(LevelError) as info:
        parse_level(raw.replace(b"hidden: 8", b"hidden: x"), "minimal.yaml")
    assert [str(p) for p in info.value.problems] == [
        "minimal.yaml:34:3: network.hidden: expected a whole number, got text 'x'"]


def test_semantics_crash_refuses_the_level_instead_of_crashing(monkeypatch):
    import game.levels.semantics as semantics

    def broken(level):
        raise IndexError("list index out of range")

    monkeypatch.setattr(semantics, "problems", broken)
    with pytest.raises(LevelError) as info:
        parse_level(MINIMAL.read_bytes(), "minimal.yaml")
    (problem,) = info.value.problems
    assert problem.message == f"{CHECKER_BUG}: IndexError: list index out of range"


# -- strict YAML ---------------------------------------------------------------------------------------------
def test_position_map_covers_every_node():
    doc = load_text(MINIMAL.read_text())
    pos = doc.positions
    assert pos[()] == (2, 1)
    assert pos[("task",)] == (9, 1)
    assert pos[("task", "story", 1)] == (31, 7)
    assert pos[("task", "story", 1, "fillers")] == (31, 7)
    assert pos[("task", "story", 1, "fillers", 1)] == (31, 20)
    assert pos[("task", "words", "country", 0)] == (12, 15)
    assert pos[("play", 0, "values", "country")] == (39, 7)
    assert doc.locate(("play", 0, "values", "nothing", 3)) == (38, 5)
    assert doc.locate(("nowhere",)) == (2, 1)


def test_scalars_follow_the_documented_rules():
    doc = load_text("a: [yes, no, on, off, y, n, Yes, true, False, ~, null, '', 007, -3, +4, 1.5, .5, 1e3, "
                    "1_000, 0x1F, .inf, .nan, 1:20, 2024-01-01, '42']\n")
    assert doc.data["a"] == ["yes", "no", "on", "off", "y", "n", "Yes", True, False, None, None, "", 7, -3, 4,
                             1.5, 0.5, 1000.0, "1_000", "0x1F", ".inf", ".nan", "1:20", "2024-01-01", "42"]
    assert load_text("a: 08\nb: !!str 3\nc: !!int '12'\n").data == {"a": 8, "b": "3", "c": 12}


@pytest.mark.parametrize("text, where, phrase", [
    ("a: 1\nb: 2\na: 3\nb: 4\n", [(3, 1), (4, 1)], "duplicate key"),
    ("a: !!binary aGk=\n", [(1, 4)], "the tag '!!binary' is not allowed"),
    ("a: !!set {x, y}\n", [(1, 4)], "the tag '!!set' is not allowed"),
    ("a: !custom x\n", [(1, 4)], "the tag '!custom' is not allowed"),
    ("a: !!python/name:os.system\n", [(1, 4)], "the tag '!!python/name:os.system' is not allowed"),
    ("%TAG !! tag:yaml.org,2002:python/\n---\na: !!str x\n", [(3, 4)], "the tag '!!python/str'"),
    ("a: !!int abc\n", [(1, 4)], "'abc' is not a valid !!int value"),
    ("a: !!bool yes\n", [(1, 4)], "'yes' is not a valid !!bool value"),
    ("? [a, b]\n: 1\n", [(1, 3)], "a key must be a plain name"),
    ("a: *nothing\n", [(1, 4)], "an alias (*nothing)"),
    ("a: " + "9" * 150 + "\n", [(1, 4)], "more than 100 characters"),
    ("a: [1, 2\n", [(1, 4)], "this '[' is never closed"),
])
def test_strict_yaml_rejects(text, where, phrase):
    with pytest.raises(StrictYAMLError) as info:
        load_text(text)
    assert [(p.line, p.column) for p in info.value.problems] == where
    assert all(phrase in p.message for p in info.value.problems), info.value.problems


def test_python_tags_are_never_constructed(tmp_path, monkeypatch):
    called = []
    monkeypatch.setattr("os.system", lambda *a: called.append(a))
    with pytest.raises(LevelError):
        load_level(BAD / "python-tag.yaml")
    assert not called


def test_alias_bomb_is_rejected_fast():
    import time

    start = time.perf_counter()
    with pytest.raises(LevelError, match="anchors and aliases are not allowed"):
        load_level(BAD / "alias-bomb.yaml")
    assert time.perf_counter() - start < 1.0


# -- packs ---------------------------------------------------------------------------------------------------
def make_pack(folder: Path, order: list[str], levels: dict[str, str], title="Test pack") -> Path:
    folder.mkdir(parents=True)
    pack = {"format": 1, "title": title, "description": "For tests.", "order": order}
    (folder / "pack.yaml").write_text(yaml.safe_dump(pack, sort_keys=False))
    for name, text in levels.items():
        (folder / name).write_text(text)
    return folder


def level_text(level_id: str, **lines: str) -> str:
    return edited(L3=f"id: {level_id}", **lines)


def test_pack_lists_valid_broken_and_missing_levels(tmp_path):
    folder = make_pack(tmp_path / "pack", ["good", "broken", "missing"], {
        "good.yaml": level_text("good"),
        "broken.yaml": level_text("broken", L34="  hidden: abc"),
        "extra.yaml": level_text("extra"),
        "notes.txt": "not a level",
    })
    listing = load_pack(folder)
    assert isinstance(listing, PackListing)
    assert (listing.title, listing.description, listing.name) == ("Test pack", "For tests.", "pack")
    assert [e.name for e in listing.entries] == ["good", "broken", "missing"]
    good, broken, missing = listing.entries
    assert good.ok and good.level.id == "good" and good.error is None
    assert not broken.ok and [str(p) for p in broken.error.problems] == [
        f"{folder / 'broken.yaml'}:34:3: network.hidden: expected a whole number, got text 'abc'"]
    assert not missing.ok and [str(p) for p in missing.error.problems] == [
        f"{folder / 'pack.yaml'}:7:3: order.2: no level file 'missing.yaml' in this folder"]
    assert [str(p) for p in listing.warnings] == [
        f"{folder / 'pack.yaml'}:4:1: order: 'extra.yaml' is in this folder but not in 'order', "
        "so it is never played"]
    assert not listing.ok and listing.error is None


def test_broken_pack_yaml_is_reported_not_raised(tmp_path):
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "pack.yaml").write_text("format: 1\ntitle: Broken\norder: []\n")
    listing = load_pack(folder)
    assert listing.entries == [] and listing.title == "pack" and not listing.ok
    assert [str(p) for p in listing.error.problems] == [
        f"{folder / 'pack.yaml'}:3:1: order: needs at least 1 item, this has 0"]


def test_load_packs_sorted_by_folder_name(tmp_path):
    make_pack(tmp_path / "b-second", ["one"], {"one.yaml": level_text("one")}, title="Second")
    make_pack(tmp_path / "a-first", ["two"], {"two.yaml": level_text("two")}, title="First")
    (tmp_path / "not-a-pack").mkdir()
    listings = load_packs(tmp_path)
    assert [p.title for p in listings] == ["First", "Second"]
    assert all(p.ok for p in listings)


# -- validate_paths (the CLI's `gatekeeper levels validate`) ---------------------------------------------
def test_validate_paths(tmp_path):
    make_pack(tmp_path / "packs" / "p", ["good", "bad"], {
        "good.yaml": level_text("good"), "bad.yaml": level_text("bad", L42="answer: [x]")})
    code, lines = validate_paths([MINIMAL])
    assert (code, lines) == (0, [f"ok {MINIMAL}"])
    code, lines = validate_paths([tmp_path / "packs"])
    p = tmp_path / "packs" / "p"
    assert code == 1
    assert lines == [f"ok {p / 'good.yaml'}",
                     f"{p / 'bad.yaml'}:42:1: answer: expected text or a number, got a list"]
    assert validate_paths([p / "pack.yaml"]) == validate_paths([p])
    code, lines = validate_paths([tmp_path / "nothing-here"])
    assert code == 1 and lines == [f"{tmp_path / 'nothing-here'}:1:1: no such file or folder"]
    code, lines = validate_paths([VALID])  # a plain folder of level files
    assert code == 0 and lines == [f"ok {p}" for p in sorted(VALID.glob("*.yaml"))]
    assert f"ok {VALID / 'minimal.yaml'}" in lines and f"ok {VALID / 'gru-carry.yaml'}" in lines


def test_shipped_levels_validate():
    levels = ROOT / "levels"
    if not any(levels.glob("*/pack.yaml")):
        pytest.skip("no level packs yet")
    code, lines = validate_paths([levels])
    assert code == 0, "\n".join(lines)


# -- docs/levels.md ------------------------------------------------------------------------------------------
def test_docs_example_level_validates(tmp_path):
    text = (ROOT / "docs" / "levels.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    examples = [b for b in blocks if b.startswith("# carry-one-clue.yaml")]
    assert len(examples) == 1, "docs/levels.md has one complete example starting '# carry-one-clue.yaml'"
    path = tmp_path / "carry-one-clue.yaml"
    path.write_text(examples[0])
    level = load_level(path)
    assert level.id == "carry-one-clue" and level.answer == "French"
    assert level.network.hidden == 16 and level.network.slots == 1
    body = [ln for ln in examples[0].splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    assert all("#" in ln for ln in body), "every line of the example has a comment"


def test_a_numeric_level_marks_as_many_steps_as_its_kind_needs(tmp_path):
    """Adding marks two steps, a time series one; the wrong count is reported at play.marked."""
    from game import paths
    text = (paths.levels_dir() / "campaign" / "13-sensor-log.yaml").read_text()
    bad = text.replace("  marked: [4]\n", "  marked: [4, 6]\n")
    with pytest.raises(LevelError) as info:
        parse_level(bad, str(tmp_path / "13-sensor-log.yaml"))
    assert any(p.field == "play.marked" and "exactly 1" in p.message for p in info.value.problems)
    wrong_answer = text.replace("answer: 0.61", "answer: 0.58")
    with pytest.raises(LevelError) as info:
        parse_level(wrong_answer, str(tmp_path / "13-sensor-log.yaml"))
    assert [p.field for p in info.value.problems] == ["answer"]
