"""Text that came from a file, made safe to draw and to print. One rule, stated here once:

1. **Drawable** (``text_problem``): a text read from a level (or any file the game draws text from)
   may hold any printable character, spaces and line breaks (\\n), but
   - no control character (U+0000-U+001F except \\n and \\t, U+007F-U+009F): pygame cannot draw NUL
     and a terminal obeys the others;
   - no lone surrogate (U+D800-U+DFFF): it cannot even be encoded as UTF-8;
   - no line or paragraph separator (U+2028, U+2029): neither a line break nor a character to draw;
   - at least one visible character when it is not empty: text made only of spaces and invisible
     format characters (zero-width space U+200B, joiners, bidi marks, ...) draws as nothing.
   The loader refuses such a text with the field and what it holds ("intro: contains a NUL character
   (U+0000)"); so everything a level shows has passed this rule.

2. **Printable** (``printable``): everything the command line prints goes through ``printable``,
   which keeps printable characters, spaces, \\n, \\r and \\t and writes every other character as an escape
   (``\\x1b``, ``\\u200b``, ``\\ud800``): no terminal escape sequence from a file reaches the terminal, and
   printing never fails on a lone surrogate.
"""

from __future__ import annotations

import unicodedata

KEPT_BY_PRINT = frozenset("\n\r\t")
ALLOWED_CONTROLS = frozenset("\n\t")  # in a level's text: line breaks (block texts), tabs inside quotes

_NAMES = {"\x00": "a NUL character", "\x1b": "an escape character (terminal codes)",
          "\x7f": "a delete character", "\u2028": "a line separator", "\u2029": "a paragraph separator"}


def code(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _kind(ch: str) -> str | None:
    """Why ``ch`` cannot be drawn, or None."""
    if ch in ALLOWED_CONTROLS:
        return None
    cat = unicodedata.category(ch)
    if ch in _NAMES:
        return _NAMES[ch]
    if cat == "Cc":
        return "a control character"
    if cat == "Cs":
        return "a lone surrogate (not a character)"
    return None


def visible(ch: str) -> bool:
    """A character that leaves ink: not a space, a separator, a control or a format character."""
    return unicodedata.category(ch)[0] not in "ZC"


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be drawn, in words ("contains a NUL character (U+0000)"), or None."""
    for ch in text:
        kind = _kind(ch)
        if kind is not None:
            return f"contains {kind} ({code(ch)})"
    if text and not any(visible(ch) for ch in text):
        invisible = sorted({code(ch) for ch in text if not ch.isspace()})
        what = f" ({', '.join(invisible[:4])})" if invisible else ""
        return f"has no visible character: only spaces or invisible characters{what}"
    return None


def _escape(ch: str) -> str:
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else (f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}")


def printable(text: str) -> str:
    """``text`` with every character a terminal would obey, hide or fail on written as an escape."""
    if text.isprintable():  # the common case: nothing to do
        return text
    return "".join(ch if ch.isprintable() or ch in KEPT_BY_PRINT or unicodedata.category(ch) == "Zs"
                   else _escape(ch) for ch in text)


class PrintableStream:
    """A text stream that passes everything written through ``printable`` (the CLI's stdout/stderr)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(printable(text))
        return len(text)

    def __getattr__(self, name):  # flush, isatty, encoding, fileno, ...: the real stream's
        return getattr(self._stream, name)
