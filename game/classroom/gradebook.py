"""The gradebook CSV: what a teacher imports into a school's gradebook, from the class server
(``classroom export``) or from a folder of offline submissions (``classroom collect``).

Two shapes:

* wide (default), one row per student::

      name,roster_id,<level> score,<level> stars,...,attempts

  ``<level>`` is the level's id in the challenge; a level not attempted has empty cells; ``attempts``
  counts every verified attempt of the student.
* long (``--long``), one row per student and level, in the challenge's level order::

      name,level,best_score,stars,attempts,verified_at

**Formula injection.** A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some
also ``\\t``/``\\r``) as a formula, and nicknames come from students: such a text cell is written with a
leading apostrophe (``'=HYPERLINK(...)``), which spreadsheets show as text. Numbers the game computes
are written as numbers.

Rows are :class:`GradeRow` objects, plain dicts of the same shape::

    {"name": "ada", "roster_id": "" , "attempts": 4,
     "levels": {"campaign/01-carry": {"score": 97.5, "stars": 3, "attempts": 2,
                                       "verified_at": "2026-12-01T09:12:03+00:00"}}}

or a student's every verified attempt, the best per level picked here (what the class server stores)::

    {"name": "ada", "roster_id": "", "attempts": [{"level": "campaign/01-carry", "score": 97.5, "stars": 3,
                                                   "verified_at": "2026-12-01T09:12:03+00:00"}, ...]}
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import atomic

WIDE_FIXED = ("name", "roster_id")
LONG_COLUMNS = ("name", "level", "best_score", "stars", "attempts", "verified_at")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class LevelResult:
    score: float | None = None      # the best verified score (None: not attempted, or points off)
    stars: int | None = None
    attempts: int = 0
    verified_at: str = ""           # when the best attempt was verified (ISO 8601)


@dataclass(frozen=True)
class GradeRow:
    name: str
    roster_id: str = ""
    levels: dict[str, LevelResult] = field(default_factory=dict)
    attempts: int = 0

    @classmethod
    def of(cls, row) -> GradeRow:
        if isinstance(row, GradeRow):
            return row
        if isinstance(row.get("attempts"), list):
            return cls.from_attempts(row)
        levels = {}
        for lid, r in (row.get("levels") or {}).items():
            levels[lid] = r if isinstance(r, LevelResult) else LevelResult(
                r.get("score", r.get("best_score")), r.get("stars"), int(r.get("attempts") or 0),
                str(r.get("verified_at") or ""))
        attempts = row.get("attempts")
        if attempts is None:
            attempts = sum(r.attempts for r in levels.values())
        return cls(str(row["name"]), str(row.get("roster_id") or ""), levels, int(attempts))

    @classmethod
    def from_attempts(cls, row) -> GradeRow:
        """A row from every verified attempt of a student, ``{"name", "roster_id", "attempts": [{"level",
        "score", "stars", "verified_at"}, ...]}``: per level the best (highest score, then most stars,
        then the earliest verified) and the number of attempts."""
        def rank(a: dict) -> tuple:
            return (-(a.get("score") or 0.0), -(a.get("stars") or 0), str(a.get("verified_at") or ""))

        best: dict[str, dict] = {}
        counts: dict[str, int] = {}
        for a in row["attempts"]:
            lid = str(a["level"])
            counts[lid] = counts.get(lid, 0) + 1
            if lid not in best or rank(a) < rank(best[lid]):
                best[lid] = a
        levels = {lid: LevelResult(a.get("score"), a.get("stars"), counts[lid],
                                   str(a.get("verified_at") or "")) for lid, a in best.items()}
        return cls(str(row["name"]), str(row.get("roster_id") or ""), levels, len(row["attempts"]))


def safe_cell(value):
    """A cell a spreadsheet shows as it is (module docstring): text starting with = + - @ gets an
    apostrophe in front; numbers and empty cells pass."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def _level_ids(levels) -> list[str]:
    """Level ids from ChallengeLevels, (id, title) pairs, {"id": ...} dicts or ids."""
    out = []
    for lv in levels:
        if isinstance(lv, str):
            out.append(lv)
        elif isinstance(lv, dict):
            out.append(str(lv["id"]))
        elif isinstance(lv, (tuple, list)):
            out.append(str(lv[0]))
        else:
            out.append(str(lv.id))
    return out


def table(rows: Iterable, levels, long: bool = False) -> list[list]:
    """The CSV as a list of rows (header first), every cell already safe."""
    ids = _level_ids(levels)
    grade_rows = [GradeRow.of(r) for r in rows]
    if long:
        out = [list(LONG_COLUMNS)]
        for r in grade_rows:
            for lid in ids:
                res = r.levels.get(lid, LevelResult())
                out.append([r.name, lid, res.score, res.stars, res.attempts, res.verified_at])
    else:
        out = [list(WIDE_FIXED) + [f"{lid} {what}" for lid in ids for what in ("score", "stars")]
               + ["attempts"]]
        for r in grade_rows:
            cells = [r.name, r.roster_id]
            for lid in ids:
                res = r.levels.get(lid, LevelResult())
                cells += [res.score, res.stars]
            out.append(cells + [r.attempts])
    return [[safe_cell(c) for c in row] for row in out]


def csv_text(rows: Iterable, levels, long: bool = False) -> str:
    buf = io.StringIO()
    # "\n": the file is written in text mode, which gives each platform its own line ends
    csv.writer(buf, lineterminator="\n").writerows(table(rows, levels, long))
    return buf.getvalue()


def write_csv(path_or_file, rows: Iterable, levels, long: bool = False, bom: bool | None = None) -> None:
    """Write the gradebook to a path (atomically; with a UTF-8 byte-order mark by default, so
    spreadsheets read accented nicknames right) or to an open text file (no mark by default)."""
    text = csv_text(rows, levels, long)
    if hasattr(path_or_file, "write"):
        path_or_file.write(("\ufeff" if bom else "") + text)
        return
    atomic.write_text(os.fspath(path_or_file), ("\ufeff" if bom is None or bom else "") + text)
