"""Hostile progress files (game/progress.py, game/progress_schema.py): values the game never writes are
skipped with a notice, a file holding objects the game did not create is moved aside and kept, special
files are refused, and a read-only data folder still shows progress and says it cannot save."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from game.progress import ProgressStore, StoreError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "progress.sqlite3"
    with ProgressStore(path) as s:
        s.record_attempt("Ada", "01-carry", 40.0, 1, False, '{"r": 1}')
        s.record_attempt("Ada", "01-carry", 80.0, 2, True, '{"r": 2}')
        s.record_attempt("Ada", "02-swap", 55.5, 3, True, None)
        s.save_settings("Ada", {"volume": 0.5})
    return path


def raw_sql(path: Path, *statements: tuple) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")  # a hand-edited file need not honour them
    try:
        for sql, *args in statements:
            conn.execute(sql, *args)
        conn.commit()
    finally:
        conn.close()


def insert_attempt(score, stars, won=1, played_at="2024-01-01T00:00:00.000+00:00", level="01-carry"):
    return ("INSERT INTO attempts (player_id, level_id, score, stars, won, played_at) "
            "VALUES (1, ?, ?, ?, ?, ?)", (level, score, stars, won, played_at))


@pytest.mark.parametrize("bad", [
    dict(score="lots", stars=2), dict(score=50.0, stars="three"), dict(score=50.0, stars=100_000_000),
    dict(score=1e300, stars=1), dict(score=50.0, stars=1, won=7),
    dict(score=50.0, stars=1, played_at="x" * 10_000_000), dict(score=50.0, stars=1, played_at="\x1b[31mred"),
    dict(score=50.0, stars=1, level="0" * 5000),
])
def test_invalid_rows_are_skipped_with_a_notice(db, bad):
    raw_sql(db, insert_attempt(**bad))
    with ProgressStore(db) as s:
        progress = s.progress("Ada")
        assert progress["01-carry"] == {"score": 80.0, "stars": 2, "attempts": 2, "wins": 1,
                                        "last_played": progress["01-carry"]["last_played"]}
        assert progress["02-swap"]["stars"] == 3
        assert s.best("Ada", "01-carry")["stars"] == 2
        rows = s.attempts("Ada", "01-carry")
        assert [a["score"] for a in rows] == [80.0, 40.0]
        assert all(isinstance(a["when"], str) and len(a["when"]) < 64 for a in rows)
        assert s.skipped_rows >= 1 and "skipped" in s.notice and "\n" not in s.notice


def test_invalid_player_names_are_skipped(db):
    raw_sql(db, ("INSERT INTO players (name, created) VALUES (?, ?)", ("x" * 10_000_000, "now")),
            ("INSERT INTO players (name, created) VALUES (?, ?)", ("bell\x07", "now")))
    with ProgressStore(db) as s:
        assert s.players() == ["Ada"]
        assert s.skipped_rows == 2


def test_huge_or_nested_settings_and_replays_are_refused_in_one_line(db):
    raw_sql(db, ("UPDATE players SET settings = ?", ("[" * 100_000 + "]" * 100_000,)),
            ("UPDATE replays SET json = ? WHERE attempt_id = 1", ("x" * 5_000_000,)),
            ("UPDATE replays SET json = ? WHERE attempt_id = 2", (b"\x00\x01",)))
    with ProgressStore(db) as s:
        with pytest.raises(StoreError, match="too big|nested|damaged"):
            s.settings("Ada")
        with pytest.raises(StoreError, match="too long"):
            s.replay(1)
        with pytest.raises(StoreError, match="not text"):
            s.replay(2)
    raw_sql(db, ("UPDATE players SET settings = ?", ("[" * 300 + "]" * 300,)))
    with ProgressStore(db) as s, pytest.raises(StoreError, match="nested too deeply"):
        s.settings("Ada")


def test_a_trigger_the_game_did_not_create_is_moved_aside_and_kept(db):
    """The reproducer: a trigger deleting older attempts whenever one is saved."""
    raw_sql(db, ("CREATE TRIGGER prune AFTER INSERT ON attempts BEGIN "
                 "DELETE FROM attempts WHERE id < NEW.id; END",))
    with ProgressStore(db) as s:
        assert s.moved_aside is not None and s.moved_aside.exists()
        assert "prune" in s.notice and "did not create" in s.notice
        assert s._conn.execute("PRAGMA trusted_schema").fetchone()[0] == 0
        s.record_attempt("Ada", "01-carry", 10.0, 0, False, None)
        s.record_attempt("Ada", "01-carry", 20.0, 0, False, None)
        assert len(s.attempts("Ada", "01-carry")) == 2  # nothing deleted
        kept = s.moved_aside
    conn = sqlite3.connect(f"{kept.as_uri()}?mode=ro", uri=True)
    try:  # the old file is kept whole, its attempts and its trigger
        assert conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == 3
        triggers = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        assert triggers == [("prune",)]
    finally:
        conn.close()


@pytest.mark.parametrize("sql", [
    "CREATE VIEW best AS SELECT * FROM attempts",
    "CREATE TABLE extra (x)",
    "CREATE INDEX by_score ON attempts (score)",
    "ALTER TABLE attempts ADD COLUMN note TEXT",
])
def test_any_object_the_game_did_not_create_is_refused(db, sql):
    raw_sql(db, (sql,))
    with ProgressStore(db) as s:
        assert s.moved_aside is not None
        assert s.progress("Ada") == {}


def test_own_schema_is_accepted(db):
    with ProgressStore(db) as s:
        assert s.moved_aside is None and s.notice is None
        assert s.best("Ada", "01-carry")["score"] == 80.0


@pytest.mark.parametrize("special", ["fifo", "dev-zero", "folder"])
def test_special_files_are_refused_in_one_line(tmp_path, special):
    if special == "fifo":
        path = tmp_path / "progress.sqlite3"
        os.mkfifo(path)
    elif special == "folder":
        path = tmp_path / "progress.sqlite3"
        path.mkdir()
    else:
        path = Path("/dev/zero")
    started = time.monotonic()
    with pytest.raises(StoreError) as info:
        ProgressStore(path)
    assert time.monotonic() - started < 5
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    if special == "fifo":
        assert Path(path).exists() and not Path(path).is_file()  # left alone


READ_ONLY_CHILD = textwrap.dedent("""
    import json, os, sys
    if os.geteuid() == 0:  # root ignores permissions: become nobody for the test
        os.setgid(65534); os.setuid(65534)
    from game.progress import ProgressStore, StoreError
    s = ProgressStore(sys.argv[1])
    out = {"read_only": s.read_only, "notice": s.notice, "best": s.best("Ada", "01-carry"),
           "players": s.players()}
    try:
        s.record_attempt("Ada", "01-carry", 1.0, 0, False, None)
        out["saved"] = True
    except StoreError as e:
        out["saved"] = str(e)
    print(json.dumps(out))
""")


def _python_for_nobody() -> str:
    """An interpreter the unprivileged user can run (a venv under /root may not be readable)."""
    if os.geteuid() != 0:
        return sys.executable
    for candidate in (sys.executable, "/usr/bin/python3"):
        drop = "import os; os.setgid(65534); os.setuid(65534); import json"
        probe = subprocess.run([candidate, "-c", drop], capture_output=True)
        if probe.returncode == 0:
            return candidate
    pytest.fail("no Python interpreter runs as an unprivileged user here")


def test_a_read_only_folder_shows_progress_and_says_it_cannot_save(db):
    folder = Path(tempfile.mkdtemp(prefix="gatekeeper-ro-", dir="/tmp"))  # a path others may traverse
    shutil.copy(db, folder / db.name)
    db = folder / db.name
    for p in folder.iterdir():
        p.chmod(0o444)
    folder.chmod(0o555)
    try:
        import platformdirs
        path = os.pathsep.join([str(REPO), str(Path(platformdirs.__file__).parent.parent)])
        out = subprocess.run([_python_for_nobody(), "-c", READ_ONLY_CHILD, str(db)], capture_output=True,
                             text=True, env={**os.environ, "PYTHONPATH": path}, timeout=60, cwd="/")
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
    assert out.returncode == 0, out.stderr
    import json
    result = json.loads(out.stdout)
    assert result["read_only"] is True
    assert result["best"]["score"] == 80.0 and result["players"] == ["Ada"]
    assert "cannot be written" in result["notice"] and str(folder) in result["notice"]
    assert "read-only" in result["saved"]
