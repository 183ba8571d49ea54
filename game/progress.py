"""Per-player progress: players, attempts with their replays, best results per level, settings.

One SQLite file (``game.paths.user_data_dir() / "progress.sqlite3"`` unless a path is given), used only
through :class:`ProgressStore`. Plain Python and the standard library's ``sqlite3``: no pygame here.

Guarantees
  * Crash safety. The database runs in WAL mode with ``synchronous=FULL`` and every write is one
    ``BEGIN IMMEDIATE ... COMMIT`` transaction, so a crash (killed process, and with FULL also a power
    cut or an OS crash) loses at most the write in flight, and never leaves a half-written attempt.
    (``NORMAL`` would survive a killed process too, but after a power cut it may roll back commits
    made since the last checkpoint: more than the attempt in flight. FULL costs one fsync per write,
    i.e. per level played, which nobody notices.)
  * Damaged files are kept. At open, a file that is not a SQLite database (bad header, random bytes,
    text), a truncated one, or one where SQLite reports corruption or ``PRAGMA quick_check`` is not
    "ok" is renamed to ``<name>.corrupt-<UTC timestamp>`` (with its ``-wal``/``-shm`` companions) and a
    fresh store is created; :attr:`ProgressStore.moved_aside` says where and
    :attr:`ProgressStore.notice` is a sentence for the UI. The check reads the file through a
    read-only connection, so nothing is written to a file before it is known to be ours.
  * Files that are healthy but not ours are never touched: a database written by a newer Gatekeeper
    (schema version above what this code knows) or a SQLite database of some other program raises
    :class:`StoreError` and the file stays byte-identical.
  * A zero-length file is a new, empty database (it holds nothing to recover), used in place.
  * Schema changes are an ordered list of migrations (game/progress_schema.py); ``PRAGMA user_version``
    counts those applied, and each runs in its own transaction together with the version bump.
  * Only what the game created. Every connection runs ``PRAGMA trusted_schema = OFF``, and a file that
    holds objects the migrations did not create (a trigger, a view, an altered table: see
    game/progress_schema.py) is moved aside like a damaged one, kept, with a notice.
  * Special files are refused: a progress path that is a FIFO, a device or a folder raises StoreError
    and is never opened for writing.
  * Every value read is validated (the rules: game/progress_values.py). A row whose score, stars,
    result, date or level id is not what the game writes (text for a number, stars = 1e8, a
    10-million-character date) is skipped, never used: it does not count, reaches no drawing code,
    and :attr:`ProgressStore.notice` says how many rows were skipped. Text read from the file is
    fetched through ``substr`` bounds, so a huge value never even reaches Python.
  * A read-only data folder (or file) is said plainly: the store opens the file read-only, progress
    is shown, :attr:`ProgressStore.read_only` is True and :attr:`ProgressStore.notice` explains that
    new results are not saved; each write raises StoreError saying so. The game stays playable.
  * Several stores on one file (two game windows) work: WAL lets readers run beside a writer and a
    busy timeout makes writers wait their turn.
  * Every sqlite3 problem reaches the caller as a :class:`StoreError` whose message names the file.
"""

from __future__ import annotations

import logging
import numbers
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from . import paths, safe_io
from .progress_classes import ClassTables
from .progress_schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, Migration, foreign_objects
from .progress_values import (
    MAX_LEVEL_ID_LENGTH,
    MAX_NAME_LENGTH,
    MAX_REPLAY_CHARS,
    MAX_SETTINGS_BYTES,
    MAX_STARS,
    MAX_TIME_LENGTH,
    StoreError,
    check_level_id,
    check_score,
    check_stars,
    check_text,
    check_won,
    normalize_name,
    settings_to_json,
    valid_attempt,
    valid_name,
)

__all__ = ["APPLICATION_ID", "MAX_NAME_LENGTH", "MAX_STARS", "MIGRATIONS", "SCHEMA_VERSION", "ProgressStore",
           "StoreError"]

log = logging.getLogger(__name__)

FILE_NAME = "progress.sqlite3"
DEFAULT_BUSY_TIMEOUT = 5.0  # seconds a write waits for another window's write to finish

_SQLITE_MAGIC = b"SQLite format 3\x00"

T = TypeVar("T")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


# -- sqlite errors -------------------------------------------------------------------------------------

_CORRUPT, _NOTADB, _READONLY, _BUSY, _LOCKED, _FULL, _CANTOPEN, _PERM = 11, 26, 8, 5, 6, 13, 14, 3


def _code(e: sqlite3.Error) -> int | None:
    """Primary SQLite result code (Python 3.11+), else guessed from the message (3.10)."""
    code = getattr(e, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF
    msg = str(e).lower()
    for needle, guess in (("not a database", _NOTADB), ("malformed", _CORRUPT), ("readonly", _READONLY),
                          ("locked", _BUSY), ("disk is full", _FULL), ("unable to open", _CANTOPEN)):
        if needle in msg:
            return guess
    return None


def _is_corruption(e: sqlite3.Error) -> bool:
    return _code(e) in (_CORRUPT, _NOTADB)


def _explain(e: sqlite3.Error) -> str:
    hint = {_BUSY: "the file is busy in another Gatekeeper window or program",
            _LOCKED: "the file is busy in another Gatekeeper window or program",
            _READONLY: "the file or its folder cannot be written", _PERM: "access was denied",
            _CANTOPEN: "the file cannot be opened", _FULL: "the disk is full",
            _CORRUPT: "the file is damaged", _NOTADB: "the file is not a database"}.get(_code(e))
    return f"{hint} ({e})" if hint else str(e)


# -- the store -----------------------------------------------------------------------------------------

class _Damaged(Exception):
    """Internal: the file at open is damaged: how (a phrase), and the file's identity when checked."""

    def __init__(self, reason: str, identity: tuple[int, int, int] | None = None,
                 companions: frozenset[Path] = frozenset()) -> None:
        super().__init__(reason)
        self.reason, self.identity, self.companions = reason, identity, companions


class ProgressStore(ClassTables):
    """Players, attempts, replays and settings in one SQLite file. See the module docstring.

    ``path``: the database file (None: ``paths.user_data_dir() / "progress.sqlite3"``).
    ``busy_timeout``: seconds to wait for another connection's write before giving up.
    ``migrations``: the schema history to apply (tests use a longer list); defaults to MIGRATIONS.

    Times are ISO 8601 text in UTC (``"2024-06-11T09:30:12.345+00:00"``). A store may be shared by
    threads (calls are serialized); close it, or use it as a context manager.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
                 migrations: Sequence[Migration] | None = None) -> None:
        self.path = Path(path) if path is not None else paths.user_data_dir() / FILE_NAME
        self.moved_aside: Path | None = None
        self.notice: str | None = None
        self.read_only = False
        self.skipped_rows = 0
        self._busy_timeout = float(busy_timeout)
        self._migrations = tuple(MIGRATIONS if migrations is None else migrations)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._open()

    # -- opening ---------------------------------------------------------------------------------------

    def _fail(self, doing: str, e: BaseException) -> StoreError:
        reason = _explain(e) if isinstance(e, sqlite3.Error) else str(e)
        return StoreError(f"could not {doing} ({self.path}): {reason}")

    def _companions(self, path: Path) -> list[Path]:
        return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise self._fail("create the folder for the progress file", e) from None
        self.read_only = self._cannot_write()
        for _ in range(5):
            try:
                damage = self._check_existing()
                if damage is not None and self.read_only:
                    raise StoreError(f"the progress file {self.path} cannot be used ({damage.reason}), and "
                                     "its folder is read-only, so it cannot be moved aside")
                if damage is None or self._move_aside(damage):
                    break
                # The file changed or vanished meanwhile (another window got there first): look again.
            except OSError as e:
                raise self._fail("check the progress file", e) from None
        else:
            raise StoreError(f"could not open {self.path}: the file keeps changing while it is checked")
        if self.read_only:
            self._connect_read_only()
            return
        try:
            self._connect()
        except StoreError as e:
            cause = e.__context__ if isinstance(e.__context__, sqlite3.Error) else None
            if not (self.path.is_file() and cause is not None
                    and _code(cause) in (_READONLY, _CANTOPEN, _PERM)):
                raise
            self.read_only = True  # e.g. a read-only file system, where os.access said otherwise
            self._connect_read_only()

    def _cannot_write(self) -> bool:
        """An existing file whose folder or self cannot be written (a write would fail)."""
        if not self.path.is_file():
            return False
        return not (os.access(self.path.parent, os.W_OK) and os.access(self.path, os.W_OK))

    def _connect_read_only(self) -> None:
        """Open the file for reading only (progress still shown) and say so in :attr:`notice`."""
        base = self.path.resolve().as_uri()
        for target in (base + "?mode=ro", base + "?mode=ro&immutable=1"):  # WAL needs -shm, or immutable
            conn = None
            try:
                conn = sqlite3.connect(target, uri=True, timeout=self._busy_timeout, isolation_level=None,
                                       check_same_thread=False)
                conn.execute("PRAGMA trusted_schema = OFF")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
            except sqlite3.Error as e:
                if conn is not None:
                    conn.close()
                last = e
                continue
            if version != len(self._migrations):
                conn.close()
                raise StoreError(f"the progress file {self.path} needs an upgrade (schema version {version}) "
                                 "but its folder is read-only")
            self._conn = conn
            break
        else:
            raise self._fail("open the progress file for reading", last)
        self.notice = (f"Your progress folder {self.path.parent} cannot be written: progress is shown but "
                       "nothing new is saved (set GATEKEEPER_DATA_DIR to another folder).")
        log.warning("progress file %s is read-only", self.path)

    def _identity(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def _check_existing(self) -> _Damaged | None:
        """None if the file is absent or usable; how it is damaged if it must be moved aside; StoreError
        if it must be left alone (newer schema, another program's database, unreadable)."""
        identity = self._identity()
        if identity is None:
            return None
        present = frozenset(c for c in self._companions(self.path) if c.exists())
        try:
            self._check_file()
        except _Damaged as damage:
            return _Damaged(damage.reason, identity, present)
        return None

    def _check_file(self) -> None:
        mode = self.path.stat().st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a pipe, device or socket, not a regular file"
            raise StoreError(f"could not open the progress file {self.path}: it is {kind}")
        try:
            with open(self.path, "rb") as f:
                header = f.read(100)
        except OSError as e:
            raise self._fail("read the progress file", e) from None
        if not header:
            wal = self._companions(self.path)[0]
            if wal.exists() and wal.stat().st_size > 0:
                raise _Damaged("the database file is empty but its write-ahead log is not")
            return  # zero-length: SQLite treats it as a new, empty database; nothing to keep
        if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
            raise _Damaged("it is not a SQLite database")
        try:
            version, app_id, tables, foreign = self._probe(read_only=True)
        except sqlite3.Error as e:
            if _code(e) not in (_READONLY, _CANTOPEN):
                raise
            # A hot rollback journal (left by a crash) needs a writer to roll it back; a read-only folder
            # without the WAL index file can only be read as immutable.
            version, app_id, tables, foreign = self._probe(read_only=False, immutable=self.read_only)
        known = len(self._migrations)
        if app_id == APPLICATION_ID and version > known:
            raise StoreError(
                f"the progress file {self.path} was made by a newer Gatekeeper (schema version {version}; "
                f"this version knows up to {known}). Update Gatekeeper, or set GATEKEEPER_DATA_DIR to "
                "use another folder. The file was not changed.")
        if not ((app_id == APPLICATION_ID and version >= 1) or (app_id == 0 and version == 0 and not tables)):
            raise StoreError(
                f"{self.path} is a SQLite database but not a Gatekeeper progress file (application id "
                f"{app_id:#x}, schema version {version}). Move it away, or set GATEKEEPER_DATA_DIR to use "
                "another folder. The file was not changed.")
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise _Damaged(f"it holds {shown}, which Gatekeeper did not create")

    def _probe(self, read_only: bool, immutable: bool = False) -> tuple[int, int, int, list[str]]:
        """(user_version, application_id, number of tables, objects the game did not create) after a
        quick_check; _Damaged if damaged."""
        uri = read_only or immutable
        target: str | Path = self.path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else
                                                             "?mode=ro") if uri else self.path
        conn = None
        try:
            conn = sqlite3.connect(target, uri=uri, timeout=self._busy_timeout, isolation_level=None)
            conn.execute("PRAGMA trusted_schema = OFF")
            rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
            if rows != ["ok"]:
                raise _Damaged("its integrity check failed: " + "; ".join(map(str, rows[:3])))
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                                  ).fetchone()[0]
            ours = app_id == APPLICATION_ID and 1 <= version <= len(self._migrations)
            return version, app_id, tables, foreign_objects(conn, self._migrations, version) if ours else []
        except sqlite3.Error as e:
            if _is_corruption(e):
                raise _Damaged(f"SQLite: {e}") from None
            if _code(e) in (_READONLY, _CANTOPEN) and read_only and not immutable:
                raise
            raise self._fail("check the progress file", e) from None
        finally:
            if conn is not None:
                conn.close()

    def _move_aside(self, damage: _Damaged) -> bool:
        """Rename the damaged file and its companions. False if it changed or vanished since it was
        checked (another window got there first): nothing is moved then."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        base = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        target, n = base, 1
        while target.exists() or any(c.exists() for c in self._companions(target)):
            target, n = base.with_name(f"{base.name}-{n}"), n + 1
        if damage.identity is None or self._identity() != damage.identity:
            return False
        try:
            os.rename(self.path, target)
        except FileNotFoundError:
            return False
        except OSError as e:
            raise StoreError(f"the progress file {self.path} is damaged ({damage.reason}) and could not be "
                             f"moved aside: {e}") from None
        for src, dst in zip(self._companions(self.path), self._companions(target), strict=True):
            try:
                if src not in damage.companions and (src.name.endswith("-shm") or src.stat().st_size == 0):
                    src.unlink()  # made empty by our own check just now: nothing to keep
                    continue
                os.rename(src, dst)
            except FileNotFoundError:
                pass
            except OSError as e:
                log.warning("could not move %s aside: %s", src, e)
        self.moved_aside = target
        self.notice = (f"Your saved progress could not be read because the file was damaged "
                       f"({damage.reason}), so Gatekeeper started a new progress file and kept the old "
                       f"one as {target}.")
        log.warning("progress file %s was damaged (%s); moved aside to %s", self.path, damage.reason, target)
        return True

    def _connect(self) -> None:
        conn = None
        try:
            conn = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA trusted_schema = OFF")
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"could not open {self.path}: SQLite refused write-ahead logging "
                                 f"(journal mode {mode}); is the folder on a network drive?")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._conn = conn
            self._migrate(conn)
        except sqlite3.Error as e:
            self._conn = None
            if conn is not None:
                conn.close()
            raise self._fail("open the progress file", e) from None
        except BaseException:
            self._conn = None
            if conn is not None:
                conn.close()
            raise

    def _migrate(self, conn: sqlite3.Connection) -> None:
        known = len(self._migrations)
        if conn.execute("PRAGMA user_version").fetchone()[0] == known:
            return  # up to date: no write lock needed (another window may be writing right now)
        while True:
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > known:
                    raise StoreError(f"the progress file {self.path} was made by a newer Gatekeeper "
                                     f"(schema version {version}; this version knows up to {known}).")
                if version == known:
                    conn.execute("COMMIT")
                    return
                try:
                    self._migrations[version](conn)
                except sqlite3.Error as e:
                    raise StoreError(f"could not upgrade the progress file {self.path} to schema version "
                                     f"{version + 1}: {e}") from None
                conn.execute(f"PRAGMA user_version = {version + 1}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            log.info("progress file %s upgraded to schema version %d", self.path, version + 1)

    # -- plumbing --------------------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"the progress store for {self.path} is closed")
        return self._conn

    def _write(self, doing: str, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run fn in one write transaction: all of it is saved, or none of it."""
        with self._lock:
            conn = self._connection()
            if self.read_only:
                raise StoreError(f"could not {doing}: the progress folder {self.path.parent} is read-only "
                                 "(nothing was saved)")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = fn(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                return result
            except sqlite3.Error as e:
                raise self._fail(doing, e) from None

    def _read(self, doing: str, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            conn = self._connection()
            try:
                return fn(conn)
            except sqlite3.Error as e:
                raise self._fail(doing, e) from None

    @staticmethod
    def _player_id(conn: sqlite3.Connection, name: str, create: bool) -> int | None:
        if create:
            conn.execute("INSERT OR IGNORE INTO players (name, created) VALUES (?, ?)", (name, _now()))
        row = conn.execute("SELECT id FROM players WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]

    # Attempt columns, fetched so that nothing unbounded reaches Python: a number only when it is
    # stored as one, text cut one character past what a valid value may hold.
    _ATTEMPT = f"""a.id, substr(a.level_id, 1, {MAX_LEVEL_ID_LENGTH + 1}),
        CASE WHEN typeof(a.score) IN ('integer', 'real') THEN a.score END,
        CASE WHEN typeof(a.stars) = 'integer' THEN a.stars END,
        CASE WHEN typeof(a.won) = 'integer' THEN a.won END,
        CASE WHEN typeof(a.played_at) = 'text' THEN substr(a.played_at, 1, {MAX_TIME_LENGTH + 1}) END"""

    def _valid_attempts(self, rows) -> list[tuple[int, str, float, int, bool, str]]:
        """The rows that hold what the game writes; the others are counted in :attr:`notice`."""
        good = [r for r in rows if valid_attempt(r)]
        self._skipped(len(rows) - len(good))
        return [(r[0], r[1], float(r[2]), int(r[3]), bool(r[4]), r[5]) for r in good]

    def _skipped(self, n: int) -> None:
        if n <= 0:
            return
        self.skipped_rows += n
        log.warning("progress file %s: %d row(s) with invalid values skipped", self.path, n)
        note = (f"{self.skipped_rows} saved result(s) in {self.path} held values Gatekeeper does not write "
                "and were skipped.")
        self.notice = note if not self.notice or self.notice.endswith("were skipped.") else \
            f"{self.notice} {note}"

    def _summaries(self, name: str, level: str | None) -> dict[str, dict[str, Any]]:
        """level_id -> {"score", "stars", "attempts", "wins", "last_played"} over the valid attempts."""
        extra, args = ("AND a.level_id = ?", (name, level)) if level is not None else ("", (name,))
        rows = self._read(f"read the progress of {name!r}", lambda c: c.execute(
            f"SELECT {self._ATTEMPT} FROM attempts AS a JOIN players AS p ON p.id = a.player_id "
            f"WHERE p.name = ? {extra} ORDER BY a.id", args).fetchall())
        out: dict[str, dict[str, Any]] = {}
        for _, lid, score, stars, won, when in self._valid_attempts(rows):
            s = out.setdefault(lid, {"score": score, "stars": stars, "attempts": 0, "wins": 0,
                                     "last_played": when})
            s["score"], s["stars"] = max(s["score"], score), max(s["stars"], stars)
            s["attempts"] += 1
            s["wins"] += int(won)
            s["last_played"] = when  # rows come oldest first
        return dict(sorted(out.items()))

    # -- players ---------------------------------------------------------------------------------------

    def players(self) -> list[str]:
        """Every player name, sorted case-insensitively (ties: exact order). A stored name the game
        would not accept (too long, control characters, not text) is skipped with a notice."""
        names = self._read("list the players", lambda c: [r[0] for r in c.execute(
            f"SELECT substr(name, 1, {4 * MAX_NAME_LENGTH + 1}) FROM players")])
        good = [n for n in names if valid_name(n)]
        self._skipped(len(names) - len(good))
        return sorted(good, key=lambda n: (n.casefold(), n))

    def add_player(self, name: str) -> None:
        """Create the player (stripped, NFC-normalized) if new; nothing happens if it exists."""
        clean = normalize_name(name)
        self._write(f"add the player {clean!r}", lambda c: self._player_id(c, clean, create=True))

    def remove_player(self, name: str) -> bool:
        """Delete a player with all their attempts, replays and settings. False if there was none."""
        clean = normalize_name(name)
        return self._write(f"remove the player {clean!r}",
                           lambda c: c.execute("DELETE FROM players WHERE name = ?", (clean,)).rowcount > 0)

    # -- attempts --------------------------------------------------------------------------------------

    def record_attempt(self, player: str, level_id: str, score: float, stars: int, won: bool,
                       replay: str | None) -> int:
        """Save one finished attempt (and its replay JSON text, if any); returns the attempt id.

        The player is created if new. Attempt ids only grow, so they order attempts in time."""
        name, level = normalize_name(player), check_level_id(level_id)
        values = (check_score(score), check_stars(stars), int(check_won(won)))
        text = None if replay is None else check_text(replay, "the replay")

        def insert(conn: sqlite3.Connection) -> int:
            pid = self._player_id(conn, name, create=True)
            cur = conn.execute("INSERT INTO attempts (player_id, level_id, score, stars, won, played_at) "
                               "VALUES (?, ?, ?, ?, ?, ?)", (pid, level, *values, _now()))
            attempt_id = int(cur.lastrowid)
            if text is not None:
                conn.execute("INSERT INTO replays (attempt_id, json) VALUES (?, ?)", (attempt_id, text))
            return attempt_id

        return self._write(f"save an attempt of {name!r} at level {level!r}", insert)

    def best(self, player: str, level_id: str) -> dict[str, Any] | None:
        """{"score", "stars", "attempts", "wins", "last_played"} for one level, None if never played.

        score and stars are the best of each over all attempts (possibly from different attempts)."""
        name, level = normalize_name(player), check_level_id(level_id)
        return self._summaries(name, level).get(level)

    def progress(self, player: str) -> dict[str, dict[str, Any]]:
        """level_id -> the same dict as best(), for every level the player has played (sorted by id)."""
        return self._summaries(normalize_name(player), None)

    def attempts(self, player: str, level_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Newest first: {"id", "score", "stars", "won", "when", "has_replay"} (at most limit of them)."""
        name, level = normalize_name(player), check_level_id(level_id)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise StoreError(f"limit must be a whole number >= 0 or None, got {limit!r}")
        rows = self._read(f"read the attempts of {name!r}", lambda c: c.execute(
            f"""SELECT {self._ATTEMPT}, r.attempt_id IS NOT NULL
                 FROM attempts AS a
                 JOIN players AS p ON p.id = a.player_id
                 LEFT JOIN replays AS r ON r.attempt_id = a.id
                WHERE p.name = ? AND a.level_id = ?
                ORDER BY a.id DESC LIMIT ?""", (name, level, -1 if limit is None else limit)).fetchall())
        replay = {r[0]: bool(r[6]) for r in rows}
        return [{"id": i, "score": score, "stars": stars, "won": won, "when": when, "has_replay": replay[i]}
                for i, _, score, stars, won, when in self._valid_attempts([r[:6] for r in rows])]

    def replay(self, attempt_id: int) -> str | None:
        """The replay JSON text saved with an attempt, exactly as given; None if none or no such attempt."""
        if isinstance(attempt_id, bool) or not isinstance(attempt_id, numbers.Integral):
            raise StoreError(f"an attempt id must be a whole number, not {type(attempt_id).__name__}")
        row = self._read(f"read the replay of attempt {attempt_id}", lambda c: c.execute(
            f"SELECT CASE WHEN length(CAST(json AS BLOB)) <= {MAX_REPLAY_CHARS} THEN json END, typeof(json) "
            "FROM replays WHERE attempt_id = ?", (int(attempt_id),)).fetchone())
        if row is None:
            return None
        if row[1] != "text" or not isinstance(row[0], str):
            raise StoreError(f"the replay of attempt {attempt_id} in {self.path} is damaged "
                             f"({'too long' if row[1] == 'text' else 'not text'})")
        return row[0]

    # -- settings --------------------------------------------------------------------------------------

    def settings(self, player: str) -> dict[str, Any]:
        """The player's settings as saved ({} for a new or unknown player)."""
        name = normalize_name(player)
        row = self._read(f"read the settings of {name!r}", lambda c: c.execute(
            f"SELECT CASE WHEN length(CAST(settings AS BLOB)) <= {MAX_SETTINGS_BYTES} THEN settings END "
            "FROM players WHERE name = ?", (name,)).fetchone())
        if row is None:
            return {}
        try:
            if not isinstance(row[0], str):
                raise ValueError(f"not text of at most {MAX_SETTINGS_BYTES // 1024} KiB")
            value = safe_io.loads_json(row[0], MAX_SETTINGS_BYTES, what="settings")
        except (TypeError, ValueError) as e:
            raise StoreError(f"the settings of {name!r} in {self.path} are damaged: {e}") from None
        if not isinstance(value, dict):
            raise StoreError(f"the settings of {name!r} in {self.path} are damaged: not a JSON object")
        return value

    def save_settings(self, player: str, settings: dict[str, Any]) -> None:
        """Replace the player's settings (a dict that JSON stores exactly); creates the player if new."""
        name, text = normalize_name(player), settings_to_json(settings)

        def save(conn: sqlite3.Connection) -> None:
            pid = self._player_id(conn, name, create=True)
            conn.execute("UPDATE players SET settings = ? WHERE id = ?", (text, pid))

        self._write(f"save the settings of {name!r}", save)

    # -- lifetime --------------------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return self._read("read the schema version",
                          lambda c: c.execute("PRAGMA user_version").fetchone()[0])

    def diagnostics(self) -> dict[str, Any]:
        """How the file is set up, for tests and bug reports: journal mode, synchronous level, foreign
        keys, schema version, size in pages, and the result of ``PRAGMA quick_check``."""
        def read(conn: sqlite3.Connection) -> dict[str, Any]:
            one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
            return {"path": str(self.path), "journal_mode": one("PRAGMA journal_mode"),
                    "synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(
                        one("PRAGMA synchronous"), "?"),
                    "foreign_keys": bool(one("PRAGMA foreign_keys")),
                    "schema_version": one("PRAGMA user_version"), "page_count": one("PRAGMA page_count"),
                    "quick_check": one("PRAGMA quick_check")}
        return self._read("read the file's settings", read)

    @property
    def closed(self) -> bool:
        return self._conn is None

    def close(self) -> None:
        """Close the file (idempotent). Later calls raise StoreError."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                try:
                    conn.close()
                except sqlite3.Error as e:
                    raise self._fail("close the progress file", e) from None

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ProgressStore({str(self.path)!r}{', closed' if self._conn is None else ''})"
