"""Reading files the game did not write itself: bounded, and never blocking on a special file.

Two rules, stated here once; every file the game reads goes through them.

1. **A file read is a regular file under a size cap.** :func:`read_bytes` opens the path without
   blocking (``O_NONBLOCK``: a FIFO with no writer would otherwise hang ``open()`` forever), checks the
   *opened* descriptor with ``fstat`` (no race between a check and the read), refuses anything that is
   not a regular file (FIFOs, sockets, devices such as ``/dev/zero``, folders) and any file above its cap,
   and then reads at most cap + 1 bytes, so a file that grows meanwhile is still refused. Every refusal is
   a :class:`FileRefused` (an ``OSError``) whose message is one line naming the file.
   Writes follow the same rule from the other side (:func:`check_write_target`): a path that exists and is
   not a regular file (e.g. ``-o /dev/null`` run as root) is refused, never replaced.

2. **JSON has a size and a depth limit.** :func:`loads_json` is the one JSON loader: text above
   ``max_bytes`` or nested deeper than ``max_depth`` is refused with :class:`JSONRefused` (a
   ``ValueError``) *before* ``json.loads`` sees it, so 200 KB of ``[[[[…`` is a clear error and never a
   ``RecursionError``; ``NaN``/``Infinity`` are refused too (they are not JSON). The depth is measured
   on the text with its strings removed (regular expressions, C speed): for a 3 MB replay it costs less
   than half of the parse itself (120 ms against 290 ms), and refuses 200 KB of ``[`` in about 25 ms.

Why here and not in ``lstm_engine``: the engine may import only NumPy and the standard library, never
``game/``, and ``game`` importing ``lstm_engine`` for a settings file would load NumPy and the whole
engine on every start (``--help`` must stay fast). The engine reads exactly one kind of file, its .npz
model files, and checks those itself with the same two rules (``lstm_engine/store.py``).
"""

from __future__ import annotations

import json
import os
import re
import stat
from itertools import accumulate
from pathlib import Path

__all__ = ["FileRefused", "JSONRefused", "check_write_target", "load_json_file", "loads_json", "read_bytes",
           "read_text"]

MAX_DEPTH = 64              # deeper than anything the game writes (a replay is 4 levels deep)
DEFAULT_MAX_BYTES = 4 * 1024 * 1024

_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class FileRefused(OSError):
    """A file that is not read (or not written): not a regular file, too big, missing, unreadable.
    ``str()`` is "<file>: <reason>"; ``reason`` alone is for messages that name the file already."""

    def __init__(self, path, reason: str) -> None:
        super().__init__(f"{os.fspath(path)}: {reason}")
        self.path, self.reason = os.fspath(path), reason


class JSONRefused(ValueError):
    """JSON text that is too big, too deeply nested, or not JSON at all."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KiB" if n >= 1024 \
        else f"{n} bytes"


def read_bytes(path, max_bytes: int = DEFAULT_MAX_BYTES, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; FileRefused (one line, naming it) otherwise."""
    path = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileRefused(path, f"no such {what}") from None
    except IsADirectoryError:
        raise FileRefused(path, f"this is a folder, not a {what}") from None
    except OSError as e:
        raise FileRefused(path, f"cannot read the {what} ({e.strerror or e})") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise FileRefused(path, f"this is a folder, not a {what}")
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused(path, f"this is {_kind(st.st_mode)}, not a regular {what}; refused")
        if st.st_size > max_bytes:
            raise FileRefused(path, f"the {what} is too big ({_size(st.st_size)}; at most "
                                           f"{_size(max_bytes)})")
        chunks, left = [], max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except FileRefused:
        raise
    except OSError as e:
        raise FileRefused(path, f"cannot read the {what} ({e.strerror or e})") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise FileRefused(path, f"the {what} is too big (it grew while read; at most "
                                       f"{_size(max_bytes)})")
    return data


def read_text(path, max_bytes: int = DEFAULT_MAX_BYTES, what: str = "file") -> str:
    """read_bytes decoded as UTF-8 (a BOM is dropped); FileRefused when it is not UTF-8 text."""
    raw = read_bytes(path, max_bytes, what)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise FileRefused(path, f"not UTF-8 text (bad byte at offset {e.start}); "
                                        f"not a {what}") from None


def check_write_target(path) -> None:
    """Refuse to write where a special file is (a device, FIFO, socket or folder): a write replaces
    only a regular file, or creates one."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as e:
        raise FileRefused(path, f"cannot write there ({e.strerror or e})") from None
    if not stat.S_ISREG(st.st_mode):
        raise FileRefused(path, f"this is {_kind(st.st_mode)}, not a regular file; "
                                        "refused to write over it")


def _refuse_constant(name: str):
    raise JSONRefused(f"{name} is not a JSON number")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON text (0 for a plain value)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    try:
        return max(0, max(accumulate(map(_STEP.__getitem__, brackets))))
    except KeyError:  # cannot happen: only brackets are left
        return 0


def loads_json(text: str | bytes, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = MAX_DEPTH,
               what: str = "JSON") -> object:
    """Parse JSON text within a size and a depth limit; JSONRefused (one line) otherwise."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > max_bytes:
            raise JSONRefused(f"{what} is too big ({_size(len(text))}; at most {_size(max_bytes)})")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise JSONRefused(f"{what} is not UTF-8 text (bad byte at offset {e.start})") from None
    if not isinstance(text, str):
        raise JSONRefused(f"{what} must be text, not {type(text).__name__}")
    if len(text) > max_bytes:
        raise JSONRefused(f"{what} is too big ({len(text)} characters; at most {max_bytes})")
    depth = json_depth(text)
    if depth > max_depth:
        raise JSONRefused(f"{what} is nested too deeply ({depth} levels; at most {max_depth})")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except JSONRefused:
        raise
    except RecursionError:  # not reachable after the depth check; kept so no caller ever sees one
        raise JSONRefused(f"{what} is nested too deeply") from None
    except ValueError as e:
        raise JSONRefused(f"{what} is not valid JSON ({e})") from None


def load_json_file(path, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = MAX_DEPTH,
                   what: str = "JSON file") -> object:
    """read_bytes + loads_json: FileRefused or JSONRefused, each one line naming the file."""
    raw = read_bytes(path, max_bytes, what)
    try:
        return loads_json(raw, max_bytes, max_depth, what)
    except JSONRefused as e:
        raise JSONRefused(f"{Path(path)}: {e}") from None
