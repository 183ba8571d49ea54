"""Level references: the ids under which progress and replays remember a level, and names made from them.

Three forms, all written by the game and all accepted wherever a level is named (``--level``, the
``replay`` commands, the replays screen):

* ``pack/id`` (or just ``id`` when unique): a shipped level;
* ``user:pack/id``: a level of the player's own packs (``<user data>/levels/<pack>/<id>.yaml``);
* ``file:<absolute path>``: a level file opened directly (``--level FILE``).

**A reference is at most MAX_REF characters of printable text.** The progress store and the replay
format cap level ids at 200 characters, so a path that would make a longer reference (or holds
unprintable characters) becomes ``file:…/<end of its name>#<12 hex digits of the path's hash>``: still
unique, still readable, but no longer openable from the reference alone. That is why a replay also
records the level's source path beside its reference (game/session/replay.py), and why, when a replay
is reopened, the level's *content hash* decides, never the reference: the same file under another path,
or another file under the same path, is recognised or refused by what it holds.

**A name made from a reference is safe and short** (:func:`safe_stem`): only ``A-Z a-z 0-9 . _ -``, at
most STEM_MAX characters (cut ones end in a hash of the whole reference), for file names such as the
comparison screen's saved PNG and JSON.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

FILE, USER = "file:", "user:"
MAX_REF = 200
STEM_MAX = 80

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _digest(text: str, n: int = 12) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def file_ref(path) -> str:
    """The reference of a level file opened by path (absolute; capped as the module docstring says)."""
    full = str(Path(path).resolve())
    ref = FILE + full
    if len(ref) <= MAX_REF and full.isprintable():
        return ref
    tail = _UNSAFE.sub("-", Path(full).name)[-60:]
    return f"{FILE}…/{tail}#{_digest(full)}"


def path_of(ref: str) -> Path | None:
    """The file a ``file:`` reference names, or None (another form, or a capped reference)."""
    if not ref.startswith(FILE) or ref.startswith(FILE + "…/"):
        return None
    return Path(ref[len(FILE):])


def is_file_ref(ref: str) -> bool:
    return ref.startswith(FILE)


def safe_stem(ref: str, max_len: int = STEM_MAX) -> str:
    """A file-name stem made from a reference: safe characters only, at most ``max_len`` of them."""
    stem = _UNSAFE.sub("-", ref).strip("-.") or "level"
    if len(stem) <= max_len:
        return stem
    return stem[-(max_len - 13):].lstrip("-.") + "-" + _digest(ref)
