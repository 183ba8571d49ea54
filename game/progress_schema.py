"""The progress file's schema: its history as migrations, and what a file of ours may hold.

``MIGRATIONS`` is the schema history, oldest first; ``PRAGMA user_version`` counts those applied
(game/progress.py runs them, each in its own transaction with the version bump). Never edit or reorder
an entry that has shipped: append a new one.

**A progress file holds only what the game created.** The objects a file at schema version *v* may hold
are exactly those the first *v* migrations create on an empty database (computed once, in memory, by
running them): same type, name, table and SQL text. Anything else, such as a trigger that deletes older
attempts whenever a new one is saved, a view, or an altered table, means the file was edited by someone
else; game/progress.py then moves it aside (kept, never deleted) and starts a new one. Every connection
also runs ``PRAGMA trusted_schema = OFF``, so SQL functions with side effects cannot run from the schema
even in the moment before this check.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "Migration", "foreign_objects"]

APPLICATION_ID = 0x474B5052  # "GKPR", written in the SQLite header by the first migration

Migration = Callable[[sqlite3.Connection], None]

_OBJECTS = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"


def _v1_initial(conn: sqlite3.Connection) -> None:
    """Players (with their settings as JSON text), attempts, and replays kept apart from attempts so
    that aggregating results never reads replay text."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("""
        CREATE TABLE players (
            id       INTEGER PRIMARY KEY,
            name     TEXT NOT NULL UNIQUE,
            created  TEXT NOT NULL,
            settings TEXT NOT NULL DEFAULT '{}'
        )""")
    conn.execute("""
        CREATE TABLE attempts (
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            player_id INTEGER NOT NULL REFERENCES players(id) ON DELETE CASCADE,
            level_id  TEXT NOT NULL,
            score     REAL NOT NULL,
            stars     INTEGER NOT NULL CHECK (stars >= 0),
            won       INTEGER NOT NULL CHECK (won IN (0, 1)),
            played_at TEXT NOT NULL
        )""")
    conn.execute("CREATE INDEX attempts_by_level ON attempts (player_id, level_id, id)")
    conn.execute("""
        CREATE TABLE replays (
            attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id) ON DELETE CASCADE,
            json       TEXT NOT NULL
        )""")


def _v2_classroom(conn: sqlite3.Connection) -> None:
    """Classes joined (the server, its code, the nickname and the student token, so the game rejoins as
    the same student), and the upload queue: each finished attempt in a class, kept until the server
    accepted or refused it (game/classroom/uploads.py), so closing the game loses nothing."""
    conn.execute("""
        CREATE TABLE class_memberships (
            id        INTEGER PRIMARY KEY,
            player_id INTEGER REFERENCES players(id) ON DELETE CASCADE,
            server    TEXT NOT NULL,
            code      TEXT NOT NULL,
            nickname  TEXT NOT NULL,
            token     TEXT NOT NULL,
            title     TEXT NOT NULL DEFAULT '',
            joined    TEXT NOT NULL,
            UNIQUE (server, code, nickname)
        )""")
    conn.execute("""
        CREATE TABLE class_uploads (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            membership_id INTEGER NOT NULL REFERENCES class_memberships(id) ON DELETE CASCADE,
            level_id      TEXT NOT NULL,
            replay        TEXT NOT NULL,
            hints_offline INTEGER NOT NULL DEFAULT 0 CHECK (hints_offline IN (0, 1)),
            state         TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'accepted', 'refused')),
            tries         INTEGER NOT NULL DEFAULT 0,
            score         REAL,
            stars         INTEGER,
            reason        TEXT,
            created       TEXT NOT NULL,
            updated       TEXT NOT NULL
        )""")
    conn.execute("CREATE INDEX class_uploads_by_state ON class_uploads (state, id)")


def _v3_offline_class_attempts(conn: sqlite3.Connection) -> None:
    """Attempts played offline from a challenge file (no server), kept until the student exports "my
    submission": per challenge (its hash) and nickname, so closing the game before exporting loses none."""
    conn.execute("""
        CREATE TABLE class_offline_attempts (
            id             INTEGER PRIMARY KEY AUTOINCREMENT,
            challenge_hash TEXT NOT NULL,
            nickname       TEXT NOT NULL,
            level_id       TEXT NOT NULL,
            replay         TEXT NOT NULL,
            created        TEXT NOT NULL
        )""")
    conn.execute("CREATE INDEX class_offline_attempts_by_class ON class_offline_attempts "
                 "(challenge_hash, nickname, id)")


#: The schema history, oldest first. Never edit or reorder an entry that has shipped: append a new one.
MIGRATIONS: tuple[Migration, ...] = (_v1_initial, _v2_classroom, _v3_offline_class_attempts)
SCHEMA_VERSION = len(MIGRATIONS)

_expected: dict[tuple[tuple[Migration, ...], int], frozenset[tuple]] = {}


def expected_objects(migrations: Sequence[Migration], version: int) -> frozenset[tuple]:
    """(type, name, table, sql) of every object the first ``version`` migrations create."""
    key = (tuple(migrations), version)
    if key not in _expected:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        try:
            for migration in migrations[:version]:
                migration(conn)
            _expected[key] = frozenset(conn.execute(_OBJECTS).fetchall())
        finally:
            conn.close()
    return _expected[key]


def foreign_objects(conn: sqlite3.Connection, migrations: Sequence[Migration], version: int) -> list[str]:
    """The objects in an open file that the game did not create, described for a notice (e.g.
    "trigger 'prune'"); [] for a file holding exactly the game's schema at ``version``."""
    expected = expected_objects(migrations, version)
    found = conn.execute(_OBJECTS).fetchall()
    return sorted(f"{kind} {str(name)[:40]!r}" + ("" if name == table else f" on {str(table)[:40]!r}")
                  for kind, name, table, sql in found if (kind, name, table, sql) not in expected)
