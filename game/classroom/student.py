"""The student's side of a class, as the game's screens use it: joining, the challenge's levels and
rules, each finished attempt handed to the upload queue, hints the server counts, and the offline
challenge file played without any network.

Rules shown to the student (the server enforces them again; these only say them early):

  * attempts left at a level = ``attempts_per_level`` − attempts queued or accepted there (a refused
    attempt does not count; the server has the last word);
  * hints: ``hints_allowed`` false → the H key says hints are off; otherwise each counted hint is told
    to the server (game/classroom/uploads.py), and one the server could not hear about makes the
    level's next attempt carry self-reported hints;
  * the time window: before ``opens_at`` or after ``closes_at`` the level list says so.

Network calls (join, fetching the challenge file) are made by :class:`Background` jobs, which the
screens poll each frame: a frame never waits.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import paths
from ..atomic import write_text
from ..progress import ProgressStore, StoreError
from ..strings import t
from .challenge import Challenge, ChallengeError, ChallengeLevel, load_challenge, parse_challenge
from .client import ClassClient, ClassError, one_line
from .submission import SubmissionError
from .uploads import UploadQueue, UploadUpdate

__all__ = ["Background", "ClassSession", "challenges_dir", "friendly_names", "join_class",
           "list_challenge_files", "load_offline"]


def challenges_dir() -> Path:
    """Challenge files the student keeps (copied from a USB stick, or fetched when joining)."""
    return paths.user_data_dir() / "challenges"


def friendly_names(rng: random.Random, n: int = 3) -> list[str]:
    """``n`` different nicknames such as "Calm Otter 12": nothing that identifies a student."""
    adjectives = t("classroom.nick.adjectives").split(",")
    animals = t("classroom.nick.animals").split(",")
    out: list[str] = []
    while len(out) < n:
        name = f"{rng.choice(adjectives).strip()} {rng.choice(animals).strip()} {rng.randrange(10, 100)}"
        if name not in out:
            out.append(name)
    return out


class Background:
    """Run ``fn()`` in a daemon thread; poll :attr:`done`, then read :attr:`result` or :attr:`error`
    (one line). Any exception ends the job with an error, never a thread that died silently."""

    def __init__(self, fn: Callable[[], Any], start: bool = True) -> None:
        self._fn = fn
        self.result: Any = None
        self.error = ""
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="class-job")
        if start:
            self._thread.start()
        else:
            self._run()

    def _run(self) -> None:
        try:
            self.result = self._fn()
        except (ClassError, ChallengeError, SubmissionError, StoreError, OSError, ValueError) as e:
            self.error = one_line(e, 300) or type(e).__name__
        except Exception as e:  # noqa: BLE001 - a bug: said on screen, never a hang
            self.error = f"{type(e).__name__}: {one_line(e, 200)}"
        finally:
            self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)


@dataclass
class ClassSession:
    """A class joined: who we are there, the challenge, and our uploads' outcomes."""

    server: str
    code: str
    nickname: str
    token: str
    membership_id: int
    challenge: Challenge
    queue: UploadQueue | None = None
    verified: dict[int, UploadUpdate] = field(default_factory=dict)   # upload id -> last word
    last_hint_note: str = ""
    offline_attempts: list[str] = field(default_factory=list)  # replay texts for "Export my submission"
    store: ProgressStore | None = None  # offline: where offline_attempts are kept across restarts

    @property
    def online(self) -> bool:
        return bool(self.server)

    @property
    def rules(self):
        return self.challenge.rules

    def owns(self, level_id: str) -> bool:
        return self.challenge.level(level_id) is not None

    def level(self, level_id: str) -> ChallengeLevel:
        found = self.challenge.level(level_id)
        if found is None:
            raise KeyError(level_id)
        return found

    def attempts_used(self, store: ProgressStore | None, level_id: str) -> int:
        if store is None or not self.membership_id:
            return 0
        return sum(1 for u in store.class_uploads(self.membership_id)
                   if u["level_id"] == level_id and u["state"] != "refused")

    def attempts_left(self, store: ProgressStore | None, level_id: str) -> int | None:
        """None: unlimited."""
        most = self.rules.attempts_per_level
        return None if most is None else max(0, most - self.attempts_used(store, level_id))

    def window_problem(self, now: datetime | None = None) -> str | None:
        return self.rules.window_problem(now or datetime.now(timezone.utc))

    def rules_line(self) -> str:
        r = self.rules
        parts = [t("classroom.rules.attempts", n=r.attempts_per_level) if r.attempts_per_level
                 else t("classroom.rules.attempts_unlimited"),
                 t("classroom.rules.hints_on") if r.hints_allowed else t("classroom.rules.hints_off")]
        if r.time_limit_seconds:
            parts.append(t("classroom.rules.time_limit", minutes=max(1, round(r.time_limit_seconds / 60))))
        if r.closes_at is not None:
            parts.append(t("classroom.rules.closes", when=r.closes_at.strftime("%H:%M %Z").strip()))
        if r.practice:
            parts.append(t("classroom.rules.practice"))
        return " · ".join(parts)

    # -- hints -----------------------------------------------------------------------------------------
    def hint_rules(self, level_id: str) -> ClassHints:
        """What the play screen's H key asks (game/controllers/play.py ``class_hints``)."""
        return ClassHints(self, level_id)

    def hint_refusal(self) -> str | None:
        """Why H does nothing here (hints are off in this challenge), or None."""
        return None if self.rules.hints_allowed else t("classroom.hints_forbidden")

    def hint_used(self, level_id: str, step: int) -> None:
        """A counted hint was shown: tell the server (in the background), or mark it self-reported."""
        if self.queue is None:
            return
        if self.online:
            self.queue.ask_hint(self.membership_id, self.server, self.token, level_id, step)
        else:
            self.queue.mark_hint_offline(self.membership_id, level_id)

    # -- attempts --------------------------------------------------------------------------------------
    def submit(self, level_id: str, replay_text: str) -> int | None:
        """Queue a finished attempt for upload; its id (None when offline or nothing can queue)."""
        if not self.online:
            self.offline_attempts.append(replay_text)
            if self.store is not None:  # kept in the progress file: closing the game loses none
                self.store.save_offline_attempt(self.challenge.challenge_hash, self.nickname, level_id,
                                                replay_text)
            return None
        if self.queue is None:
            return None
        return self.queue.enqueue(self.membership_id, level_id, replay_text)

    def poll(self) -> list[UploadUpdate]:
        """The upload queue's news since the last frame (kept per upload for the screens)."""
        if self.queue is None:
            return []
        news = self.queue.updates()
        for u in news:
            if u.upload_id is not None:
                self.verified[u.upload_id] = u
            elif u.kind == "hint":
                self.last_hint_note = u.reason
        return news

    def status_of(self, store: ProgressStore | None, upload_id: int) -> dict[str, Any] | None:
        """The stored state of an upload (queued / accepted with score / refused with reason)."""
        if store is None:
            return None
        try:
            return store.upload_status(upload_id)
        except StoreError:
            return None

    def status_line(self, store: ProgressStore | None) -> str:
        """One line for the class screens: verified / waiting / refused counts, or why the server is away."""
        if not self.online:
            return t("classroom.status.offline")
        try:
            ups = store.class_uploads(self.membership_id) if store is not None else []
        except StoreError as e:
            return str(e)
        counts = {s: sum(1 for u in ups if u["state"] == s) for s in ("accepted", "queued", "refused")}
        line = t("classroom.status.counts", verified=counts["accepted"], waiting=counts["queued"],
                 refused=counts["refused"])
        away = self.queue.away.get(self.server) if self.queue is not None else None
        return f"{line} — {t('classroom.status.away', reason=away)}" if away and counts["queued"] else line


@dataclass
class ClassHints:
    """The class's hint rules for one level, as the play controller uses them."""

    session: ClassSession
    level_id: str

    def refusal(self) -> str | None:
        return self.session.hint_refusal()

    def used(self, step: int) -> None:
        self.session.hint_used(self.level_id, step)


def _save_challenge_copy(raw: bytes, challenge_hash: str) -> Path:
    """Keep the class's challenge file in the user's challenges/ folder (it can be played offline)."""
    safe = "".join(ch for ch in challenge_hash[:16] if ch in "0123456789abcdef") or \
        hashlib.sha256(raw).hexdigest()[:16]
    path = challenges_dir() / f"class-{safe}.yaml"
    write_text(path, raw.decode("utf-8"))
    return path


def join_class(store: ProgressStore | None, server: str, code: str, nickname: str,
               player: str | None = None, queue: UploadQueue | None = None,
               client_factory: Callable[[str], ClassClient] | None = None) -> ClassSession:
    """Join (or rejoin with the token kept from last time) and fetch the challenge. Blocking: run it
    in a :class:`Background` job. Raises ClassError / ChallengeError / StoreError (one line)."""
    client = (client_factory or (lambda url: ClassClient(url, timeout=8.0)))(server)
    try:
        url = client.base_url
        code = "".join(code.split()).upper()
        known = None
        if store is not None:
            known = next((m for m in store.memberships() if m["server"] == url and m["code"] == code
                          and m["nickname"] == nickname.strip()), None)
        answer = client.join(code, nickname, token=known["token"] if known else None)
        raw = client.challenge_file()
    finally:
        client.close()
    name = str(answer.get("name") or nickname).strip()[:40] or nickname
    challenge = parse_challenge(raw, f"{url}/api/challenge.yaml")
    try:
        _save_challenge_copy(raw, challenge.challenge_hash)
    except OSError:
        pass  # a copy for offline play is a convenience
    membership = 0
    if store is not None:
        membership = store.save_membership(url, code, name, answer["token"], challenge.title[:300], player)
    if queue is not None:
        queue.retry_now()
    return ClassSession(url, code, name, answer["token"], membership, challenge, queue)


def list_challenge_files(folder: Path | None = None, most: int = 50) -> list[Path]:
    """Challenge files (*.yaml, *.yml) in the user's challenges/ folder, newest first."""
    folder = folder or challenges_dir()
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)[:most]


def load_offline(path: str | Path, nickname: str, store: ProgressStore | None = None) -> ClassSession:
    """A challenge file played with no network: attempts are kept for "Export my submission", in
    ``store`` when given (with those played there before under this nickname, after a restart)."""
    challenge = load_challenge(Path(path).expanduser())
    kept = [] if store is None else store.offline_attempts(challenge.challenge_hash, nickname)
    return ClassSession("", "", nickname, "", 0, challenge, None, offline_attempts=kept, store=store)
