"""Finding levels by id or path: the shipped packs under levels/, or files and folders given by a user."""

from __future__ import annotations

from pathlib import Path

from .. import paths
from .loader import LevelError, PackEntry, load_level, load_packs
from .schema import Level


class UnknownLevel(LookupError):
    pass


def shipped_entries() -> list[tuple[str, PackEntry]]:
    """Every level of every shipped pack, as ("pack/id", entry), in pack order."""
    out = []
    for pack in load_packs(paths.levels_dir()):
        out += [(f"{pack.folder.name}/{e.name}", e) for e in pack.entries]
    return out


def shipped(level_id: str) -> tuple[str, PackEntry]:
    """A shipped level by its exact id ("campaign/01-carry", or "01-carry" when unique). Never touches
    the file system beyond the shipped packs, whatever the id says."""
    hits = [(n, e) for n, e in shipped_entries() if n == level_id or n.split("/", 1)[1] == level_id]
    if len(hits) != 1:
        raise UnknownLevel(f"'{level_id}' is not a shipped level" if not hits else
                           f"'{level_id}' names several shipped levels; use pack/id")
    return hits[0]


def resolve(refs: list[str]) -> list[tuple[str, Path, Level | None, LevelError | None]]:
    """Levels named by id ("01-carry" or "campaign/01-carry") or by path (a .yaml file or a folder).
    No refs: every shipped level. Returns (name, path, level or None, error or None)."""
    shipped = shipped_entries()
    if not refs:
        return [(name, e.path, e.level, e.error) for name, e in shipped]
    out = []
    for ref in refs:
        p = Path(ref)
        if p.is_dir():
            files = sorted(p.rglob("*.yaml"))
            out += [_load(f) for f in files if f.name != "pack.yaml"]
        elif p.suffix in (".yaml", ".yml") or p.exists():
            out.append(_load(p))
        else:
            hits = [(n, e) for n, e in shipped if n == ref or n.split("/", 1)[1] == ref]
            if not hits:
                raise UnknownLevel(f"no level with id or path '{ref}' (ids look like 01-carry or "
                                   f"campaign/01-carry)")
            out += [(n, e.path, e.level, e.error) for n, e in hits]
    return out


def _load(path: Path):
    try:
        return (path.stem, path, load_level(path), None)
    except LevelError as e:
        return (path.stem, path, None, e)
