"""The string catalogue (game/strings.py): every t("key", ...) call in game/ names an existing key with
exactly the template's placeholders, every English string is used, and switching catalogues is checked.

The source is scanned at test time (ast), so calls added anywhere in game/ later are checked too."""

from __future__ import annotations

import ast
from pathlib import Path
from string import Formatter

import pytest

from game import strings
from game.strings import EN, t, use

GAME = Path(__file__).resolve().parent.parent / "game"

# Files allowed to call t() with a key that is not a string literal, and the EN keys they build that
# way (these count as used). Keep it empty: a literal key is checked here, a built one is not.
# Example, if ever unavoidable: {"ui/screens/results.py": {"results.part.answer", "results.part.hints"}}
ALLOWED_DYNAMIC: dict[str, set[str]] = {}


def names(template: str) -> set[str]:
    """The placeholder names of a str.format template (base names, nested specs included)."""
    out = set()
    for _text, field, spec, _conv in Formatter().parse(template):
        if field is not None:
            out.add(field.split(".", 1)[0].split("[", 1)[0])
            if spec:
                out |= names(spec)
    return out


def t_calls():
    """(file under game/, "game/file:line", call node) for every call of t(...) or strings.t(...) in
    game/**/*.py."""
    for path in sorted(GAME.rglob("*.py")):
        rel = path.relative_to(GAME).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            if (isinstance(f, ast.Name) and f.id == "t") or (
                isinstance(f, ast.Attribute) and f.attr == "t" and isinstance(f.value, ast.Name)
                and f.value.id == "strings"
            ):
                yield rel, f"game/{rel}:{node.lineno}", node


def literal_key(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def test_the_scan_finds_the_calls():
    found = {literal_key(c) for _rel, _where, c in t_calls()}
    assert "results.headline.won" in found and "title.continue" in found


def test_every_template_is_valid_and_uses_named_placeholders():
    bad = []
    for key, text in EN.items():
        if not isinstance(text, str) or not text:
            bad.append(f"{key}: not a non-empty str")
            continue
        try:
            fields = names(text)
        except ValueError as e:
            bad.append(f"{key}: {e}")
            continue
        bad += [f"{key}: placeholder {{{n}}} is not a name" for n in fields if not n.isidentifier()]
    assert not bad, "\n".join(bad)


def test_every_call_names_a_key_with_exactly_its_placeholders():
    bad = []
    for rel, where, call in t_calls():
        key = literal_key(call)
        if key is None:
            if rel not in ALLOWED_DYNAMIC:
                bad.append(f"{where}: the key is not a string literal (see ALLOWED_DYNAMIC)")
            continue
        if len(call.args) != 1:
            bad.append(f"{where}: t({key!r}, ...) takes its values by keyword only")
        if key not in EN:
            bad.append(f"{where}: no key {key!r} in game/strings.py EN")
            continue
        given = {k.arg for k in call.keywords if k.arg is not None}
        splat = any(k.arg is None for k in call.keywords)
        want = names(EN[key])
        if given - want:
            bad.append(f"{where}: {key!r} has no placeholder {sorted(given - want)}")
        if not splat and want - given:
            bad.append(f"{where}: {key!r} needs {sorted(want - given)}")
    assert not bad, "\n".join(bad)


def test_every_english_string_is_used():
    used = {literal_key(c) for _rel, _where, c in t_calls()}
    for keys in ALLOWED_DYNAMIC.values():
        used |= keys
    dead = sorted(set(EN) - used)
    assert not dead, "strings no t() call uses (remove them or use them):\n" + "\n".join(dead)


def test_allowed_dynamic_keys_exist():
    unknown = sorted(k for keys in ALLOWED_DYNAMIC.values() for k in keys if k not in EN)
    assert not unknown, unknown


def test_t_formats_named_values():
    assert t("title.continue") == "Continue"
    assert t("title.player", name="ada") == "Player: ada"
    assert t("cell.title", word="keys", n=2, total=9) == "Reading “keys” (word 2 of 9)"
    assert t("loading.progress", percent=41.6, attempt=1, attempts=3, stage=2, stages=3, steps=40,
             accuracy=87.6) == (
        "42% · attempt 1 of 3 · stage 2 of 3 · 40 steps · accuracy on new sentences 88%"
    )


def test_a_missing_key_raises_keyerror_naming_it():
    with pytest.raises(KeyError) as e:
        t("no.such.key")
    assert "no.such.key" in str(e.value)


def test_a_missing_value_raises_keyerror_naming_key_and_placeholder():
    with pytest.raises(KeyError) as e:
        t("title.player")
    assert "title.player" in str(e.value) and "name" in str(e.value)


@pytest.fixture
def restore():
    yield
    use(EN)


def test_use_switches_falls_back_to_english_and_use_en_restores(restore):
    use({"title.continue": "Weiter", "title.player": "Spieler: {name}"})
    assert t("title.continue") == "Weiter"
    assert t("title.player", name="ada") == "Spieler: ada"
    assert t("title.quit") == "Quit"  # not translated: stays English
    use(EN)
    assert t("title.continue") == "Continue"
    assert strings._active is EN


def test_use_rejects_unknown_keys(restore):
    with pytest.raises(ValueError) as e:
        use({"title.continue": "Weiter", "title.nope": "?"})
    assert "title.nope" in str(e.value)
    assert t("title.continue") == "Continue"  # the active catalogue is unchanged


@pytest.mark.parametrize(
    "text",
    [
        "Spieler",  # a placeholder left out
        "Spieler: {name} {extra}",  # one too many
        "Spieler: {nom}",  # misspelt
        "Spieler: {name",  # not a template at all
    ],
)
def test_use_rejects_mismatched_placeholders(restore, text):
    with pytest.raises(ValueError) as e:
        use({"title.player": text, "title.continue": "Weiter"})
    assert "title.player" in str(e.value)
    assert t("title.continue") == "Continue"


def test_use_lists_every_problem(restore):
    with pytest.raises(ValueError) as e:
        use({"a.b": "x", "title.player": "Spieler", "cell.slot": "Fach {m}"})
    message = str(e.value)
    assert "a.b" in message and "title.player" in message and "cell.slot" in message
