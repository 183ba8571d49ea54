"""Collecting a folder of offline submissions: verify every attempt, keep each student's best.

``python main.py classroom collect CHALLENGE.yaml FOLDER --csv FILE`` (and the teacher screen's
"Collect a folder") reads every ``*.json`` file under FOLDER as a submission (game/classroom/
submission.py) and re-simulates every attempt in it on the challenge's own levels and networks
(game/classroom/verify.py). Per file it reports what was not counted, or is suspicious, and why:

* **malformed**: the file, or one attempt in it, cannot be read (not JSON, nested too deeply, too big,
  not a submission, a history that cannot be replayed, an unfinished sentence);
* **foreign**: the file was made for another challenge, or an attempt is of a level or network that is
  not this challenge's;
* **duplicate**: the same file twice (the same bytes, under any name), or the same attempt twice (the
  same level, times and history: verify.attempt_key), in one file or across files, whoever's name is on
  it; the first one read counts;
* **refused**: the challenge's rules say no (hints when they are not allowed, over the time limit,
  outside the time window by the attempt's own clock, more attempts than allowed per level: the first
  ones in the order they were played count);
* **forged**: the stored score differs from the re-simulated one. Not refused: the stored score is never
  used anyway, and the attempt counts with the score it really earns; flagged so the teacher knows.

A student is a nickname: two files with the same nickname (a student who exported twice) are one
student, and their attempts are merged (the same attempt in both is a duplicate, not counted twice).
Best = the highest re-simulated score, then the most stars, then the earliest played.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .. import safe_io
from .challenge import Challenge
from .gradebook import GradeRow, LevelResult
from .submission import MAX_BYTES, SubmissionError, parse_submission
from .verify import AttemptRefused, VerifiedAttempt, verify_attempt

MAX_FILES = 5000
KINDS = ("malformed", "foreign", "duplicate", "refused", "forged")


@dataclass(frozen=True)
class Finding:
    file: str
    kind: str                  # one of KINDS
    message: str
    attempt: int | None = None  # 1-based, None for the whole file

    def __str__(self) -> str:
        where = f"{self.file}: " + (f"attempt {self.attempt}: " if self.attempt is not None else "")
        return f"{where}{self.kind}: {self.message}"


@dataclass
class FileReport:
    file: str
    nickname: str | None = None
    attempts: int = 0          # attempts in the file
    counted: int = 0           # attempts that count (forged ones included, with their real score)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class CollectReport:
    challenge: Challenge
    files: list[FileReport]
    attempts: dict[str, list[VerifiedAttempt]]        # per nickname, the attempts that count
    best: dict[str, dict[str, VerifiedAttempt]]       # per nickname and level id
    verified_at: str

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings]

    def rows(self, roster: dict[str, str] | None = None) -> list[GradeRow]:
        """Gradebook rows, students by nickname (casefolded). Practice challenges have no points: the
        score cells stay empty (stars and attempts are kept)."""
        roster = roster or {}
        practice = self.challenge.rules.practice
        out = []
        for name in sorted(self.attempts, key=lambda n: (n.casefold(), n)):
            counts: dict[str, int] = {}
            for a in self.attempts[name]:
                counts[a.level_id] = counts.get(a.level_id, 0) + 1
            levels = {lid: LevelResult(None if practice else b.score, b.stars, counts.get(lid, 0),
                                       self.verified_at)
                      for lid, b in self.best.get(name, {}).items()}
            out.append(GradeRow(name, roster.get(name, ""), levels, len(self.attempts[name])))
        return out

    def board(self) -> dict:
        """The board (the class server's GET /api/board shape) of the collected results: nicknames
        only, per level and in total; ties go to whoever reached the total first."""
        levels = [lv.to_dict() for lv in self.challenge.levels]
        rows = []
        for name, best in self.best.items():
            reached = max((a.saved for a in best.values()), default="")
            rows.append({"name": name, "levels": {lid: {"score": a.score, "stars": a.stars}
                                                  for lid, a in best.items()},
                         "total": round(sum(a.score for a in best.values()), 1), "reached_at": reached})
        rows.sort(key=lambda r: (-r["total"], r["reached_at"], r["name"]))
        return {"frozen": True, "points_off": self.challenge.rules.practice, "levels": levels, "rows": rows}

    def summary(self) -> list[str]:
        """What the command line prints: one line per file, then one per finding under it."""
        out = []
        for r in self.files:
            who = f"{r.nickname!r}" if r.nickname else "?"
            out.append(f"{r.file}: {who}: {r.counted} of {r.attempts} attempts counted")
            out += [f"  {f.kind}: " + (f"attempt {f.attempt}: " if f.attempt else "") + f.message
                    for f in r.findings]
        students = len(self.attempts)
        kinds = {k: sum(f.kind == k for f in self.findings) for k in KINDS}
        tally = ", ".join(f"{n} {k}" for k, n in kinds.items() if n) or "nothing refused or flagged"
        out.append(f"{len(self.files)} files, {students} students, "
                   f"{sum(len(a) for a in self.attempts.values())} attempts counted; {tally}")
        return out


def _kind(reason: str) -> str:
    if reason.startswith(("malformed", "too large", "the sentence was not finished")):
        return "malformed"
    if "not in this challenge" in reason or "hash does not match" in reason:
        return "foreign"
    return "refused"


def _when(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def submission_files(folder) -> list[Path]:
    """Every ``*.json`` file under ``folder`` (sub-folders too, not hidden ones), sorted; MAX_FILES."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder}: not a folder")
    # hidden files and folders (.git, a half-written .tmp of an atomic write) are not submissions
    files = sorted(p for p in folder.rglob("*.json")
                   if not any(part.startswith(".") for part in p.relative_to(folder).parts))
    if len(files) > MAX_FILES:
        raise ValueError(f"{folder}: {len(files)} files (at most {MAX_FILES}); collect a smaller folder")
    return files


def collect(challenge: Challenge, folder, files: Iterable | None = None) -> CollectReport:
    """Verify every attempt of every submission in ``folder`` (module docstring)."""
    paths = list(files) if files is not None else submission_files(folder)
    verified_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    reports: list[FileReport] = []
    seen_files: dict[str, str] = {}
    seen_attempts: dict[str, tuple[str, int, str]] = {}
    played: dict[tuple[str, str], list[tuple[VerifiedAttempt, FileReport, int]]] = {}
    rules = challenge.rules
    for path in paths:
        file = os.fspath(path)
        report = FileReport(file)
        reports.append(report)
        try:
            raw = safe_io.read_bytes(path, MAX_BYTES, what="submission file")
            digest = hashlib.sha256(raw).hexdigest()
            if digest in seen_files:
                report.findings.append(Finding(file, "duplicate", f"the same file as {seen_files[digest]}"))
                continue
            seen_files[digest] = file
            sub = parse_submission(raw, file)
        except (safe_io.FileRefused, SubmissionError) as e:
            message = str(e).removeprefix(f"{file}: ")
            report.findings.append(Finding(file, "malformed", message))
            continue
        report.nickname, report.attempts = sub.nickname, len(sub.attempts)
        if sub.challenge_hash != challenge.challenge_hash:
            title = f" ({sub.challenge_title[:60]!r})" if sub.challenge_title else ""
            report.findings.append(Finding(file, "foreign", f"made for another challenge{title}, "
                                                            f"{sub.challenge_hash[:12]}, not "
                                                            f"{challenge.short_hash}"))
            continue
        for n, item in enumerate(sub.attempts, 1):
            try:
                v = verify_attempt(challenge, json.dumps(item, ensure_ascii=False).encode("utf-8"))
            except AttemptRefused as e:
                report.findings.append(Finding(file, _kind(e.reason), e.reason, n))
                continue
            first = seen_attempts.get(v.attempt_key)
            if first is not None:
                whose = "" if first[2] == sub.nickname else f" of {first[2]!r}"
                report.findings.append(Finding(file, "duplicate", f"the same attempt as {first[0]} attempt "
                                                                  f"{first[1]}{whose}; counted once", n))
                continue
            seen_attempts[v.attempt_key] = (file, n, sub.nickname)
            when = _when(v.saved)
            why = None if when is None else rules.window_problem(when)
            if why:
                report.findings.append(Finding(file, "refused", f"{why}, by the attempt's own clock", n))
                continue
            played.setdefault((sub.nickname, v.level_id), []).append((v, report, n))
    attempts: dict[str, list[VerifiedAttempt]] = {}
    best: dict[str, dict[str, VerifiedAttempt]] = {}
    for (name, level_id), items in played.items():
        items.sort(key=lambda x: (_when(x[0].started) or datetime.min.replace(tzinfo=timezone.utc),
                                  x[0].saved, x[1].file, x[2]))
        limit = rules.attempts_per_level
        for k, (v, report, n) in enumerate(items):
            if limit is not None and k >= limit:
                report.findings.append(Finding(report.file, "refused", f"too many attempts: the challenge "
                                                                       f"counts {limit} per level", n))
                continue
            report.counted += 1
            if not v.stored_score_matches:
                stored = "" if v.stored_score is None else f" {v.stored_score}"
                message = (f"the stored score{stored} differs from the re-simulated {v.score}; the "
                           "re-simulated score counts")
                report.findings.append(Finding(report.file, "forged", message, n))
            attempts.setdefault(name, []).append(v)
            cur = best.setdefault(name, {}).get(level_id)
            if cur is None or (v.score, v.stars) > (cur.score, cur.stars):
                best[name][level_id] = v
    for r in reports:
        r.findings.sort(key=lambda f: (f.attempt or 0))
    return CollectReport(challenge, reports, attempts, best, verified_at)
