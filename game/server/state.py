"""What one running class server holds: the challenge, the store, the class's code and teacher token, the
verification pool, the rate limits and the board hub.

While the board is frozen, the class sees the attempts that were on it at the freeze (the store keeps
them), shown with today's names and points-off setting; the teacher sees the live board.

The board hub keeps the board as last computed and wakes every server-sent-events stream when it
changes. It recomputes when this process changed something (``poke``; at most every MIN_INTERVAL, so a
burst of uploads costs a few recomputations, not one each) and, for servers sharing a PostgreSQL
database, when the class's revision in the store moved (checked every POLL seconds), so a change
reaches every projector within POLL + the time to compute the board (well under 2 s).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys

from starlette.concurrency import run_in_threadpool

from .board import compute_board
from .limits import RateLimiter

POLL = 0.5
MIN_INTERVAL = 0.2
# No look-alike characters in a join code: no 0/O/D, 1/I/L, 2/Z, 5/S, 8/B, U/V (22 characters; 22^6 ≈ 1.1e8).
CODE_ALPHABET = "ACEFGHJKMNPQRTWXY34679"
CODE_LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_token() -> str:
    return secrets.token_urlsafe(24)


def normalise_code(text: str) -> str:
    """What a student typed: case, spaces and dashes do not matter."""
    return "".join(ch for ch in str(text).upper() if ch not in " -\t")


def frozen_rows(snapshot: list, live_rows: list) -> list:
    """The attempts on the board when it was frozen, under the students' names now: a student renamed
    or removed by the teacher after the freeze is renamed or gone on the frozen board too."""
    names = {row[0]: row[1] for row in live_rows}
    return [(sid, names[sid], level, score, stars, at) for sid, _, level, score, stars, at in snapshot
            if sid in names]


class BoardHub:
    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.revision: int | None = -1
        self.version = 0
        self.live: dict | None = None
        self.public: dict | None = None
        self.public_text = ""
        self.live_text = ""
        self._lock = asyncio.Lock()
        self._changed = asyncio.Condition()
        self._poke = asyncio.Event()

    def poke(self) -> None:
        self._poke.set()

    async def refresh(self) -> None:
        """Recompute the boards if the class's revision moved."""
        st = self.state
        async with self._lock:
            rev = await run_in_threadpool(st.store.revision, st.class_id)
            if rev == self.revision:
                return
            if rev is None:  # deleted (here or by another process sharing the database)
                st.deleted = True
                self.revision = None
            else:
                record = await run_in_threadpool(st.store.get_class, st.class_id)
                rows = await run_in_threadpool(st.store.board_rows, st.class_id)
                if record is None:
                    st.deleted = True
                else:
                    st.record = record
                    live = compute_board(rows, st.levels, frozen=record.frozen, points_off=record.points_off,
                                         practice=st.challenge.rules.practice, revision=record.revision)
                    public = live
                    if record.frozen and record.frozen_board:
                        public = compute_board(frozen_rows(json.loads(record.frozen_board), rows), st.levels,
                                               frozen=True, points_off=record.points_off,
                                               practice=st.challenge.rules.practice,
                                               revision=record.revision)
                    self.live, self.public = live, public
                    self.live_text = json.dumps(live, separators=(",", ":"))
                    self.public_text = json.dumps(public, separators=(",", ":"))
                self.revision = record.revision if record is not None else None
            async with self._changed:
                self.version += 1
                self._changed.notify_all()

    async def run(self) -> None:
        """The background task: refresh on a poke, or every POLL seconds (other processes' changes)."""
        while True:
            try:
                await asyncio.wait_for(self._poke.wait(), POLL)
            except asyncio.TimeoutError:
                pass
            self._poke.clear()
            try:
                await self.refresh()
                # During a burst of uploads, recompute at most every MIN_INTERVAL: the board is a
                # summary, and each recomputation reads every attempt's score.
                await asyncio.sleep(MIN_INTERVAL)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # a database hiccup must not stop the board; try again next round
                print(f"board: {type(e).__name__}: {e}", file=sys.stderr, flush=True)  # stdout: --json's line
                await asyncio.sleep(POLL)

    async def wait_newer(self, version: int, timeout: float) -> int:
        async with self._changed:
            if self.version == version:
                try:
                    await asyncio.wait_for(self._changed.wait(), timeout)
                except asyncio.TimeoutError:
                    pass
            return self.version


class ServerState:
    """``.store``, ``.challenge``, ``.teacher_token``, ``.code``, ``.verify_pool`` and ``await .board()``
    (CLASSROOM.md's contract with game/server/pages.py)."""

    def __init__(self, store, challenge, record, verify_pool, *, challenge_text: str = "") -> None:
        self.store = store
        self.challenge = challenge
        self.record = record
        self.class_id = record.id
        self.code = record.code
        self.teacher_token = record.teacher_token
        self.verify_pool = verify_pool
        self.challenge_text = challenge_text
        self.levels = [{"id": lv.id, "title": lv.title} for lv in challenge.levels]
        self.deleted = False
        self.hub = BoardHub(self)
        # Rates (module docstring of limits.py). Joins per address: a lab behind one NAT address still
        # fits (60 at once); uploads per student: a burst of a whole lesson's retries, then one per 2 s.
        self.join_limit = RateLimiter(burst=60, rate=1.0)
        self.upload_limit = RateLimiter(burst=12, rate=0.5)
        self.hint_limit = RateLimiter(burst=20, rate=1.0)
        self.request_limit = RateLimiter(burst=600, rate=100.0)   # any request, per address
        self.teacher_fail_limit = RateLimiter(burst=10, rate=0.1)  # wrong teacher tokens, per address
        self.max_pending = 4000  # uploads waiting for a worker before we answer 503

    async def board(self, teacher: bool = False) -> dict:
        """The board now (teacher: live even when frozen)."""
        await self.hub.refresh()
        return self.hub.live if teacher else self.hub.public
