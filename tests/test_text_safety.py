"""Text from files, safe to draw and print (game/text_safety.py): the loader refuses what cannot be drawn,
naming the field and the character; the command line prints everything through printable()."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from game import cli
from game.text_safety import PrintableStream, printable, text_problem

BAD = Path(__file__).resolve().parent / "fixtures" / "levels" / "bad"


@pytest.mark.parametrize("text, phrase", [
    ("a\x00b", "contains a NUL character (U+0000)"),
    ("\x1b[31mred", "contains an escape character (terminal codes) (U+001B)"),
    ("bell\x07", "contains a control character (U+0007)"),
    ("x\ud800", "contains a lone surrogate (not a character) (U+D800)"),
    ("one\u2028two", "contains a line separator (U+2028)"),
    ("\u200b\u200d", "has no visible character"),
    ("   ", "has no visible character"),
])
def test_text_that_cannot_be_drawn_is_named(text, phrase):
    assert phrase in text_problem(text)


@pytest.mark.parametrize("text", ["Remember the country", "São-Paulo", "日本語", "line one\nline two",
                                  "a\ttab", "", "x\u200by", "مرحبا\u200f"])
def test_ordinary_text_passes(text):
    assert text_problem(text) is None


@given(st.text())
def test_printable_output_is_always_safe_to_print(text):
    out = printable(text)
    out.encode("utf-8")  # never a lone surrogate
    for ch in out:
        assert ch.isprintable() or ch in "\n\r\t" or unicodedata.category(ch) == "Zs", repr(ch)
    if text.isprintable():
        assert out == text  # printable text is left as it is


def test_printable_escapes_terminal_codes():
    assert printable("\x1b[31mred\x00") == "\\x1b[31mred\\x00"
    assert printable("a\ud800b\u200b") == "a\\ud800b\\u200b"


def test_printable_stream_filters_every_write():
    buf = io.StringIO()
    stream = PrintableStream(buf)
    stream.write("id \x1b]0;pwned\x07\n")
    assert buf.getvalue() == "id \\x1b]0;pwned\\x07\n"


def test_validate_prints_its_own_error_about_a_lone_surrogate(capsys):
    code = cli.main(["levels", "validate", str(BAD / "text-surrogate.yaml")])
    out = capsys.readouterr().out
    assert code == 1
    assert "hints.0: contains a lone surrogate (not a character) (U+D800)" in out
    out.encode("utf-8")


def test_cli_never_prints_terminal_codes_from_its_input(capsys, tmp_path):
    code = cli.main(["levels", "check", "\x1b[31mred"])
    err = capsys.readouterr().err
    assert code == 2 and "\x1b" not in err and "\\x1b[31mred" in err
    code = cli.main(["levels", "validate", str(BAD / "text-escape-id.yaml")])
    out = capsys.readouterr().out
    assert code == 1 and "\x1b" not in out and "id: contains an escape character" in out
