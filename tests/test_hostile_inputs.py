"""Hostile inputs beyond the model and progress files: special files and size caps (game/safe_io.py,
game/atomic.py), nested JSON everywhere JSON is read, `engine demo` ranges, level paths longer than the
store's ids, own-level attempts reopening, and hint counts marked as self-reported."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game import atomic, paths, safe_io
from game.controllers.replays import attempt_entries, file_entries
from game.controllers.results import Results
from game.levels import refs, training
from game.levels.loader import LevelError, load_level
from game.progress import ProgressStore
from game.session import replay, scripted
from game.session.session import PlaySession

REPO = Path(__file__).resolve().parent.parent
CARRY = paths.levels_dir() / "campaign" / "01-carry.yaml"
SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
DEEP = "[" * 100_000 + "]" * 100_000  # 200 KB of nesting: RecursionError in json.loads


def run_cli(*args, timeout=120, env=None):
    return subprocess.run([sys.executable, str(REPO / "main.py"), *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def one_line_error(r) -> str:
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    return r.stderr.strip()


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    return path


# -- rule 1: regular files under a cap ---------------------------------------------------------------
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder", "too-big", "missing"])
def test_read_bytes_refuses_all_but_regular_files_under_the_cap(tmp_path, kind):
    path = {"fifo": tmp_path / "p", "dev-zero": Path("/dev/zero"), "folder": tmp_path,
            "too-big": tmp_path / "big", "missing": tmp_path / "nope"}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    if kind == "too-big":
        path.write_bytes(b"x" * 2000)
    started = time.monotonic()
    with pytest.raises(safe_io.FileRefused) as info:
        safe_io.read_bytes(path, max_bytes=1000)
    assert time.monotonic() - started < 2
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert isinstance(info.value, OSError)


def test_a_regular_file_is_read_whole(tmp_path):
    (tmp_path / "ok").write_bytes(b"hello")
    assert safe_io.read_bytes(tmp_path / "ok", max_bytes=5) == b"hello"


@pytest.mark.parametrize("target", ["/dev/null", "fifo", "folder"])
def test_atomic_writes_never_replace_a_special_file(tmp_path, target):
    path = {"/dev/null": Path("/dev/null"), "fifo": tmp_path / "f", "folder": tmp_path / "d"}[target]
    if target == "fifo":
        os.mkfifo(path)
    if target == "folder":
        path.mkdir()
    before = os.stat(path)
    with pytest.raises(safe_io.FileRefused, match="not a regular file; refused"):
        atomic.write_text(path, "data")
    after = os.stat(path)
    assert (after.st_ino, after.st_mode, after.st_rdev) == (before.st_ino, before.st_mode, before.st_rdev)
    assert not stat.S_ISREG(after.st_mode)
    if target == "/dev/null":
        assert not list(Path("/dev").glob(".null.*.tmp"))


def test_replay_record_onto_a_device_is_one_line_and_leaves_it(tmp_path):
    before = os.stat("/dev/null")
    r = run_cli("replay", "record", "01-carry", "--strategy", "solution", "-o", "/dev/null")
    assert r.returncode != 0 and "/dev/null" in one_line_error(r) and r.stderr.count("\n") == 1
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and os.stat("/dev/null").st_ino == before.st_ino


def test_replay_and_level_from_a_fifo_or_dev_zero_do_not_hang(tmp_path, fifo):
    for path in (fifo, Path("/dev/zero")):
        r = run_cli("replay", "verify", str(path), timeout=60)
        assert r.returncode == 1 and "REJECTED" in r.stdout and "regular" in r.stdout
    level_fifo = tmp_path / "level.yaml"
    os.mkfifo(level_fifo)
    with pytest.raises(LevelError, match="not a regular file"):
        load_level(level_fifo)
    r = run_cli("levels", "validate", str(level_fifo), "/dev/zero", timeout=60)
    assert r.returncode != 0 and "Traceback" not in r.stderr + r.stdout


# -- rule 2: JSON with size and depth limits -----------------------------------------------------------
def test_the_json_loader_refuses_deep_big_and_non_json_text():
    with pytest.raises(safe_io.JSONRefused, match="nested too deeply"):
        safe_io.loads_json(DEEP)
    with pytest.raises(safe_io.JSONRefused, match="too big"):
        safe_io.loads_json("[" + "1," * 1000 + "1]", max_bytes=100)
    for text in ("NaN", "[Infinity]", "{", "\ud800"):
        with pytest.raises(safe_io.JSONRefused):
            safe_io.loads_json(text)
    brackets_in_strings = json.dumps({"s": "[" * 10_000})
    assert safe_io.loads_json(brackets_in_strings) == {"s": "[" * 10_000}
    assert safe_io.json_depth('[{"a": [1, "]]]"]}]') == 3


def test_deep_json_everywhere_the_game_reads_json(tmp_path, monkeypatch):
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP)
    r = run_cli("replay", "verify", str(deep))
    assert r.returncode == 1 and "nested too deeply" in r.stdout and "Traceback" not in r.stderr
    with pytest.raises(replay.ReplayError, match="nested too deeply"):
        replay.verify_text(DEEP)
    # the game's replays folders
    (tmp_path / "replays").mkdir()
    shutil.copy(deep, tmp_path / "replays" / "deep.json")
    (entry,) = file_entries([tmp_path / "replays"])
    with pytest.raises(replay.ReplayError, match="nested too deeply"):
        entry.open()
    # the manifest of shipped weights: unreadable means retrain, never a crash
    monkeypatch.setattr(training, "manifest_path", lambda: deep)
    assert training.read_manifest() == {}


# -- engine demo arguments ------------------------------------------------------------------------------
@pytest.mark.parametrize("args, words", [
    (["--hidden", "100000"], "--hidden must be from 1 to 512"),
    (["--lengths", "100000000"], "--lengths must be from 1 to 1000"),
    (["--lengths", "5," * 20 + "5"], "at most 8"),
    (["--seed", "-1"], "--seed must be from 0"),
    (["--max-steps", "0"], "--max-steps must be from 1"),
    (["--restarts", "1000"], "--restarts must be from 0 to 20"),
])
def test_engine_demo_ranges_are_one_line_errors(args, words):
    r = run_cli("engine", "demo", *args, timeout=60)
    err = one_line_error(r)
    assert r.returncode == 2 and err.startswith("error: ") and words in err and r.stderr.count("\n") == 1


def test_engine_demo_help_explains_every_option():
    r = run_cli("engine", "demo", "--help")
    for option in ("--task", "--cell", "--hidden", "--seed", "--lengths", "--max-steps", "--restarts",
                   "--save", "--json"):
        line = next(ln for ln in r.stdout.splitlines() if ln.strip().startswith(option))
        following = r.stdout.split(line, 1)[1].splitlines()[0] if len(line.split()) < 2 else line
        assert len((line + following).split()) > 2, f"{option} has no explanation"
    assert "1..512" in r.stdout and "0..20" in r.stdout


# -- own levels: long paths, reopening, the ids the game writes -----------------------------------------
def own_level(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "01-carry.yaml"
    shutil.copy(CARRY, path)  # same content: the shipped weights serve it (no training in tests)
    return path


def finished(level_path: Path, strategy="solution") -> PlaySession:
    level = load_level(level_path)
    model, _, _ = training.ensure_model(level)
    s = PlaySession(level, model)
    return scripted.play(s, scripted.strategy_gates(s, strategy, 0))


def test_a_level_from_a_very_long_path_saves_and_reopens(tmp_path):
    deep = tmp_path
    while len(str(deep)) < 260:
        deep = deep / ("d" * 40)
    path = own_level(deep)
    ref = refs.file_ref(path)
    assert len(ref) <= refs.MAX_REF and ref.startswith("file:") and refs.path_of(ref) is None
    assert len(refs.safe_stem(ref)) <= refs.STEM_MAX and all(c.isalnum() or c in "._-"
                                                             for c in refs.safe_stem(ref))
    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        res = Results(finished(path), ref, "ada", store, 0, source=str(path))
        assert res.saved is not None and res.notice == "", res.notice
        (entry,) = attempt_entries(store, "ada", ref)
        v = entry.open()
        assert v.source == str(path) and v.score.stars == 3


def test_attempts_of_your_own_level_reopen_and_the_hash_decides(tmp_path):
    path = own_level(tmp_path / "mine")
    ref = refs.file_ref(path)
    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        Results(finished(path), ref, "ada", store, 0, source=str(path))
        (entry,) = attempt_entries(store, "ada", ref)
        assert entry.open().stored_matches
        text = path.read_text()
        path.write_text(text.replace("id: 01-carry", "id: 01-carry\n# edited", 1))  # same level, comment
        assert entry.open().stored_matches
        changed = text.replace(load_level(path).title, "Another title", 1)
        path.write_text(changed)
        with pytest.raises(replay.ReplayError, match="content changed"):
            entry.open()


def test_the_cli_accepts_the_file_ids_the_game_writes(tmp_path):
    path = own_level(tmp_path / "mine")
    out = tmp_path / "r.json"
    r = run_cli("replay", "record", refs.file_ref(path), "--strategy", "solution", "-o", str(out))
    assert r.returncode == 0, r.stderr
    r = run_cli("replay", "verify", str(out), "--level", refs.file_ref(path))
    assert r.returncode == 0 and "stored score matches" in r.stdout
    r = run_cli("levels", "check", refs.file_ref(path), timeout=300)
    assert r.returncode == 0, r.stderr


# -- hints are self-reported ----------------------------------------------------------------------------
def test_deleting_hint_actions_is_accepted_but_marked_self_reported(tmp_path):
    level = load_level(CARRY)
    model, _, _ = training.ensure_model(level)
    s = PlaySession(level, model)
    s.hint()
    scripted.play(s, scripted.strategy_gates(s, "solution", 0))
    honest = replay.make(s, "campaign/01-carry", "ada")
    assert s.result().hints == 1
    data = json.loads(replay.dumps(honest))
    data["history"] = [a for a in data["history"] if a["type"] != "hint"]
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(data))
    v = replay.verify(forged)
    assert v.score.hints == 0 and v.score.total > s.result().total  # accepted: replays are not signed
    assert v.hints_self_reported is True
    r = run_cli("replay", "verify", str(forged))
    assert r.returncode == 0 and "hints 0 (self-reported" in r.stdout


# -- the window's own files -------------------------------------------------------------------------------
def test_a_fifo_as_last_player_file_and_bad_rows_do_not_stop_the_game(tmp_path, monkeypatch):
    from game.ui.app import App

    data = tmp_path / "data"
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(data))
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    with ProgressStore(data / "progress.sqlite3") as s:
        s.record_attempt("ada", "campaign/01-carry", 90.0, 3, True, None)
        s.record_attempt("bob", "campaign/01-carry", 90.0, 3, True, None)
    import sqlite3
    conn = sqlite3.connect(data / "progress.sqlite3")
    conn.execute("UPDATE attempts SET stars = 100000000 WHERE player_id = 1")
    conn.commit()
    conn.close()
    os.mkfifo(data / "last-player.txt")
    started = time.monotonic()
    app = App(size=(1280, 720))
    try:
        assert time.monotonic() - started < 10 and app.player is None  # the FIFO was not read
        app.set_player("ada")
        rows = app.rows()
        carry = next(r for r in rows if r.ref == "campaign/01-carry")
        assert carry.best is None and carry.stars == 0  # the bad row is skipped
        assert "skipped" in app.notice
    finally:
        app.close()


def test_engine_demo_never_saves_over_a_device():
    r = run_cli("engine", "demo", "--save", "/dev/null", timeout=60)
    assert r.returncode == 2 and "/dev/null" in one_line_error(r)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


# -- names made from level references -------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_references_and_names_from_them_are_capped_and_safe(text):
    stem = refs.safe_stem(text)
    assert 1 <= len(stem) <= refs.STEM_MAX and set(stem) <= SAFE
    ref = refs.file_ref("/tmp/" + text.replace("\x00", "").replace("/", "_")[:500] + ".yaml")
    assert len(ref) <= refs.MAX_REF and ref.isprintable() and ref.startswith(refs.FILE)
    assert refs.path_of(ref) is None or str(refs.path_of(ref)) == ref[len(refs.FILE):]


def test_attempts_at_a_user_pack_level_reopen_in_the_game_and_the_cli(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(data))
    pack = data / "levels" / "mine"
    path = own_level(pack)
    (pack / "pack.yaml").write_text("format: 1\ntitle: Mine\norder:\n  - 01-carry\n")
    ref = "user:mine/01-carry"
    with ProgressStore(data / "progress.sqlite3") as store:
        Results(finished(path), ref, "ada", store, 0)
        (entry,) = attempt_entries(store, "ada", ref)
        v = entry.open()
        assert v.level == ref and v.source == str(path) and v.stored_matches
        out = tmp_path / "user.json"
        replay.save(out, replay.make(v.session, ref, "ada"))
    r = run_cli("replay", "verify", str(out), env={"GATEKEEPER_DATA_DIR": str(data)})
    assert r.returncode == 0 and "stored score matches" in r.stdout, r.stdout + r.stderr
