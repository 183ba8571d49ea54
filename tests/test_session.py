"""Play sessions, scoring, what-if and replays, driven without a window."""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import paths
from game.levels import catalogue, training
from game.session import replay, scoring, scripted
from game.session.commands import ActionError, Advance, SetGates, from_dict, to_dict
from game.session.scoring import what_if
from game.session.session import PlaySession

LEVELS = {name: e.level for name, e in catalogue.shipped_entries()}
MODELS = {name: training.cached_model(level)[0] for name, level in LEVELS.items()}
IDS = sorted(LEVELS)


def session(name="campaign/01-carry", history=()):
    return PlaySession(LEVELS[name], MODELS[name], history)


def played(name, strategy, losing_index=0):
    s = session(name)
    return scripted.play(s, scripted.strategy_gates(s, strategy, losing_index))


# -- the history -------------------------------------------------------------------------------------
def test_history_undo_redo_restart():
    s = session()
    s.set_gates(0, input=1.0)
    s.advance()
    assert s.step == 1 and s.current_gates(0) == {"input": 1.0, "forget": 1.0, "output": 0.0}
    s.set_gates(0, input=0.0, output=0.5)
    s.undo()
    assert s.current_gates(0)["input"] == 1.0 and s.state.can_redo
    s.undo()
    assert s.step == 0
    s.redo()
    assert s.step == 1
    s.set_gates(0, forget=0.2)            # a new action clears the redo stack
    assert not s.state.can_redo
    with pytest.raises(ActionError):
        s.redo()
    s.restart()
    assert s.step == 0 and not s.state.can_undo
    # the history keeps everything, and rebuilding from it gives the same state
    again = session(history=s.history)
    assert again.step == s.step and np.array_equal(again.state.gates, s.state.gates)


def test_invalid_actions_are_refused_and_leave_the_history_alone():
    s = session()
    for bad in (SetGates(step=3, slot=0, input=1.0), SetGates(step=0, slot=5, input=1.0)):
        with pytest.raises(ActionError):
            s.apply(bad)
    with pytest.raises(ActionError):
        s.undo()
    assert s.history == []
    finished = played("campaign/01-carry", "solution")
    with pytest.raises(ActionError):
        finished.apply(Advance())


def test_hints_are_counted_and_survive_undo():
    s = session()
    for _ in range(4):
        s.advance()
    proposal = s.hint()
    assert set(proposal) == {"input", "forget", "output"} and len(proposal["input"]) == 1
    assert proposal["input"][0] > 0.5          # at "France" the model would write
    s.undo()
    assert s.state.hints == 1
    scripted.play(s, scripted.strategy_gates(s, "solution"))
    assert s.result().hints == 1
    assert s.result().total < played("campaign/01-carry", "solution").result().total


def test_memory_says_shows_the_clue_once_written():
    s = session()
    for _ in range(4):
        s.advance()
    s.set_gates(0, input=1.0)
    assert s.memory_says()[0][0] == "French"
    s.undo()
    assert s.memory_says()[0][1] < 0.5


def test_actions_round_trip_through_dicts():
    for a in (SetGates(2, 1, 0.5, None, 1.0), Advance()):
        assert from_dict(to_dict(a)) == a
    for bad in ({"type": "set", "step": 0, "slot": 0, "input": 2.0}, {"type": "jump"}, [1, 2],
                {"type": "advance", "input": 1.0}, {"type": "set", "step": -1, "slot": 0}, {"type": "hint"}):
        with pytest.raises(ActionError):
            from_dict(bad)


# -- outcomes and scores through the session API ----------------------------------------------------
@pytest.mark.parametrize("name", IDS)
def test_solution_wins_model_agrees_fully_and_losing_strategies_lose(name):
    sol = played(name, "solution").result()
    assert sol.correct and sol.confident and sol.stars >= 2
    own = played(name, "model").result()
    assert own.agreement == 1.0 and not own.decisions
    assert own.correct and own.stars == 3
    for k in range(len(LEVELS[name].losing)):
        lost = played(name, "losing", k).result()
        assert not (lost.correct and lost.confident), LEVELS[name].losing[k].name
        assert lost.total < sol.total and lost.stars < 2


def test_what_if_flips_a_losing_answer_on_the_critical_step_only():
    s = played("campaign/01-carry", "losing")
    result = s.result()
    assert not result.correct and result.critical
    step = result.critical[0].step
    assert s.sequence.words[step] == "France"
    assert what_if(s, step).predicted == "French"
    harmless = s.sequence.words.index("lovely")
    assert what_if(s, harmless).predicted == result.answer


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(6, 21), st.floats(0, 1)), min_size=1, max_size=8),
       st.floats(0.0, 0.05))
def test_harmless_differences_cost_less_than_decisive_ones(changes, written):
    """Opening or closing the output gate between clue and blank (as the model does) barely matters;
    not writing the clue decides the answer."""
    base = scripted.strategy_gates(session(), "solution")
    harmless = base.copy()
    for step, value in changes:                    # output gate somewhere after "France ." and before ___
        harmless[step, 2] = value
    decisive = base.copy()
    decisive[4, 0] = written                       # input gate at "France": (almost) not written
    a = scripted.play(session(), harmless).result()
    b = scripted.play(session(), decisive).result()
    assert a.correct and a.confident and not b.confident   # barely written: at best a lucky guess
    assert a.agreement > b.agreement and a.total > b.total
    assert not a.critical and b.critical


# -- replays ---------------------------------------------------------------------------------------------
def record(tmp_path, strategy="solution", name="campaign/01-carry"):
    s = played(name, strategy)
    path = tmp_path / f"{strategy}.json"
    replay.save(path, replay.make(s, name, "ada"))
    return path


def test_replay_round_trip_and_verification(tmp_path):
    path = record(tmp_path)
    data = json.loads(path.read_text())
    assert data["format"] == "gatekeeper-replay" and data["version"] == 1
    assert {"level_id", "level_hash", "model_hash", "engine_version", "player", "started", "saved",
            "history", "score"} <= set(data)
    v = replay.verify(path)
    assert v.stored_matches and v.score.stars == 3 and v.score.total == data["score"]["total"]


def test_an_edited_gate_value_gets_the_recomputed_score(tmp_path):
    path = record(tmp_path)
    data = json.loads(path.read_text())
    sets = [a for a in data["history"] if a["type"] == "set" and a.get("input") == 1.0]
    sets[0]["input"] = 0.0                          # do not write the clue after all
    path.write_text(json.dumps(data))
    v = replay.verify(path)
    assert not v.stored_matches
    assert not v.score.correct and v.score.total < data["score"]["total"]


def test_a_stored_score_is_never_trusted(tmp_path):
    path = record(tmp_path, "losing")
    data = json.loads(path.read_text())
    data["score"].update(total=100.0, stars=3)
    path.write_text(json.dumps(data))
    v = replay.verify(path)
    assert not v.stored_matches and v.score.stars == 0


@pytest.mark.parametrize("field,value,message", [
    ("level_hash", "0" * 64, "has changed"),
    ("model_hash", "1" * 64, "different network"),
    ("level_id", "campaign/99-nope", "not a shipped level"),
    ("level_id", "/", "not a shipped level"),                    # never walks the file system
    ("level_id", "../../../../etc/passwd", "not a shipped level"),
    ("version", 2, "not a valid replay"),
    ("history", [{"type": "teleport"}], "cannot be replayed"),
    ("history", [{"type": "advance"}], "not finished"),
])
def test_replays_that_must_be_rejected(tmp_path, field, value, message):
    path = record(tmp_path)
    data = json.loads(path.read_text())
    data[field] = value
    path.write_text(json.dumps(data))
    with pytest.raises(replay.ReplayError, match=message) as e:
        replay.verify(path)
    assert str(path) in str(e.value)


@pytest.mark.parametrize("content", [b"", b"{", b"\x00\xff\xfe", b"[]", b'{"format": "gatekeeper-replay"}'])
def test_malformed_replay_files_get_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(replay.ReplayError) as e:
        replay.verify(path)
    assert str(path) in str(e.value)


def run_cli(*args):
    return subprocess.run([sys.executable, str(paths.ROOT / "main.py"), *args], capture_output=True,
                          text=True, timeout=300)


def test_replay_command_line(tmp_path):
    files = []
    for strategy in ("model", "solution", "losing"):
        out = tmp_path / f"{strategy}.json"
        r = run_cli("replay", "record", "01-carry", "--strategy", strategy, "-o", str(out))
        assert r.returncode == 0, r.stderr
        files.append(str(out))
    ok = run_cli("replay", "verify", *files)
    assert ok.returncode == 0 and ok.stdout.count("stored score matches") == 3
    broken = tmp_path / "broken.json"
    broken.write_text("{nope")
    bad = run_cli("replay", "verify", files[0], str(broken))
    assert bad.returncode == 1 and "REJECTED" in bad.stdout and "Traceback" not in bad.stderr
    show = run_cli("replay", "show", files[2])
    assert show.returncode == 0 and "France" in show.stdout and "critical" in show.stdout


# -- the layer boundary ------------------------------------------------------------------------------------
def test_only_the_user_interface_imports_pygame():
    offenders = []
    for path in (paths.ROOT / "game").rglob("*.py"):
        if "ui" in path.relative_to(paths.ROOT / "game").parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] in ("pygame", "pygame_gui")]
    assert not offenders, offenders
    probe = ("import sys; import game.cli, game.session.replay, game.session.scoring, game.levels.training; "
             "import game.controllers.play, game.controllers.level_select, game.controllers.results, "
             "game.controllers.training_job, game.controllers.profiles, game.controllers.autoplay; "
             "print(any(m.split('.')[0] in ('pygame', 'pygame_gui') for m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=paths.ROOT)
    assert r.stdout.strip() == "False", r.stderr


def test_a_finished_session_is_saved_with_its_replay_and_the_stored_replay_verifies(tmp_path):
    from game.progress import ProgressStore

    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        won = replay.save_attempt(store, "ada", played("campaign/01-carry", "solution"), "campaign/01-carry")
        replay.save_attempt(store, "ada", played("campaign/01-carry", "losing"), "campaign/01-carry")
        best = store.best("ada", "campaign/01-carry")
        assert best["attempts"] == 2 and best["wins"] == 1 and best["stars"] == 3
        v = replay.verify_text(store.replay(won))
        assert v.stored_matches and v.score.stars == 3 and v.player == "ada"


@pytest.mark.parametrize("name", ["campaign/01-carry", "campaign/03-distractor"])
def test_doing_nothing_is_not_free_even_when_no_single_swap_matters(name):
    """Never writing and never revealing: swapping either decision alone into the player's run changes
    nothing, but the player's values ruin the model's own run, so agreement is low and critical."""
    s = session(name)
    while not s.finished:
        s.advance()
    r = s.result()
    model = scoring._quality(s, s.model_run.gates[None])[0][0]
    # no single swap into the player's run helps, so the reverse swaps explain the whole shortfall
    assert r.agreement == round(math.exp(-(model - r.log_score)), 2) < 0.5
    assert r.critical and r.stars == 0
    assert {d.gate for d in r.critical} >= {"input"}


def test_a_very_long_history_replays_in_linear_time():
    """20,000 slider moves at one word (a mouse drag emits many): the session must fold them in one pass."""
    s = session()
    for k in range(20_000):
        s.set_gates(0, input=(k % 100) / 100)
    again = session(history=s.history)
    assert np.array_equal(again.state.gates, s.state.gates) and len(again.history) == 20_000


def test_replays_of_your_own_level_verify_with_the_level_file(tmp_path):
    import shutil

    own = tmp_path / "my-level.yaml"
    text = (paths.levels_dir() / "campaign" / "01-carry.yaml").read_text()
    own.write_text(text.replace("id: 01-carry", "id: my-level"))
    out = tmp_path / "mine.json"
    rec = run_cli("replay", "record", str(own), "--strategy", "solution", "-o", str(out))
    assert rec.returncode == 0, rec.stderr
    data = json.loads(out.read_text())
    assert data["level_id"] == f"file:{own.resolve()}" and data["level_source"] == str(own.resolve())
    found = run_cli("replay", "verify", str(out))  # the recorded file, recognised by its content hash
    assert found.returncode == 0 and "stored score matches" in found.stdout, found.stdout
    ok = run_cli("replay", "verify", str(out), "--level", str(own))
    assert ok.returncode == 0 and "stored score matches" in ok.stdout
    by_ref = run_cli("replay", "verify", str(out), "--level", data["level_id"])  # the id the game writes
    assert by_ref.returncode == 0 and "stored score matches" in by_ref.stdout
    (tmp_path / "moved").mkdir()
    own.rename(tmp_path / "moved" / own.name)
    without = run_cli("replay", "verify", str(out))
    assert without.returncode == 1 and "--level" in without.stdout
    moved = run_cli("replay", "verify", str(out), "--level", str(tmp_path / "moved" / own.name))
    assert moved.returncode == 0, moved.stdout
    (tmp_path / "elsewhere").mkdir()
    other = tmp_path / "elsewhere" / "02-keep.yaml"
    shutil.copy(paths.levels_dir() / "campaign" / "02-keep.yaml", other)
    wrong = run_cli("replay", "verify", str(out), "--level", str(other))
    assert wrong.returncode == 1 and "not on" in wrong.stdout


def test_cli_errors_are_one_line(tmp_path):
    r = run_cli("replay", "record", "01-carry", "--strategy", "solution", "-o", str(tmp_path))
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.count("\n") == 1
    r = run_cli("replay", "record", "01-carry", "--strategy", "solution", "-o", str(tmp_path / "x.json"),
                "--player", "x" * 50)
    assert r.returncode == 1 and "Traceback" not in r.stderr and "40" in r.stderr
