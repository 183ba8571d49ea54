"""The per-player progress store (game/progress.py): round trips, aggregates, migrations, WAL, crash
safety under SIGKILL, damaged files moved aside, files that are not ours left untouched, concurrency.

Every test uses its own file under tmp_path and fixed seeds.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import progress as progress_module
from game.progress import MIGRATIONS, SCHEMA_VERSION, ProgressStore, StoreError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def store(db):
    with ProgressStore(db) as s:
        yield s


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corrupt_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.corrupt-*"))


def fill(path: Path, attempts: int = 300, seed: int = 7) -> None:
    """A real, closed (checkpointed) store with several players, levels, replays and settings."""
    rng = random.Random(seed)
    with ProgressStore(path) as s:
        for i in range(attempts):
            s.record_attempt(f"player{i % 3}", f"level-{i % 5:02d}", rng.uniform(-5, 50), rng.randint(0, 3),
                             rng.random() < 0.5, json.dumps({"n": i, "pad": "x" * rng.randint(200, 2000)}))
        s.save_settings("player0", {"volume": 0.25})


# -- round trips and aggregates ----------------------------------------------------------------------

def test_new_store_is_empty(store):
    assert store.players() == []
    assert store.progress("nobody") == {}
    assert store.best("nobody", "01-carry") is None
    assert store.attempts("nobody", "01-carry") == []
    assert store.settings("nobody") == {}
    assert store.replay(1) is None
    assert store.moved_aside is None and store.notice is None
    assert store.players() == [], "reading must not create players"


def test_players_sorted_idempotent_and_stripped(store):
    for name in ["  zed ", "Bob", "alice", "Zed", "bob", "alice"]:
        store.add_player(name)
    store.add_player("zed")  # same as "  zed " once stripped
    assert store.players() == ["alice", "Bob", "bob", "Zed", "zed"]  # case-insensitive, then exact


def test_names_are_unicode_normalized(store):
    store.add_player("Zoe\u0308")            # e + combining diaeresis
    store.add_player("Zo\u00eb")             # precomposed
    assert store.players() == ["Zo\u00eb"]
    store.record_attempt("Zoe\u0308", "01-carry", 1.0, 1, True, None)
    assert store.best("Zo\u00eb", "01-carry")["attempts"] == 1


@pytest.mark.parametrize("name", ["", "   ", "a" * 41, "a\x00b", "a\tb", "line\nbreak", "a\u2028b", "\x7f",
                                  "bad\ud800", 42, None, b"bytes"])
def test_invalid_names_rejected(store, name):
    with pytest.raises(StoreError):
        store.add_player(name)
    with pytest.raises(StoreError):
        store.record_attempt(name, "01-carry", 1.0, 1, True, None)
    with pytest.raises(StoreError):
        store.save_settings(name, {})
    assert store.players() == []


def test_name_limits(store):
    store.add_player("x" * 40)
    store.add_player("\u00e9" * 40)            # 40 characters, 80 bytes
    store.add_player("  padded to forty? no, stripped first  ")
    assert store.players() == ["padded to forty? no, stripped first", "x" * 40, "\u00e9" * 40]


def test_record_and_read_back(store):
    ids = [store.record_attempt("Ada", "01-carry", s, st_, w, r) for s, st_, w, r in [
        (3.5, 1, True, '{"a": 1}'), (9.0, 0, False, None), (1.0, 2, True, '{"a": 3}'), (-4.25, 0, False, "")]]
    assert ids == sorted(ids) and len(set(ids)) == 4
    assert store.players() == ["Ada"], "record_attempt creates the player"
    rows = store.attempts("Ada", "01-carry")
    assert [r["id"] for r in rows] == ids[::-1], "newest first"
    assert [(r["score"], r["stars"], r["won"], r["has_replay"]) for r in rows] == [
        (-4.25, 0, False, True), (1.0, 2, True, True), (9.0, 0, False, False), (3.5, 1, True, True)]
    assert set(rows[0]) == {"id", "score", "stars", "won", "when", "has_replay"}
    assert all(datetime.fromisoformat(r["when"]).utcoffset().total_seconds() == 0 for r in rows)
    assert [r["when"] for r in rows] == sorted((r["when"] for r in rows), reverse=True)
    assert store.attempts("Ada", "01-carry", limit=2) == rows[:2]
    assert store.attempts("Ada", "01-carry", limit=0) == []

    best = store.best("Ada", "01-carry")
    assert best == {"score": 9.0, "stars": 2, "attempts": 4, "wins": 2, "last_played": rows[0]["when"]}
    assert isinstance(best["score"], float) and isinstance(best["stars"], int)
    assert store.replay(ids[0]) == '{"a": 1}' and store.replay(ids[1]) is None and store.replay(ids[3]) == ""


def test_progress_over_levels_and_players(store):
    rng = random.Random(1234)
    expected: dict[tuple[str, str], list[tuple[float, int, bool]]] = {}
    for _ in range(120):
        player, level = rng.choice(["Ada", "Grace", "Alan"]), rng.choice(["01-carry", "02-two", "07-reset"])
        attempt = (round(rng.uniform(-10, 100), 3), rng.randint(0, 3), rng.random() < 0.4)
        store.record_attempt(player, level, *attempt, replay=None)
        expected.setdefault((player, level), []).append(attempt)
    for player in ["Ada", "Grace", "Alan"]:
        prog = store.progress(player)
        levels = sorted(lv for (p, lv) in expected if p == player)
        assert list(prog) == levels
        for level in levels:
            tries = expected[(player, level)]
            agg = prog[level]
            assert agg["score"] == max(t[0] for t in tries)
            assert agg["stars"] == max(t[1] for t in tries)
            assert agg["attempts"] == len(tries)
            assert agg["wins"] == sum(t[2] for t in tries)
            assert agg["last_played"] == store.attempts(player, level)[0]["when"]
            assert store.best(player, level) == agg
            assert [(a["score"], a["stars"], a["won"]) for a in store.attempts(player, level)] == tries[::-1]
    assert store.best("Ada", "99-never") is None


@pytest.mark.parametrize("text", [
    '{"steps": [[0.1, 0.9, 1.0]], "seed": 3}',
    "",
    "  leading and trailing whitespace \r\n\t ",
    "unicode: \u00e9\u4e2d\U0001F600 and a NUL \x00 inside",
    json.dumps({"big": ["x" * 1000] * 1000}),
])
def test_replay_text_exact(store, text):
    attempt = store.record_attempt("Ada", "01-carry", 1.0, 1, True, text)
    got = store.replay(attempt)
    assert got == text and type(got) is str
    assert store.attempts("Ada", "01-carry")[0]["has_replay"] is True


@pytest.mark.parametrize("args", [
    ("", 1.0, 1, True, None), (" 01-carry", 1.0, 1, True, None), ("a\nb", 1.0, 1, True, None),
    (7, 1.0, 1, True, None), ("x" * 201, 1.0, 1, True, None),
    ("01-carry", float("nan"), 1, True, None), ("01-carry", float("inf"), 1, True, None),
    ("01-carry", "9", 1, True, None), ("01-carry", True, 1, True, None), ("01-carry", None, 1, True, None),
    ("01-carry", 1.0, -1, True, None), ("01-carry", 1.0, 4, True, None), ("01-carry", 1.0, 1.5, True, None),
    ("01-carry", 1.0, True, True, None), ("01-carry", 1.0, "2", True, None),
    ("01-carry", 1.0, 1, 2, None), ("01-carry", 1.0, 1, "yes", None), ("01-carry", 1.0, 1, None, None),
    ("01-carry", 1.0, 1, True, b"{}"), ("01-carry", 1.0, 1, True, {"a": 1}),
    ("01-carry", 1.0, 1, True, "\udcff"),
])
def test_invalid_attempts_rejected_and_nothing_saved(store, args):
    with pytest.raises(StoreError):
        store.record_attempt("Ada", *args)
    assert store.players() == [] and store.progress("Ada") == {}


def test_other_invalid_arguments(store):
    for bad in ["1", 1.0, None, True]:
        with pytest.raises(StoreError):
            store.replay(bad)
    for bad in [-1, 1.5, "3", True]:
        with pytest.raises(StoreError):
            store.attempts("Ada", "01-carry", limit=bad)
    with pytest.raises(StoreError):
        store.best("Ada", "")


def test_accepts_numpy_scalars(store):
    np = pytest.importorskip("numpy")
    attempt = store.record_attempt("Ada", "01-carry", np.float64(2.5), np.int64(3), np.bool_(True), None)
    row = store.attempts("Ada", "01-carry")[0]
    assert (row["id"], row["score"], row["stars"], row["won"]) == (attempt, 2.5, 3, True)
    assert type(row["score"]) is float and type(row["stars"]) is int and type(row["won"]) is bool


def test_remove_player_cascades(store):
    a = store.record_attempt("Ada", "01-carry", 1.0, 1, True, '{"r": 1}')
    b = store.record_attempt("Grace", "01-carry", 2.0, 2, True, '{"r": 2}')
    store.save_settings("Ada", {"x": 1})
    assert store.remove_player("Ada") is True and store.remove_player("Ada") is False
    assert store.players() == ["Grace"]
    assert store.replay(a) is None and store.replay(b) == '{"r": 2}'
    assert store.progress("Ada") == {} and store.settings("Ada") == {}


# -- settings ----------------------------------------------------------------------------------------

def test_settings_persist_across_reopen(db):
    with ProgressStore(db) as s:
        assert s.settings("Ada") == {}
        s.save_settings("Ada", {"volume": 0.5, "hints": True, "keys": ["f", "i", "o"], "nested": {"a": None}})
        s.save_settings("Grace", {"volume": 1})
        s.save_settings("Ada", {"volume": 0.75})           # replaces, does not merge
        assert s.players() == ["Ada", "Grace"], "save_settings creates the player"
    with ProgressStore(db) as s:
        assert s.settings("Ada") == {"volume": 0.75}
        assert s.settings("Grace") == {"volume": 1}


def _circular() -> dict:
    d: dict = {}
    d["self"] = d
    return d


@pytest.mark.parametrize("bad", [{"a": object()}, {"a": float("nan")}, {"a": float("-inf")}, {1: "int key"},
                                 {"t": (1, 2)}, {"s": {1, 2}}, [1, 2], "text", None, _circular(),
                                 {"b": b"bytes"}])
def test_non_json_settings_rejected(store, bad):
    store.save_settings("Ada", {"kept": True})
    with pytest.raises(StoreError):
        store.save_settings("Ada", bad)
    assert store.settings("Ada") == {"kept": True}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**60, 2**60) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)


@settings(max_examples=60, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.dictionaries(st.text(max_size=10), json_values, max_size=5))
def test_settings_round_trip_property(store, value):
    store.save_settings("Ada", value)
    assert store.settings("Ada") == value


@settings(max_examples=150, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.one_of(st.text(max_size=45), st.text(alphabet=st.characters(codec="utf-8"), max_size=45)))
def test_any_name_is_stored_or_rejected_cleanly(store, name):
    try:
        store.add_player(name)
    except StoreError:
        return
    assert progress_module.normalize_name(name) in store.players()


# -- schema: WAL, versions, migrations -------------------------------------------------------------------

def test_wal_foreign_keys_and_version(store, db):
    info = store.diagnostics()
    assert info["journal_mode"] == "wal" and info["synchronous"] == "FULL" and info["foreign_keys"] is True
    assert info["schema_version"] == SCHEMA_VERSION == len(MIGRATIONS) and info["quick_check"] == "ok"
    raw = sqlite3.connect(db)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"      # persistent in the file
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert raw.execute("PRAGMA application_id").fetchone()[0] == progress_module.APPLICATION_ID
    finally:
        raw.close()


def logged(calls: list, number: int, migration):
    def run(conn):
        if conn.execute("PRAGMA database_list").fetchone()[2]:  # not the in-memory schema reference
            calls.append(number)                                  # (game/progress_schema.py)
        migration(conn)
    return run


def v2_add_duration(conn):
    conn.execute("ALTER TABLE attempts ADD COLUMN duration REAL NOT NULL DEFAULT 0")
    conn.execute("UPDATE attempts SET duration = score * 2")


def v3_achievements(conn):
    conn.execute("CREATE TABLE achievements (player_id INTEGER NOT NULL REFERENCES players(id), "
                 "name TEXT NOT NULL, PRIMARY KEY (player_id, name))")


def test_migrations_run_in_order_exactly_once(db):
    calls: list[int] = []
    chain = [logged(calls, 1, MIGRATIONS[0]), logged(calls, 2, v2_add_duration),
             logged(calls, 3, v3_achievements)]
    with ProgressStore(db, migrations=chain) as s:
        assert s.schema_version == 3
    assert calls == [1, 2, 3]
    with ProgressStore(db, migrations=chain) as s, ProgressStore(db, migrations=chain) as t:
        assert s.schema_version == t.schema_version == 3
    assert calls == [1, 2, 3], "an up-to-date file runs no migration"


def test_upgrade_from_version_1_keeps_data(db):
    with ProgressStore(db, migrations=MIGRATIONS[:1]) as s:
        first = s.record_attempt("Ada", "01-carry", 4.0, 2, True, '{"r": "one"}')
        s.record_attempt("Ada", "01-carry", 6.0, 1, False, None)
        s.save_settings("Ada", {"volume": 0.3})
        before = (s.players(), s.progress("Ada"), s.attempts("Ada", "01-carry"), s.settings("Ada"))
        assert s.schema_version == 1
    calls: list[int] = []
    chain = [logged(calls, 1, MIGRATIONS[0]), logged(calls, 2, v2_add_duration)]
    with ProgressStore(db, migrations=chain) as s:
        assert calls == [2], "only the missing migration runs"
        assert s.schema_version == 2
        assert (s.players(), s.progress("Ada"), s.attempts("Ada", "01-carry"), s.settings("Ada")) == before
        assert s.replay(first) == '{"r": "one"}'
        s.record_attempt("Ada", "01-carry", 1.0, 0, False, None)   # still writable with the new column
    raw = sqlite3.connect(db)
    try:
        assert raw.execute("SELECT score, duration FROM attempts ORDER BY id").fetchall() == [
            (4.0, 8.0), (6.0, 12.0), (1.0, 0.0)]
    finally:
        raw.close()
    with ProgressStore(db, migrations=chain):
        pass
    assert calls == [2]


def test_failing_migration_rolls_back_completely(db):
    with ProgressStore(db, migrations=MIGRATIONS[:1]) as s:
        s.record_attempt("Ada", "01-carry", 4.0, 2, True, None)

    def broken(conn):
        conn.execute("CREATE TABLE half_done (x)")
        conn.execute("UPDATE attempts SET score = 0")
        conn.execute("THIS IS NOT SQL")

    with pytest.raises(StoreError, match="schema version 2") as err:
        ProgressStore(db, migrations=[MIGRATIONS[0], broken])
    assert str(db) in str(err.value)
    with ProgressStore(db, migrations=MIGRATIONS[:1]) as s:
        assert s.schema_version == 1
        assert s.best("Ada", "01-carry")["score"] == 4.0
        assert s.moved_aside is None
    raw = sqlite3.connect(db)
    try:
        assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0] == 0
    finally:
        raw.close()


def test_newer_schema_is_refused_and_untouched(db):
    fill(db, attempts=40)
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    before = digest(db)
    with pytest.raises(StoreError, match="made by a newer Gatekeeper") as err:
        ProgressStore(db)
    assert str(db) in str(err.value)
    assert digest(db) == before
    assert corrupt_files(db.parent) == []


def test_newer_schema_with_unsaved_wal_is_untouched(db):
    """A newer Gatekeeper crashed with its upgrade still in the write-ahead log: the main file must not
    change (no checkpoint) and the version in the log must be seen."""
    fill(db, attempts=20)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("PRAGMA wal_autocheckpoint = 0")
        holder.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
        assert Path(f"{db}-wal").stat().st_size > 0
        before = digest(db)
        with pytest.raises(StoreError, match="newer Gatekeeper"):
            ProgressStore(db)
        assert digest(db) == before
        assert corrupt_files(db.parent) == []
    finally:
        holder.close()


def test_other_programs_database_is_refused_and_untouched(db):
    raw = sqlite3.connect(db)
    raw.execute("CREATE TABLE bookmarks (url TEXT)")
    raw.execute("INSERT INTO bookmarks VALUES ('https://example.org')")
    raw.commit()
    raw.close()
    before = digest(db)
    with pytest.raises(StoreError, match="not a Gatekeeper progress file"):
        ProgressStore(db)
    assert digest(db) == before and corrupt_files(db.parent) == []


def test_empty_sqlite_database_is_adopted(db):
    sqlite3.connect(db).close()
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA user_version = 0")
    raw.execute("VACUUM")                         # a valid, empty SQLite file with a header
    raw.close()
    with ProgressStore(db) as s:
        assert s.moved_aside is None and s.schema_version == SCHEMA_VERSION


# -- damaged files ---------------------------------------------------------------------------------------

def _page_size(data: bytes) -> int:
    size = int.from_bytes(data[16:18], "big")
    return 65536 if size == 1 else size


def random_bytes(path: Path, rng: random.Random) -> None:
    path.write_bytes(rng.randbytes(16384))


def truncated(path: Path, rng: random.Random) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def text_file(path: Path, rng: random.Random) -> None:
    path.write_text("This is my shopping list, not a database.\n" * 200, encoding="utf-8")


def pages_overwritten(path: Path, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    size = _page_size(data)
    middle = len(data) // size // 2
    data[(middle - 2) * size:(middle + 2) * size] = rng.randbytes(4 * size)
    path.write_bytes(bytes(data))


def header_only(path: Path, rng: random.Random) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:100] + rng.randbytes(len(data) - 100))


def short_header(path: Path, rng: random.Random) -> None:
    path.write_bytes(b"SQLite format 3\x00" + rng.randbytes(40))


def table_page_zeroed(path: Path, rng: random.Random) -> None:
    """Page 2 (the first table's root) zeroed: the header and page 1 are fine."""
    data = bytearray(path.read_bytes())
    size = _page_size(data)
    data[size:2 * size] = bytes(size)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [random_bytes, truncated, text_file, pages_overwritten, header_only,
                                    short_header, table_page_zeroed])
def test_damaged_file_is_moved_aside(db, damage):
    fill(db)
    damage(db, random.Random(99))
    damaged = db.read_bytes()
    with ProgressStore(db) as s:
        assert s.moved_aside is not None
        assert s.moved_aside.parent == db.parent and s.moved_aside.name.startswith(f"{db.name}.corrupt-")
        assert s.moved_aside.read_bytes() == damaged, "the user's data is kept, byte for byte"
        assert isinstance(s.notice, str) and str(s.moved_aside) in s.notice and "\n" not in s.notice
        assert s.players() == []
        s.record_attempt("Ada", "01-carry", 1.0, 1, True, "{}")
        assert s.diagnostics()["quick_check"] == "ok"
    assert corrupt_files(db.parent) == [s.moved_aside]
    with ProgressStore(db) as again:
        assert again.moved_aside is None and again.players() == ["Ada"]


def orphan_page(data: bytearray) -> None:
    """One more page, counted in the header but used by nothing."""
    size = _page_size(data)
    data += bytes(size)
    data[28:32] = (len(data) // size).to_bytes(4, "big")


def wrong_freelist_count(data: bytearray) -> None:
    data[36:40] = (5).to_bytes(4, "big")


@pytest.mark.parametrize("damage", [orphan_page, wrong_freelist_count])
def test_failing_quick_check_is_moved_aside(db, damage):
    """Every page SQLite reads is well formed; only PRAGMA quick_check reports a problem (as a row, not
    an exception)."""
    fill(db, attempts=60)
    data = bytearray(db.read_bytes())
    damage(data)
    db.write_bytes(bytes(data))
    raw = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        assert raw.execute("SELECT count(*) FROM attempts").fetchone()[0] == 60, "readable as is"
        assert raw.execute("PRAGMA quick_check").fetchall() != [("ok",)]
    finally:
        raw.close()
    with ProgressStore(db) as s:
        assert s.moved_aside is not None and "integrity check failed" in s.notice
        assert s.moved_aside.read_bytes() == bytes(data)
        assert s.players() == []


def test_zero_length_file_is_a_new_database(db):
    db.write_bytes(b"")
    inode = db.stat().st_ino
    with ProgressStore(db) as s:
        assert s.moved_aside is None and s.notice is None
        s.add_player("Ada")
    assert db.stat().st_ino == inode, "used in place"
    assert corrupt_files(db.parent) == []
    with ProgressStore(db) as s:
        assert s.players() == ["Ada"]


def test_zero_length_file_with_a_leftover_log_is_kept(db):
    db.write_bytes(b"")
    wal = Path(f"{db}-wal")
    wal.write_bytes(random.Random(5).randbytes(5000))
    with ProgressStore(db) as s:
        assert s.moved_aside is not None
        assert Path(f"{s.moved_aside}-wal").read_bytes() == random.Random(5).randbytes(5000)


def test_companion_files_move_with_the_damaged_file(db):
    db.write_bytes(random.Random(3).randbytes(8192))
    Path(f"{db}-wal").write_bytes(b"old log")
    Path(f"{db}-shm").write_bytes(b"old index")
    with ProgressStore(db) as s:
        moved = s.moved_aside
        assert Path(f"{moved}-wal").read_bytes() == b"old log"
        assert Path(f"{moved}-shm").read_bytes() == b"old index"
        s.add_player("Ada")
        assert s.players() == ["Ada"]


def test_two_damaged_files_in_the_same_second_are_both_kept(db):
    kept = []
    for seed in (1, 2, 3):
        db.unlink(missing_ok=True)
        db.write_bytes(random.Random(seed).randbytes(4096))
        with ProgressStore(db) as s:
            kept.append(s.moved_aside)
    assert len(set(kept)) == 3
    assert [p.read_bytes() for p in kept] == [random.Random(seed).randbytes(4096) for seed in (1, 2, 3)]


# -- errors name the file ----------------------------------------------------------------------------------

def test_directory_in_the_way(tmp_path):
    target = tmp_path / "progress.sqlite3"
    target.mkdir()
    with pytest.raises(StoreError) as err:
        ProgressStore(target)
    assert str(target) in str(err.value)


def test_closed_store_raises(db):
    s = ProgressStore(db)
    s.close()
    s.close()
    assert s.closed
    with pytest.raises(StoreError, match="closed"):
        s.players()
    with pytest.raises(StoreError, match="closed"):
        s.record_attempt("Ada", "01-carry", 1.0, 1, True, None)


def test_damage_after_open_is_a_store_error(db):
    fill(db, attempts=80)
    with ProgressStore(db) as s:
        data = bytearray(db.read_bytes())
        size = _page_size(data)
        middle = len(data) // size // 2
        with open(db, "r+b") as f:
            f.seek(middle * size)
            f.write(random.Random(4).randbytes(4 * size))
        with pytest.raises(StoreError) as err:
            for player in ("player0", "player1", "player2"):
                for level in range(5):
                    s.attempts(player, f"level-{level:02d}")
                    s.progress(player)
            s.diagnostics()
            raise AssertionError("the damage went unnoticed")
        assert str(db) in str(err.value)


def test_default_path_follows_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(tmp_path / "data" / "nested"))
    with ProgressStore() as s:
        assert s.path == tmp_path / "data" / "nested" / "progress.sqlite3"
        s.add_player("Ada")
    assert (tmp_path / "data" / "nested" / "progress.sqlite3").is_file()


# -- concurrency -----------------------------------------------------------------------------------------

def test_two_stores_on_one_file(db):
    with ProgressStore(db) as a, ProgressStore(db) as b:
        first = a.record_attempt("Ada", "01-carry", 1.0, 1, True, '{"from": "a"}')
        second = b.record_attempt("Ada", "01-carry", 2.0, 2, False, '{"from": "b"}')
        b.save_settings("Grace", {"from": "b"})
        assert a.players() == b.players() == ["Ada", "Grace"]
        assert a.best("Ada", "01-carry") == b.best("Ada", "01-carry")
        assert a.best("Ada", "01-carry")["attempts"] == 2
        assert a.replay(second) == '{"from": "b"}' and b.replay(first) == '{"from": "a"}'
        assert a.settings("Grace") == {"from": "b"}


def test_writer_waits_for_another_windows_write(db):
    ProgressStore(db).close()
    blocker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: blocker.execute("COMMIT"))
    try:
        with ProgressStore(db, busy_timeout=5) as waiting:
            release.start()
            start = time.monotonic()
            waiting.record_attempt("Ada", "01-carry", 1.0, 1, True, None)
            assert time.monotonic() - start >= 0.2
            assert waiting.best("Ada", "01-carry")["attempts"] == 1
    finally:
        release.join()
        blocker.close()


def test_busy_timeout_gives_a_clear_error(db):
    ProgressStore(db).close()
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with ProgressStore(db, busy_timeout=0.1) as impatient:
            assert impatient.players() == []          # readers are not blocked by a writer in WAL mode
            with pytest.raises(StoreError, match="busy") as err:
                impatient.record_attempt("Ada", "01-carry", 1.0, 1, True, None)
            assert str(db) in str(err.value)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with ProgressStore(db) as s:
        assert s.players() == []


def test_threads_and_stores_write_together(db):
    stores = [ProgressStore(db), ProgressStore(db)]
    ids: list[int] = []
    lock = threading.Lock()

    def work(k):
        for i in range(25):
            attempt = stores[k % 2].record_attempt(f"p{k}", "01-carry", float(i), i % 4, True,
                                                   f'{{"i": {i}}}')
            with lock:
                ids.append(attempt)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert len(set(ids)) == 100
        assert stores[0].players() == ["p0", "p1", "p2", "p3"]
        assert all(stores[1].best(f"p{k}", "01-carry")["attempts"] == 25 for k in range(4))
    finally:
        for s in stores:
            s.close()


# -- crash safety ----------------------------------------------------------------------------------------

CHILD = r"""
import sys
from game.progress import ProgressStore

store = ProgressStore(sys.argv[1])
n = int(sys.argv[2])
print("ready", flush=True)
while True:
    store.record_attempt("crash", "01-carry", float(n), n % 4, n % 2 == 0, '{"n": %d}' % n)
    print(n, flush=True)
    n += 1
"""


def committed_numbers(db: Path) -> list[int]:
    raw = sqlite3.connect(db)
    try:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = raw.execute("SELECT a.score, r.json FROM attempts a JOIN replays r ON r.attempt_id = a.id "
                           "ORDER BY a.id").fetchall()
        count = raw.execute("SELECT count(*) FROM attempts").fetchone()[0]
        assert count == len(rows), "an attempt without its replay"
    finally:
        raw.close()
    numbers = [json.loads(text)["n"] for _, text in rows]
    assert [score for score, _ in rows] == [float(n) for n in numbers]
    return numbers


def kill_child(db: Path, first: int, delay: float, after_ready: bool, out_path: Path) -> list[int]:
    """Run CHILD on db (numbering from first), SIGKILL it delay seconds after it said "ready" (or after
    it was started), and return the numbers it reported as committed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    with open(out_path, "wb") as out:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(first)], stdout=out,
                                 stderr=subprocess.PIPE, env=env, cwd=out_path.parent)
    try:
        deadline = time.monotonic() + 20
        while after_ready and not out_path.read_bytes().startswith(b"ready\n"):
            assert child.poll() is None, f"child died: {child.stderr.read().decode()}"
            assert time.monotonic() < deadline, "child never got ready"
            time.sleep(0.002)
        time.sleep(delay)
        assert child.poll() is None, f"child died by itself: {child.stderr.read().decode()}"
        child.kill()                                   # SIGKILL on POSIX
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stderr.close()
    lines = out_path.read_text().split("\n")[:-1]      # the last piece: "" or a half-written line
    printed = [int(line) for line in lines[1:]] if lines else []
    assert printed == list(range(first, first + len(printed))), "the child reports each number once, in order"
    return printed


def check_after_kill(db: Path, reported: int) -> int:
    """The store opens cleanly after a kill and holds exactly 0..n-1, n = reported or reported + 1."""
    with ProgressStore(db) as s:
        assert s.moved_aside is None and s.notice is None
        assert s.diagnostics()["quick_check"] == "ok" and s.schema_version == SCHEMA_VERSION
    numbers = committed_numbers(db)
    assert numbers == list(range(len(numbers))), "the attempts are exactly a prefix 0..n-1"
    assert reported <= len(numbers) <= reported + 1, (
        f"the child reported {reported} attempts committed, the database holds {len(numbers)}")
    return len(numbers)


@pytest.mark.slow
def test_sigkill_loses_at_most_the_attempt_in_flight(tmp_path):
    """30 kills at random moments of a child recording attempts as fast as it can, on one database."""
    db = tmp_path / "progress.sqlite3"
    rng = random.Random(20240611)
    kills, started = 30, time.monotonic()
    total = extra = 0
    for round_ in range(kills):
        printed = kill_child(db, total, rng.uniform(0.02, 0.3), True, tmp_path / f"child-{round_}.out")
        reported = total + len(printed)
        total = check_after_kill(db, reported)
        extra += total - reported
    assert total > kills * 5, "the child barely wrote anything: the kills tested nothing"
    print(f"{kills} kills, {total} attempts committed, {extra} committed but not yet reported, "
          f"{time.monotonic() - started:.1f} s")


@pytest.mark.slow
def test_sigkill_while_creating_the_database(tmp_path):
    """Kills timed from the child's start: some land before the file exists, some while it is created
    and migrated, some in the first writes. Each time on a new file."""
    rng = random.Random(31337)
    for round_ in range(12):
        db = tmp_path / f"new-{round_}" / "progress.sqlite3"
        db.parent.mkdir()
        printed = kill_child(db, 0, rng.uniform(0.05, 0.13), False, db.parent / "child.out")
        check_after_kill(db, len(printed))


# -- no pygame -------------------------------------------------------------------------------------------

def imports_of(module) -> set[str]:
    source = Path(module.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
    assert imported, "the AST walk found the imports"
    assert "__import__" not in source and "importlib" not in source
    return imported


def test_module_does_not_import_pygame():
    imported = imports_of(progress_module)
    assert not any(name.split(".")[0].lstrip(".") in {"pygame", "pygame_gui"} for name in imported), imported
    allowed = {"__future__", "logging", "numbers", "os", "sqlite3", "stat", "threading", "collections.abc",
               "datetime", "pathlib", "typing", ".", ".progress_classes", ".progress_schema",
               ".progress_values"}
    assert imported <= allowed, f"unexpected imports: {imported - allowed}"


def test_value_checks_are_their_own_module_below_the_store():
    """One job each: the store (game/progress.py), the schema and migrations (progress_schema.py), the
    value rules (progress_values.py), which know nothing of SQLite or of the store."""
    from game import progress_schema, progress_values
    imported = imports_of(progress_values)
    assert imported <= {"__future__", "json", "math", "numbers", "unicodedata", "."}, imported
    assert not {".progress", ".progress_values"} & imports_of(progress_schema)
    assert progress_module.StoreError is progress_values.StoreError
    assert progress_module.normalize_name is progress_values.normalize_name


def test_the_classroom_tables_are_their_own_module_below_the_store():
    """The classes joined, the upload queue and offline attempts (progress_classes.py) know the value
    rules and SQLite, never the store module itself or pygame."""
    from game import progress_classes
    imported = imports_of(progress_classes)
    assert imported <= {"__future__", "sqlite3", "datetime", "typing", ".progress_values"}, imported
    assert issubclass(progress_module.ProgressStore, progress_classes.ClassTables)
