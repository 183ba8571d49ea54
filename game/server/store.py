"""The class server's store: one interface, two back ends (SQLite in WAL mode; PostgreSQL).

What is kept (the minimum, all deletable with :meth:`Store.delete_class`):
- a class: its join code, the teacher token, the challenge's content hash, frozen (and the board as it
  was when frozen), points-off, the optional roster (names students must use, with the teacher's ids);
- students: nickname, a SHA-256 hash of their token (a stolen database gives no usable token), the
  roster id when the teacher gave one;
- attempts: the verified result (the server's score, never the upload's), the canonical replay JSON,
  the level's and the network's hashes and when it was verified;
- hints asked from the server, per student and level, until an attempt on that level uses them.

Every write is one transaction committed before the method returns, so an answer sent to a client
is never about an uncommitted row: kill -9 loses no accepted attempt. SQLite runs with
``synchronous=FULL`` (each commit reaches the disk, not only the OS cache). Each class has a
``revision`` bumped by every change that can alter its board; several server processes sharing a
PostgreSQL database poll it to learn about each other's changes.

Methods are synchronous and thread-safe (one connection behind a lock); the ASGI app calls them from
worker threads, never on the event loop.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SCHEMA_VERSION = 1
DB_NAME = "classroom.sqlite3"


class StoreError(Exception):
    """The store cannot be opened or used (one line)."""


class NameTaken(Exception):
    """Another student of the class already has this nickname."""


class AttemptNotStored(Exception):
    """add_attempt refused: ``why`` is "limit" (no attempts left), "gone" (the student was removed) or
    "duplicate" (this very play is stored already; ``mine``: by the same student)."""

    def __init__(self, why: str, mine: bool = False) -> None:
        super().__init__(why)
        self.why = why
        self.mine = mine


@dataclass(frozen=True)
class ClassRecord:
    id: int
    code: str
    teacher_token: str
    challenge_hash: str
    title: str
    frozen: bool
    frozen_board: str | None
    points_off: bool
    roster_required: bool
    roster: list  # [{"name": ..., "id": ...}]
    revision: int
    created_at: str


@dataclass(frozen=True)
class Student:
    id: int
    class_id: int
    name: str
    roster_id: str | None
    joined_at: str


@dataclass(frozen=True)
class Attempt:
    id: int
    student_id: int
    level_id: str
    score: float
    stars: int
    wins: bool
    hints: int
    verified_at: str
    result_json: str   # VerifiedAttempt.to_dict() without the replay
    replay_json: str   # the canonical replay
    level_hash: str
    network_hash: str


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# Portable SQL: '?' placeholders (turned into %s for PostgreSQL), RETURNING and ON CONFLICT exist in both.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS classes (
    id {serial},
    code TEXT NOT NULL UNIQUE,
    teacher_token TEXT NOT NULL,
    challenge_hash TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    frozen INTEGER NOT NULL DEFAULT 0,
    frozen_board TEXT,
    points_off INTEGER NOT NULL DEFAULT 0,
    roster_required INTEGER NOT NULL DEFAULT 0,
    roster TEXT NOT NULL DEFAULT '[]',
    revision BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS students (
    id {serial},
    class_id BIGINT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    roster_id TEXT,
    joined_at TEXT NOT NULL,
    UNIQUE (class_id, name),
    UNIQUE (class_id, token_hash)
);
CREATE TABLE IF NOT EXISTS attempts (
    id {serial},
    class_id BIGINT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    student_id BIGINT NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    level_id TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    stars INTEGER NOT NULL,
    wins INTEGER NOT NULL,
    hints INTEGER NOT NULL,
    verified_at TEXT NOT NULL,
    result_json TEXT NOT NULL,
    replay_json TEXT NOT NULL,
    level_hash TEXT NOT NULL,
    network_hash TEXT NOT NULL,
    play_key TEXT NOT NULL,
    UNIQUE (class_id, play_key)
);
CREATE INDEX IF NOT EXISTS attempts_by_class ON attempts (class_id, student_id, level_id);
CREATE TABLE IF NOT EXISTS hints (
    id {serial},
    class_id BIGINT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    student_id BIGINT NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    level_id TEXT NOT NULL,
    step INTEGER NOT NULL,
    asked_at TEXT NOT NULL,
    attempt_id BIGINT
);
CREATE INDEX IF NOT EXISTS hints_by_student ON hints (class_id, student_id, level_id);
"""

_CLASS_COLUMNS = ("id, code, teacher_token, challenge_hash, title, frozen, frozen_board, points_off, "
                  "roster_required, roster, revision, created_at")
_ATTEMPT_COLUMNS = ("id, student_id, level_id, score, stars, wins, hints, verified_at, result_json, "
                    "replay_json, level_hash, network_hash")


def _class(row) -> ClassRecord:
    (id_, code, token, chash, title, frozen, board, points_off, required, roster, revision, created) = row
    return ClassRecord(int(id_), code, token, chash, title, bool(frozen), board, bool(points_off),
                       bool(required), json.loads(roster), int(revision), created)


def _attempt(row) -> Attempt:
    (id_, sid, level, score, stars, wins, hints, at, result, replay, lh, nh) = row
    return Attempt(int(id_), int(sid), level, float(score), int(stars), bool(wins), int(hints), at, result,
                   replay, lh, nh)


class Store(ABC):
    """The one interface the server uses. Subclasses provide a DB-API connection and the dialect."""

    placeholder = "?"
    serial = "INTEGER PRIMARY KEY AUTOINCREMENT"
    integrity_errors: tuple = ()

    def __init__(self) -> None:
        self._lock = threading.RLock()

    # -- plumbing ---------------------------------------------------------------------------------------
    @abstractmethod
    def _connection(self): ...

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _run(self, fn):
        """fn(cursor) inside one transaction, committed before returning (rolled back on error)."""
        with self._lock:
            con = self._connection()
            cur = con.cursor()
            try:
                self._begin(cur)
                result = fn(lambda sql, args=(): cur.execute(self._sql(sql), args) and cur, cur)
                con.commit()
                return result
            except BaseException:
                try:
                    con.rollback()
                except Exception:  # a connection that broke mid-transaction: reopened on the next call
                    pass
                raise
            finally:
                cur.close()

    def _create_schema(self) -> None:
        def go(ex, cur):
            for statement in _SCHEMA.format(serial=self.serial).split(";"):
                if statement.strip():
                    ex(statement)
            ex("SELECT value FROM meta WHERE key = 'schema'")
            row = cur.fetchone()
            if row is None:
                ex("INSERT INTO meta (key, value) VALUES ('schema', ?) ON CONFLICT (key) DO NOTHING",
                   (str(SCHEMA_VERSION),))
            elif row[0] != str(SCHEMA_VERSION):
                raise StoreError(f"the class database has schema version {row[0]}; this game reads "
                                 f"version {SCHEMA_VERSION}")
        self._run(go)

    def _begin(self, cur) -> None:  # noqa: B027 (PostgreSQL starts a transaction by itself)
        """Start the transaction."""

    @abstractmethod
    def close(self) -> None: ...

    # -- classes ----------------------------------------------------------------------------------------
    def open_class(self, challenge_hash: str, title: str, new_code, new_token) -> tuple[ClassRecord, bool]:
        """The class of this challenge, created (with new_code() and new_token()) if there is none yet;
        (record, created). Restarting with the same store resumes it: same code, same token, same board."""
        for _ in range(20):  # a code already used by another class: draw again
            code, token = new_code(), new_token()

            def go(ex, cur, code=code, token=token):
                ex("INSERT INTO classes (code, teacher_token, challenge_hash, title, created_at) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (challenge_hash) DO NOTHING RETURNING id",
                   (code, token, challenge_hash, title, now_iso()))
                created = cur.fetchone() is not None
                ex(f"SELECT {_CLASS_COLUMNS} FROM classes WHERE challenge_hash = ?", (challenge_hash,))
                return _class(cur.fetchone()), created
            try:
                return self._run(go)
            except self.integrity_errors:
                continue
        raise StoreError("could not draw an unused join code")

    def get_class(self, class_id: int) -> ClassRecord | None:
        def go(ex, cur):
            ex(f"SELECT {_CLASS_COLUMNS} FROM classes WHERE id = ?", (class_id,))
            row = cur.fetchone()
            return None if row is None else _class(row)
        return self._run(go)

    def revision(self, class_id: int) -> int | None:
        """The class's change counter (None once the class is deleted)."""
        def go(ex, cur):
            ex("SELECT revision FROM classes WHERE id = ?", (class_id,))
            row = cur.fetchone()
            return None if row is None else int(row[0])
        return self._run(go)

    @staticmethod
    def _bump(ex, class_id: int) -> None:
        ex("UPDATE classes SET revision = revision + 1 WHERE id = ?", (class_id,))

    def set_frozen(self, class_id: int, frozen: bool, board: str | None) -> None:
        """board: what the class sees while frozen, as JSON (the board rows at the freeze; None when
        unfreezing)."""
        def go(ex, cur):
            ex("UPDATE classes SET frozen = ?, frozen_board = ? WHERE id = ?",
               (int(frozen), board if frozen else None, class_id))
            self._bump(ex, class_id)
        self._run(go)

    def set_points_off(self, class_id: int, points_off: bool) -> None:
        def go(ex, cur):
            ex("UPDATE classes SET points_off = ? WHERE id = ?", (int(points_off), class_id))
            self._bump(ex, class_id)
        self._run(go)

    def set_roster(self, class_id: int, required: bool, roster: list) -> None:
        def go(ex, cur):
            ex("UPDATE classes SET roster_required = ?, roster = ? WHERE id = ?",
               (int(required), json.dumps(roster), class_id))
            self._bump(ex, class_id)
        self._run(go)

    def delete_class(self, class_id: int) -> None:
        """Every row of the class: attempts, hints, students, the class itself."""
        def go(ex, cur):
            for table in ("hints", "attempts", "students"):
                ex(f"DELETE FROM {table} WHERE class_id = ?", (class_id,))
            ex("DELETE FROM classes WHERE id = ?", (class_id,))
        self._run(go)

    # -- students ---------------------------------------------------------------------------------------
    def add_student(self, class_id: int, name: str, token_sha: str, roster_id: str | None) -> Student:
        """NameTaken if the class has a student of that name already."""
        def go(ex, cur):
            ex("SELECT 1 FROM students WHERE class_id = ? AND LOWER(name) = LOWER(?)", (class_id, name))
            if cur.fetchone() is not None:
                raise NameTaken(name)
            at = now_iso()
            ex("INSERT INTO students (class_id, name, token_hash, roster_id, joined_at) "
               "VALUES (?, ?, ?, ?, ?) RETURNING id", (class_id, name, token_sha, roster_id, at))
            sid = int(cur.fetchone()[0])
            self._bump(ex, class_id)
            return Student(sid, class_id, name, roster_id, at)
        try:
            return self._run(go)
        except self.integrity_errors:  # another process took the name between our check and insert
            raise NameTaken(name) from None

    def student_by_token(self, class_id: int, token_sha: str) -> Student | None:
        def go(ex, cur):
            ex("SELECT id, class_id, name, roster_id, joined_at FROM students WHERE class_id = ? "
               "AND token_hash = ?", (class_id, token_sha))
            row = cur.fetchone()
            return None if row is None else Student(int(row[0]), int(row[1]), row[2], row[3], row[4])
        return self._run(go)

    def students(self, class_id: int) -> list[Student]:
        def go(ex, cur):
            ex("SELECT id, class_id, name, roster_id, joined_at FROM students WHERE class_id = ? "
               "ORDER BY id", (class_id,))
            return [Student(int(r[0]), int(r[1]), r[2], r[3], r[4]) for r in cur.fetchall()]
        return self._run(go)

    def rename(self, class_id: int, student_id: int, name: str) -> bool:
        """False if there is no such student; NameTaken if another one has the name."""
        def go(ex, cur):
            ex("SELECT 1 FROM students WHERE class_id = ? AND LOWER(name) = LOWER(?) AND id <> ?",
               (class_id, name, student_id))
            if cur.fetchone() is not None:
                raise NameTaken(name)
            ex("UPDATE students SET name = ? WHERE class_id = ? AND id = ? RETURNING id",
               (name, class_id, student_id))
            found = cur.fetchone() is not None
            if found:
                self._bump(ex, class_id)
            return found
        try:
            return self._run(go)
        except self.integrity_errors:
            raise NameTaken(name) from None

    def remove(self, class_id: int, student_id: int) -> bool:
        """The student and everything of theirs (their token stops working)."""
        def go(ex, cur):
            ex("DELETE FROM hints WHERE class_id = ? AND student_id = ?", (class_id, student_id))
            ex("DELETE FROM attempts WHERE class_id = ? AND student_id = ?", (class_id, student_id))
            ex("DELETE FROM students WHERE class_id = ? AND id = ? RETURNING id", (class_id, student_id))
            found = cur.fetchone() is not None
            self._bump(ex, class_id)
            return found
        return self._run(go)

    # -- attempts and hints -----------------------------------------------------------------------------
    def count_attempts(self, class_id: int, student_id: int, level_id: str) -> int:
        def go(ex, cur):
            ex("SELECT COUNT(*) FROM attempts WHERE class_id = ? AND student_id = ? AND level_id = ?",
               (class_id, student_id, level_id))
            return int(cur.fetchone()[0])
        return self._run(go)

    def add_attempt(self, class_id: int, student_id: int, *, level_id: str, score: float, stars: int,
                    wins: bool, hints: int, result_json: str, replay_json: str, level_hash: str,
                    network_hash: str, play_key: str, max_attempts: int | None) -> tuple[int, int]:
        """Store a verified attempt and mark the hints it used; (attempt id, class revision).
        AttemptNotStored if the student already has max_attempts on the level, no longer exists, or
        this play (play_key: a hash of the replay's level, start time and history) is stored already,
        which catches a replay file handed in twice or copied from a classmate. The count is checked
        in the same transaction as the insert, under a lock on the student's row, so two uploads at
        once (or two server processes) cannot both take the last attempt."""
        def go(ex, cur):
            ex("SELECT id FROM students WHERE class_id = ? AND id = ?" + self._for_update,
               (class_id, student_id))
            if cur.fetchone() is None:
                raise AttemptNotStored("gone")
            ex("SELECT student_id FROM attempts WHERE class_id = ? AND play_key = ?", (class_id, play_key))
            row = cur.fetchone()
            if row is not None:
                raise AttemptNotStored("duplicate", mine=int(row[0]) == student_id)
            if max_attempts is not None:
                ex("SELECT COUNT(*) FROM attempts WHERE class_id = ? AND student_id = ? AND level_id = ?",
                   (class_id, student_id, level_id))
                if int(cur.fetchone()[0]) >= max_attempts:
                    raise AttemptNotStored("limit")
            ex("INSERT INTO attempts (class_id, student_id, level_id, score, stars, wins, hints, "
               "verified_at, result_json, replay_json, level_hash, network_hash, play_key) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
               (class_id, student_id, level_id, float(score), int(stars), int(wins), int(hints),
                now_iso(), result_json, replay_json, level_hash, network_hash, play_key))
            aid = int(cur.fetchone()[0])
            ex("UPDATE hints SET attempt_id = ? WHERE class_id = ? AND student_id = ? AND level_id = ? "
               "AND attempt_id IS NULL", (aid, class_id, student_id, level_id))
            ex("UPDATE classes SET revision = revision + 1 WHERE id = ? RETURNING revision", (class_id,))
            return aid, int(cur.fetchone()[0])
        try:
            return self._run(go)
        except self.integrity_errors:  # the same play stored by another process a moment ago
            raise AttemptNotStored("duplicate") from None

    _for_update = ""

    def attempts(self, class_id: int, student_id: int | None = None) -> list[Attempt]:
        def go(ex, cur):
            if student_id is None:
                ex(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE class_id = ? ORDER BY id", (class_id,))
            else:
                ex(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE class_id = ? AND student_id = ? "
                   "ORDER BY id", (class_id, student_id))
            return [_attempt(r) for r in cur.fetchall()]
        return self._run(go)

    def attempt_by_key(self, class_id: int, play_key: str) -> Attempt | None:
        """The stored attempt with this play key (verify.attempt_key), if any: lets a retry of an upload
        whose answer was lost get its original result back."""
        def go(ex, cur):
            ex(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE class_id = ? AND play_key = ?",
               (class_id, play_key))
            row = cur.fetchone()
            return None if row is None else _attempt(row)
        return self._run(go)

    def attempt(self, class_id: int, attempt_id: int) -> Attempt | None:
        def go(ex, cur):
            ex(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE class_id = ? AND id = ?",
               (class_id, attempt_id))
            row = cur.fetchone()
            return None if row is None else _attempt(row)
        return self._run(go)

    def board_rows(self, class_id: int) -> list[tuple]:
        """(student id, name, level id, score, stars, verified_at) of every attempt: what the board needs,
        without the replays."""
        def go(ex, cur):
            ex("SELECT s.id, s.name, a.level_id, a.score, a.stars, a.verified_at FROM students s "
               "LEFT JOIN attempts a ON a.student_id = s.id AND a.class_id = s.class_id "
               "WHERE s.class_id = ? ORDER BY s.id, a.id", (class_id,))
            return cur.fetchall()
        return self._run(go)

    def add_hint(self, class_id: int, student_id: int, level_id: str, step: int) -> int:
        """Count one hint; the number of hints on this level not yet used by an attempt."""
        def go(ex, cur):
            ex("INSERT INTO hints (class_id, student_id, level_id, step, asked_at) VALUES (?, ?, ?, ?, ?)",
               (class_id, student_id, level_id, int(step), now_iso()))
            return self._pending(ex, cur, class_id, student_id, level_id)
        return self._run(go)

    def pending_hints(self, class_id: int, student_id: int, level_id: str) -> int:
        return self._run(lambda ex, cur: self._pending(ex, cur, class_id, student_id, level_id))

    @staticmethod
    def _pending(ex, cur, class_id, student_id, level_id) -> int:
        ex("SELECT COUNT(*) FROM hints WHERE class_id = ? AND student_id = ? AND level_id = ? "
           "AND attempt_id IS NULL", (class_id, student_id, level_id))
        return int(cur.fetchone()[0])


class SQLiteStore(Store):
    """One file in the data folder, WAL mode, synchronous=FULL, every transaction BEGIN IMMEDIATE."""

    def __init__(self, path) -> None:
        super().__init__()
        self.path = Path(path)
        self.integrity_errors = (sqlite3.IntegrityError,)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30,
                                        isolation_level=None)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=FULL")
            self._con.execute("PRAGMA foreign_keys=ON")
            self._create_schema()
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: cannot open the class database ({e})") from None

    def _connection(self):
        return self._con

    def _begin(self, cur) -> None:
        # IMMEDIATE: take the write lock before the first read, so a count checked in the transaction
        # (attempts left) still holds at its insert even if another process shares the file.
        cur.execute("BEGIN IMMEDIATE")

    def journal_mode(self) -> str:
        with self._lock:
            return self._con.execute("PRAGMA journal_mode").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._con.close()


class PostgresStore(Store):
    """A PostgreSQL database shared by any number of server processes (a school-wide server)."""

    placeholder = "%s"
    serial = "BIGSERIAL PRIMARY KEY"
    _for_update = " FOR UPDATE"

    def __init__(self, url: str) -> None:
        super().__init__()
        try:
            import psycopg
        except ImportError:
            raise StoreError("PostgreSQL needs psycopg: pip install 'lstm-gatekeeper[postgres]'") from None
        self.integrity_errors = (psycopg.errors.IntegrityError,)
        self._url = url
        self._psycopg = psycopg
        try:
            self._con = psycopg.connect(url, connect_timeout=10)
            # Several processes may create the schema at once: one at a time.
            with self._con.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(4728190)")
                for statement in _SCHEMA.format(serial=self.serial).split(";"):
                    if statement.strip():
                        cur.execute(statement)
            self._con.commit()
            self._create_schema()
        except psycopg.Error as e:
            first = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise StoreError(f"cannot open the PostgreSQL class database ({first})") from None

    def _connection(self):
        # A database restarted (or a network cut) breaks the connection: the request that met it failed,
        # the next one reconnects.
        if self._con.closed or self._con.broken:
            self._con = self._psycopg.connect(self._url, connect_timeout=10)
        return self._con

    def close(self) -> None:
        with self._lock:
            self._con.close()


def open_store(data_dir=None, db_url: str | None = None) -> Store:
    """PostgreSQL for a postgresql:// URL, else SQLite in data_dir (default: the user data folder)."""
    if db_url:
        if not db_url.startswith(("postgresql://", "postgres://")):
            raise StoreError(f"--db takes a postgresql:// URL, got {db_url.split(':', 1)[0]!r}")
        return PostgresStore(db_url)
    if data_dir is None:
        from .. import paths
        data_dir = paths.user_data_dir() / "classroom"
    return SQLiteStore(Path(data_dir) / DB_NAME)
