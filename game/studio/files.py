"""Studio files: the user's studio pack, opening a level file back into a pattern's form, comments.

Own levels live in ``<user data>/levels/studio/`` (a pack: pack.yaml lists them in order), where the level
select finds every user pack. A level file is opened through the project's strict YAML loader (bounded
read) and fitted to a pattern (game/studio/patterns.fit); a file that no longer fits opens read-only.

Comments: PyYAML drops them, so the studio keeps what it can and says so. Whole-line comments (lines
starting with ``#``) are written back at the top of the saved file; an inline comment after a value
(``key: value  # note``) cannot be kept, and ``inline_comments`` finds them so the studio warns before it
overwrites the file.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .. import atomic, paths
from ..levels import yaml_strict
from ..levels.yaml_strict import StrictYAMLError
from ..safe_io import read_bytes
from . import patterns

PACK = "studio"
PACK_TITLE = "My levels"


def studio_dir() -> Path:
    return paths.user_data_dir() / "levels" / PACK


def own_levels() -> list[Path]:
    d = studio_dir()
    return sorted(d.glob("*.yaml")) if d.is_dir() else []


def _scan(text: str) -> tuple[list[str], list[int]]:
    """(whole-line comments, line numbers of inline comments). A '#' starts a comment at the start of a
    line or after a space, outside quotes (YAML's rule)."""
    whole, inline = [], []
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip()
        if stripped.startswith("#"):
            whole.append(stripped)
            continue
        quote = None
        for k, ch in enumerate(line):
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "'\"" and (k == 0 or line[k - 1] in " :[{,-"):
                quote = ch
            elif ch == "#" and k > 0 and line[k - 1] in " \t":
                inline.append(n)
                break
    return whole, inline


def line_comments(text: str) -> list[str]:
    return _scan(text)[0]


def inline_comments(text: str) -> list[int]:
    return _scan(text)[1]


class Opened:
    """A level file as the studio sees it: its pattern and form values, or read-only with the reason."""

    def __init__(self, path: Path, text: str, pattern=None, values=None, problem: str = ""):
        self.path, self.text, self.pattern, self.values, self.problem = path, text, pattern, values, problem
        self.comments = line_comments(text)
        self.inline = inline_comments(text)

    @property
    def read_only(self) -> bool:
        return self.pattern is None


def open_level(path) -> Opened:
    """Read (bounded, strict YAML) and fit to a pattern. Never raises for the file's content."""
    path = Path(path)
    try:
        text = yaml_strict.decode(read_bytes(path, yaml_strict.MAX_BYTES, "level file"))
        doc = yaml_strict.load_text(text)
    except StrictYAMLError as e:
        p = e.problems[0]
        return Opened(path, "", problem=f"{path}:{p.line}:{p.column}: {p.message}")
    except OSError as e:
        return Opened(path, "", problem=str(e))
    found = patterns.fit(doc.data)
    if found is None:
        return Opened(path, text, problem="no pattern")
    return Opened(path, text, found[0], found[1])


def with_comments(yaml_text: str, comments: list[str]) -> str:
    return ("\n".join(comments) + "\n" if comments else "") + yaml_text


def save_level(yaml_text: str, level_id: str, comments: list[str] = (), folder: Path | None = None) -> Path:
    """Write the level into the studio pack (atomically) and list it in pack.yaml's order."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", level_id):  # the loader's id rule: never a path
        raise ValueError(f"'{level_id}' is not a level id (a-z, 0-9 and -)")
    folder = folder or studio_dir()
    target = folder / f"{level_id}.yaml"
    atomic.write_text(target, with_comments(yaml_text, list(comments)))
    pack = folder / "pack.yaml"
    order = []
    if pack.is_file():
        try:
            data = yaml_strict.load_text(yaml_strict.decode(read_bytes(pack, yaml_strict.MAX_BYTES))).data
            order = [str(x) for x in (data.get("order") or [])] if isinstance(data, dict) else []
        except (StrictYAMLError, OSError):
            order = []
    order = [o for o in order if (folder / f"{o}.yaml").is_file()]
    if level_id not in order:
        order.append(level_id)
    atomic.write_text(
        pack,
        yaml.safe_dump(
            {"format": 1, "title": PACK_TITLE, "order": order}, sort_keys=False, allow_unicode=True
        ),
    )
    return target


def export_level(yaml_text: str, path, comments: list[str] = ()) -> Path:
    """A copy to share, written atomically (a device or folder as the target is refused)."""
    path = Path(path)
    atomic.write_text(path, with_comments(yaml_text, list(comments)))
    return path
