"""Background uploads to the class server: the queue, the retry policy, and what the screens show.

Each finished attempt in a class is first written to the progress store's upload queue
(``class_uploads``, game/progress_schema.py) and only then sent, by one worker thread, so:

  * a frame never waits for the network: the game calls :meth:`UploadQueue.enqueue` (one small SQLite
    write) and later reads :meth:`UploadQueue.updates` (a ``queue.Queue`` drained without blocking);
  * closing the game loses nothing: an upload stays ``queued`` in the file until the server has
    answered, and the next start sends it;
  * a server that is away, slow, busy (429) or failing (5xx) is retried with exponential backoff,
    :math:`d_n = \\min(d_{max}, d_1 \\cdot 2^{n-1})` seconds after the n-th failure in a row
    (:class:`RetryPolicy`), and every try is counted in the file;
  * a refusal (any other 4xx: a level not in the challenge, too many attempts, outside the time window)
    is final: it is stored with the server's one-line reason and shown, never retried;
  * an acceptance is stored with the server's re-simulated score and stars: the results screen says
    "verified" with that score.

Hints go through the same worker, before any upload queued after them, so the server has counted a
hint before it verifies the attempt that used it. A hint the server could not be asked about (it was
away) marks that level's next attempt as having self-reported hints.

Plain Python: tests drive :meth:`UploadQueue.run_once` with a fake clock against a real server.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ..progress import ProgressStore, StoreError
from .client import ClassClient, ClassError

__all__ = ["RetryPolicy", "UploadQueue", "UploadUpdate"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Seconds to wait after the n-th failure in a row: ``first * factor**(n-1)``, at most ``most``."""

    first: float = 2.0
    factor: float = 2.0
    most: float = 60.0

    def delay(self, failures: int) -> float:
        if failures <= 0:
            return 0.0
        return min(self.most, self.first * self.factor ** min(failures - 1, 64))


@dataclass(frozen=True)
class UploadUpdate:
    """What changed for one upload (``kind``: "accepted", "refused", "waiting") or one hint
    ("hint": ``score`` holds the server's count; ``reason`` is set when it could not be counted)."""

    upload_id: int | None
    kind: str
    level_id: str = ""
    score: float | None = None
    stars: int | None = None
    reason: str = ""
    retry_in: float = 0.0


@dataclass
class _Hint:
    membership_id: int
    server: str
    token: str
    level_id: str
    step: int


class UploadQueue:
    """Sends queued uploads (and hint requests) to class servers from one worker thread.

    ``store``: the progress store holding the queue (shared with the game; its calls are serialized).
    ``client_factory(server_url)``: a :class:`ClassClient` (tests may shorten its timeout).
    ``clock``: monotonic seconds (tests pass a fake one to :meth:`run_once`).
    """

    def __init__(self, store: ProgressStore, *, policy: RetryPolicy | None = None,
                 client_factory: Callable[[str], ClassClient] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.policy = policy or RetryPolicy()
        self._factory = client_factory or (lambda url: ClassClient(url, timeout=10.0))
        self._clock = clock
        self._clients: dict[str, ClassClient] = {}
        self._failures: dict[str, int] = {}      # server -> failures in a row
        self._due: dict[str, float] = {}         # server -> when it may be tried again
        self._hints: deque[_Hint] = deque()
        self._uncounted: set[tuple[int, str]] = set()  # (membership, level) with a hint the server missed
        self._updates: queue.Queue[UploadUpdate] = queue.Queue()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.away: dict[str, str] = {}           # server -> the last reason it could not be reached

    # -- what the game calls (never blocks on the network) -------------------------------------------

    def enqueue(self, membership_id: int, level_id: str, replay_text: str) -> int:
        """Queue a finished attempt; returns its upload id. Its hints are marked self-reported when a
        hint at this level could not be counted by the server since the last attempt."""
        with self._lock:
            offline = (membership_id, level_id) in self._uncounted
            self._uncounted.discard((membership_id, level_id))
        upload_id = self.store.queue_upload(membership_id, level_id, replay_text, hints_offline=offline)
        self._wake.set()
        return upload_id

    def ask_hint(self, membership_id: int, server: str, token: str, level_id: str, step: int) -> None:
        """Tell the server a hint was shown (it counts it), after every earlier request."""
        with self._lock:
            self._hints.append(_Hint(membership_id, server, token, level_id, int(step)))
        self._wake.set()

    def mark_hint_offline(self, membership_id: int, level_id: str) -> None:
        """A hint was used while not connected: the next attempt at this level self-reports its hints."""
        with self._lock:
            self._uncounted.add((membership_id, level_id))

    def updates(self) -> list[UploadUpdate]:
        """Everything that changed since the last call (drained without blocking)."""
        out = []
        while True:
            try:
                out.append(self._updates.get_nowait())
            except queue.Empty:
                return out

    def retry_now(self) -> None:
        """Forget the backoff (e.g. the player rejoined) and try every queued upload at once."""
        with self._lock:
            self._failures.clear()
            self._due.clear()
        self._wake.set()

    # -- the worker -----------------------------------------------------------------------------------

    def _client(self, server: str) -> ClassClient:
        if server not in self._clients:
            self._clients[server] = self._factory(server)
        return self._clients[server]

    def _failed(self, server: str, e: ClassError, now: float) -> float:
        with self._lock:
            n = self._failures[server] = self._failures.get(server, 0) + 1
            wait = self.policy.delay(n)
            self._due[server] = now + wait
            self.away[server] = str(e)
        return wait

    def _succeeded(self, server: str) -> None:
        with self._lock:
            self._failures.pop(server, None)
            self._due.pop(server, None)
            self.away.pop(server, None)

    def _send_hints(self) -> None:
        while True:
            with self._lock:
                if not self._hints:
                    return
                h = self._hints.popleft()
            try:
                answer = self._client(h.server).ask_hint(h.token, h.level_id, h.step)
            except ClassError as e:
                self.mark_hint_offline(h.membership_id, h.level_id)
                self._updates.put(UploadUpdate(None, "hint", h.level_id, reason=str(e)))
                continue
            count = answer.get("count")
            self._updates.put(UploadUpdate(None, "hint", h.level_id,
                                           score=float(count) if isinstance(count, int) else None))

    def run_once(self, now: float | None = None) -> float | None:
        """Send pending hints, then every queued upload whose server is due; returns the seconds until
        the next try (None: nothing is waiting). Store errors are logged and retried later."""
        now = self._clock() if now is None else now
        self._send_hints()
        try:
            pending = self.store.pending_uploads()
        except StoreError as e:
            log.warning("class uploads: %s", e)
            return self.policy.most
        waits = []
        for u in pending:
            server = u["server"]
            due = self._due.get(server, 0.0)
            if due > now:
                waits.append(due - now)
                continue
            try:
                answer = self._client(server).upload(u["token"], u["replay"].encode("utf-8"))
            except ClassError as e:
                if e.retriable:
                    wait = self._failed(server, e, now)
                    self._tried(u["id"])
                    self._updates.put(UploadUpdate(u["id"], "waiting", u["level_id"], reason=str(e),
                                                   retry_in=wait))
                    waits.append(wait)
                else:
                    self._succeeded(server)
                    self._finish(u, False, reason=str(e))
                continue
            self._succeeded(server)
            score, stars = answer.get("score"), answer.get("stars")
            if answer.get("status") != "accepted" or not isinstance(score, (int, float)) \
                    or isinstance(stars, bool) or not isinstance(stars, int):
                self._finish(u, False, reason="the class server sent an answer without a score")
            else:
                self._finish(u, True, float(score), max(0, min(3, stars)))
        return min(waits) if waits else None

    def _tried(self, upload_id: int) -> None:
        try:
            self.store.upload_tried(upload_id)
        except StoreError as e:
            log.warning("class uploads: %s", e)

    def _finish(self, u: dict, accepted: bool, score: float | None = None, stars: int | None = None,
                reason: str = "") -> None:
        try:
            self.store.upload_done(u["id"], accepted, score, stars, reason)
        except StoreError as e:  # not saved: it stays queued and is sent again (the server dedups)
            log.warning("class uploads: %s", e)
        self._updates.put(UploadUpdate(u["id"], "accepted" if accepted else "refused", u["level_id"],
                                       score, stars, reason))

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                wait = self.run_once()
            except Exception:  # the worker must outlive any one bad row or answer
                log.exception("class uploads: unexpected error")
                wait = self.policy.most
            self._wake.wait(self.policy.most if wait is None else max(0.05, wait))
        for c in self._clients.values():
            c.close()
        self._clients.clear()

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="class-uploads", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop the worker (an upload in flight finishes or times out; the queue stays in the file)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
