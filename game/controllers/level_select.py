"""The level list: packs in order, each level's best result, what is locked, and broken level files."""

from __future__ import annotations

from dataclasses import dataclass

from ..levels.loader import PackListing
from ..levels.schema import Level


@dataclass(frozen=True)
class Row:
    ref: str  # "pack/level-id": the id progress and replays use
    pack: str  # the pack's title
    number: int  # 1-based position in its pack
    title: str
    level: Level | None
    error: str | None  # why the file cannot be played (every problem, one per line)
    best: dict | None  # progress store summary: score, stars, attempts, wins
    locked: bool
    path: str | None = None  # the level file, for a level opened by path (kept with its replays)

    @property
    def playable(self) -> bool:
        return self.level is not None and not self.locked

    @property
    def stars(self) -> int:
        return int(self.best["stars"]) if self.best else 0


def rows_for(
    packs: list[PackListing], progress: dict[str, dict], unlock_all: bool = False, prefix: str = ""
) -> list[Row]:
    """A level is unlocked when it is its pack's first playable level or the playable level before it
    has been won; broken files never lock anything (they are listed with their error instead)."""
    rows = []
    for pack in packs:
        if pack.error is not None:
            rows.append(
                Row(
                    f"{prefix}{pack.name}/pack.yaml",
                    pack.title,
                    0,
                    "pack.yaml",
                    None,
                    str(pack.error),
                    None,
                    False,
                )
            )
            continue
        previous_won = True
        for n, e in enumerate(pack.entries, 1):
            ref = f"{prefix}{pack.name}/{e.name}"
            if e.level is None:
                rows.append(Row(ref, pack.title, n, e.name, None, str(e.error), None, False))
                continue
            best = progress.get(ref)
            rows.append(
                Row(ref, pack.title, n, e.level.title, e.level, None, best, not (unlock_all or previous_won))
            )
            previous_won = bool(best and best["wins"] > 0)
    return rows


class LevelSelect:
    def __init__(self, rows: list[Row], focus_ref: str | None = None):
        self.rows = rows
        self.focus = 0
        if focus_ref is not None:
            self.focus = next((k for k, r in enumerate(rows) if r.ref == focus_ref), 0)
        elif rows:
            self.focus = self.suggested()

    def suggested(self) -> int:
        """The first unlocked playable level not yet won (where "continue" goes)."""
        for k, r in enumerate(self.rows):
            if r.playable and not (r.best and r.best["wins"] > 0):
                return k
        return next((k for k, r in enumerate(self.rows) if r.playable), 0)

    @property
    def focused(self) -> Row | None:
        return self.rows[self.focus] if self.rows else None

    def move(self, delta: int) -> None:
        if self.rows:
            self.focus = max(0, min(len(self.rows) - 1, self.focus + delta))

    def point(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            self.focus = index

    def choose(self) -> Row | None:
        row = self.focused
        return row if row is not None and row.playable else None

    def next_after(self, ref: str) -> Row | None:
        """The level after ``ref`` in the same pack (None at the end of the pack)."""
        k = next((k for k, r in enumerate(self.rows) if r.ref == ref), None)
        if k is None or k + 1 >= len(self.rows) or self.rows[k + 1].pack != self.rows[k].pack:
            return None
        return self.rows[k + 1]
