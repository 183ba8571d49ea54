"""Saved replays a player can open into the comparison screen: their own attempts at a level (kept in
the progress store) and replay files saved from the comparison screen or put in the replays folder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..progress import StoreError
from ..session import replay as replays
from ..strings import t
from .menu import Item, Menu

MAX_ATTEMPTS = 20  # the newest attempts listed for a level
MAX_FILES = 30
MAX_SCANNED = 200  # the newest replay files read to find a level's own


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    detail: str
    open: Callable[[], replays.Verification]  # raises ReplayError when the replay cannot be used


def attempt_entries(store, player: str | None, ref: str) -> list[Entry]:
    if store is None or player is None:
        return []
    try:
        attempts = [a for a in store.attempts(player, ref, MAX_ATTEMPTS) if a["has_replay"]]
    except StoreError:
        return []

    def opener(attempt_id: int):
        def run() -> replays.Verification:
            text = store.replay(attempt_id)
            if text is None:
                raise replays.ReplayError(t("replays.attempt.missing", id=attempt_id))
            return replays.verify_text(text, t("replays.attempt.source", id=attempt_id))

        return run

    out = []
    for a in attempts:
        when = str(a["when"]).replace("T", " ")[:16]
        stars = "★" * a["stars"] + "☆" * (3 - a["stars"])
        out.append(
            Entry(
                f"attempt:{a['id']}",
                t("replays.attempt.label", when=when, stars=stars, score=a["score"]),
                t("replays.attempt.won") if a["won"] else t("replays.attempt.not_won"),
                opener(a["id"]),
            )
        )
    return out


def same_level(level_id: str, ref: str) -> bool:
    """Whether a replay recorded on ``level_id`` is of the level ``ref``: the game records refs
    ("campaign/01-carry"); a bare id ("01-carry") names the level of that id."""
    return level_id == ref or ("/" not in level_id and level_id == ref.rsplit("/", 1)[-1])


def file_entries(folders: list[Path], ref: str | None = None) -> list[Entry]:
    """Replay files (.json), newest first, from the given folders (missing folders are fine); with
    ``ref``, only the replays of that level, and files that cannot be read (opening one says why)."""
    files = []
    for folder in folders:
        try:
            files += [p for p in folder.glob("*.json") if p.is_file()]
        except OSError:
            continue
    files.sort(key=lambda p: p.stat().st_mtime if p.exists() else 0, reverse=True)
    out = []
    for p in files[:MAX_SCANNED]:
        loaded = None
        if ref is not None:
            try:
                loaded = replays.load(p)
            except replays.ReplayError:
                loaded = None  # whose it is cannot be told: listed, so opening it explains the problem
            if loaded is not None and not same_level(loaded.level_id, ref):
                continue
        out.append(Entry(f"file:{p}", p.name, str(p.parent), (lambda p=p, r=loaded: replays.verify(p, r))))
        if len(out) == MAX_FILES:
            break
    return out


class ReplayList:
    """The list as a menu; ``open()`` verifies the chosen replay (re-simulating it) or says why not."""

    def __init__(self, entries: list[Entry]):
        self.entries = {e.key: e for e in entries}
        items = [Item(e.key, e.label, detail=e.detail) for e in entries] + [Item("back", t("menu.back"))]
        self.menu = Menu(items)
        self.error = ""

    def open(self, key: str) -> replays.Verification | None:
        try:
            return self.entries[key].open()
        except replays.ReplayError as e:
            self.error = str(e)
        except OSError as e:
            self.error = t("replays.unreadable", error=e)
        return None
