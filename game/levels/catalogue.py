"""Finding levels by id or path: the shipped packs under levels/, or files and folders given by a user."""

from __future__ import annotations

from pathlib import Path

from .. import paths
from . import refs
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


def user_entry(ref: str) -> tuple[str, PackEntry]:
    """A level of the player's own packs by its "user:pack/id" reference (game/levels/refs.py)."""
    own = paths.user_data_dir() / "levels"
    name = ref[len(refs.USER):]
    hits = [(f"{refs.USER}{p.folder.name}/{e.name}", e) for p in (load_packs(own) if own.is_dir() else [])
            for e in p.entries if f"{p.folder.name}/{e.name}" == name]
    if not hits:
        raise UnknownLevel(f"'{ref}' is not a level of your own packs (in {own})")
    return hits[0]


def resolve(names: list[str]) -> list[tuple[str, Path, Level | None, LevelError | None]]:
    """Levels named by id ("01-carry" or "campaign/01-carry"), by a reference the game writes
    ("user:pack/id", "file:/path/level.yaml": game/levels/refs.py) or by path (a .yaml file or a folder).
    No names: every shipped level. Returns (name, path, level or None, error or None)."""
    shipped = shipped_entries()
    if not names:
        return [(name, e.path, e.level, e.error) for name, e in shipped]
    out = []
    for ref in names:
        if ref.startswith(refs.USER):
            name, e = user_entry(ref)
            out.append((name, e.path, e.level, e.error))
            continue
        if refs.is_file_ref(ref):
            target = refs.path_of(ref)
            if target is None:
                raise UnknownLevel(f"'{ref}' is a shortened reference to a level file; give the file's path")
            out.append(_load(target))
            continue
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
