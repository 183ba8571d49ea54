"""Re-simulating uploads in worker processes, so the event loop never waits for NumPy.

Each worker loads the challenge once (its initializer), from the teacher's file on this machine, and
checks the file's hash is still the one the server opened: a file edited while the class runs is not
silently used. ``verify_attempt`` (game/classroom/verify.py) does the rest. Workers are started with
``spawn`` (a fork of a process running an event loop and threads is not safe) and warmed up before the
server accepts requests, so the first upload does not pay for imports and model loading.

A worker that dies (out of memory, killed) breaks the pool; the next upload gets a fresh pool. A server
that dies leaves no worker behind: each worker exits once its parent is gone.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

_CHALLENGE = None


def _watch_parent(parent: int) -> None:
    """A worker whose server died (kill -9 leaves no chance to stop it) exits within a second instead of
    waiting forever for work."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _init(path: str, expected_hash: str) -> None:
    global _CHALLENGE
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one worker per core: no BLAS threads on top
    threading.Thread(target=_watch_parent, args=(os.getppid(),), name="watch-parent", daemon=True).start()
    from ..classroom.challenge import load_challenge

    challenge = load_challenge(path)
    if challenge.challenge_hash != expected_hash:
        raise RuntimeError(f"{path} changed since the server opened it")
    for level in challenge.levels:
        level.model()
    _CHALLENGE = challenge


def _ready() -> bool:
    return _CHALLENGE is not None


def verify_in_worker(data: bytes, now_iso: str, hints: int | None) -> dict:
    """VerifiedAttempt.to_dict(), or AttemptRefused (pickled back to the server)."""
    from ..classroom.verify import verify_attempt

    v = verify_attempt(_CHALLENGE, data, now=datetime.fromisoformat(now_iso), hints_counted=hints)
    return v.to_dict()


class VerifyPool:
    def __init__(self, challenge_path, challenge_hash: str, workers: int | None = None) -> None:
        self.path = str(challenge_path)
        self.hash = challenge_hash
        self.workers = workers or max(1, os.cpu_count() or 1)
        self.pending = 0
        self._pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init, initargs=(self.path, self.hash))

    def warm_up(self) -> None:
        """Start every worker and let it load the challenge (blocking; before serving)."""
        futures = [self._pool.submit(_ready) for _ in range(self.workers * 2)]
        for f in futures:
            f.result()

    async def verify(self, data: bytes, now: datetime, hints: int | None) -> dict:
        loop = asyncio.get_running_loop()
        self.pending += 1
        try:
            try:
                return await loop.run_in_executor(self._pool, verify_in_worker, data, now.isoformat(), hints)
            except BrokenProcessPool:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new()
                raise
        finally:
            self.pending -= 1

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
