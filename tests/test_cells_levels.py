"""Levels of every cell (network: {cell: lstm | gru | rnn}): load, train, play, score and replay.

The GRU fixtures: gru-carry carries a clue with the update gate at 1 (PyTorch's convention
h' = (1 - z) n + z h); in gru-reset the reset gate decides (at the blank the candidate must see the
memory). rnn-watch has no gates: the player only watches what the memory says.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from game.levels import cells, training
from game.levels.loader import LevelError, load_level
from game.session import replay, scripted
from game.session.commands import ActionError, SetGates, from_dict, to_dict
from game.session.session import PlaySession
from lstm_engine import model_hash

FIXTURES = Path(__file__).parent / "fixtures" / "levels" / "valid"
GATED = ("gru-carry", "gru-reset")


@pytest.fixture(scope="module")
def trained():
    """Each fixture level with a network trained for it (small: well under a second each)."""
    out = {}
    for name in (*GATED, "rnn-watch", "minimal"):
        level = load_level(FIXTURES / f"{name}.yaml")
        out[name] = (level, training.train_level(level)[0])
    return out


def session(trained, name, history=()):
    level, model = trained[name]
    return PlaySession(level, model, history)


@pytest.mark.parametrize("name", (*GATED, "rnn-watch"))
def test_each_cell_level_trains_playable(trained, name):
    level, model = trained[name]
    assert model.cell.kind == level.network.cell
    check = training.check_level(level, model)
    assert check.playable, check.problems()


@pytest.mark.parametrize("name", GATED)
def test_gru_solution_wins_and_every_losing_strategy_loses(trained, name):
    s = scripted.play(session(trained, name), scripted.strategy_gates(session(trained, name), "solution"))
    won = s.result()
    assert won.correct and won.stars >= 1
    assert all(d.gate in ("update", "reset") for d in won.decisions)
    for k in range(len(s.level.losing)):
        fresh = session(trained, name)
        lost = scripted.play(fresh, scripted.strategy_gates(fresh, "losing", k))
        assert not lost.result().correct and lost.result().stars == 0


def test_reset_gate_decides_gru_reset(trained):
    """Only the reset gate at the blank differs between the solution and the losing strategy."""
    s = session(trained, "gru-reset")
    sol = scripted.strategy_gates(s, "solution")
    lose = scripted.strategy_gates(s, "losing")
    differ = np.argwhere(sol != lose)
    S = s.S
    assert len(differ) == 1 and s.gates[differ[0][1] // S] == "reset"


def test_gru_session_gates_hint_and_memory(trained):
    s = session(trained, "gru-carry")
    assert s.gates == ("update", "reset") and s.shown_gates == ("update", "reset")
    assert s.current_gates(0) == {"update": 1.0, "reset": 1.0}
    hint = s.hint()
    assert set(hint) == {"update", "reset"} and all(0 <= v <= 1 for vs in hint.values() for v in vs)
    # the network's own update gate at the clue is what the stepper proposes from the start state
    assert hint["update"][0] == pytest.approx(s.model_run.gates[0, 0], abs=1e-12)
    s.set_gates(0, update=0.0)
    h, c = s.memory()
    assert np.array_equal(h, c)  # a GRU's hidden state is its memory
    with pytest.raises(ActionError, match="forget"):
        s.set_gates(0, forget=0.0)
    said = s.memory_says()
    assert len(said) == 3 and abs(sum(p for _, p in said)) <= 1.0 + 1e-9


def test_update_one_keeps_the_gru_memory_through_the_sentence(trained):
    """z = 1 after the clue: the memory at the blank is the memory after the clue (to rounding)."""
    s = scripted.play(session(trained, "gru-carry"), scripted.strategy_gates(session(trained, "gru-carry"),
                                                                               "solution"))
    trace = s.run(s.T)
    first = [k for k, tok in enumerate(s.sequence.tokens) if tok.key and tok.role == "clue"][0]
    assert np.abs(trace.h[-1, 0] - trace.h[first, 0]).max() < 1e-12


def test_rnn_level_is_watched(trained):
    s = session(trained, "rnn-watch")
    assert s.gates == () and s.state.gates.shape == (s.T, 0)
    with pytest.raises(ActionError, match="no gates"):
        s.hint()
    with pytest.raises(ActionError, match="does not exist"):
        s.set_gates(0, input=1.0)
    said_before = s.memory_says()
    while not s.finished:
        s.advance()
    result = s.result()
    assert result.decisions == () and result.correct == s.model_run.outcome.wins
    assert said_before[0][0] in s.task.answers


@pytest.mark.parametrize("name", (*GATED, "rnn-watch"))
def test_replays_of_every_cell_verify(trained, name, tmp_path, monkeypatch):
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    level, model = trained[name]
    path = FIXTURES / f"{name}.yaml"
    # the replay verifies against the network the level trains (deterministic for its seed)
    again, _ = training.train_level(level)
    assert model_hash(again) == model_hash(model)
    s = session(trained, name)
    strategy = "solution" if level.solution is not None else "model"
    scripted.play(s, scripted.strategy_gates(s, strategy))
    out = tmp_path / "r.json"
    training.ensure_model(level)  # into the temporary cache: verification finds it there
    replay.save(out, replay.make(s, f"file:{path}", "ada", source=str(path)))
    v = replay.verify(out, level_file=path)
    assert v.stored_matches and v.score.total == s.result().total


def test_set_action_round_trips_gru_gates():
    a = SetGates(2, 0, update=0.25, reset=1.0)
    assert to_dict(a) == {"step": 2, "slot": 0, "type": "set", "update": 0.25, "reset": 1.0}
    assert from_dict(to_dict(a)) == a
    with pytest.raises(ActionError, match="reset"):
        from_dict({"type": "set", "step": 0, "slot": 0, "reset": 2})


# -- the level format ---------------------------------------------------------------------------------
def test_lstm_level_key_does_not_depend_on_writing_the_default_cell(trained, tmp_path):
    text = (FIXTURES / "minimal.yaml").read_text()
    explicit = tmp_path / "minimal.yaml"
    explicit.write_text(text.replace("network:\n", "network:\n  cell: lstm\n"))
    assert "cell: lstm" in explicit.read_text()
    assert training.level_key(load_level(explicit)) == training.level_key(trained["minimal"][0])
    # and the cell is part of the key of every other cell
    other = tmp_path / "gru-carry.yaml"
    other.write_text((FIXTURES / "gru-carry.yaml").read_text().replace("hidden: 6", "hidden: 7"))
    assert training.level_key(load_level(other)) != training.level_key(trained["gru-carry"][0])


def write_variant(tmp_path, name, old, new):
    text = (FIXTURES / f"{name}.yaml").read_text()
    assert old in text
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def line_of(path, needle):
    return next(k for k, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize("name,old,new,needle,words", [
    ("minimal", "      input: 1\n", "      update: 1\n", "update: 1", "belongs to a GRU level"),
    ("gru-carry", "      update: 0\n", "      forget: 0\n", "forget: 0", "update and reset"),
    ("gru-carry", "  default:\n    update: 1\n    reset: 1\n", "  default:\n    update: 1\n    input: 0\n",
     "default:", "update and reset"),
    ("rnn-watch", "  slots: 1\n", "  slots: 2\n", "slots: 2", "slots: 1"),
    ("gru-carry", "  cell: gru\n", "  cell: lstm\n", "update: 0", "belongs to a GRU level"),
])
def test_gates_of_the_wrong_cell_are_clear_errors(tmp_path, name, old, new, needle, words):
    path = write_variant(tmp_path, name, old, new)
    with pytest.raises(LevelError) as e:
        load_level(path)
    msg = str(e.value)
    assert words in msg and "Traceback" not in msg
    assert f"{path.name}:{line_of(path, needle)}" in msg or f":{line_of(path, needle)}:" in msg, msg


def test_rnn_level_with_a_solution_is_refused(tmp_path):
    path = tmp_path / "rnn.yaml"
    path.write_text((FIXTURES / "rnn-watch.yaml").read_text()
                    + "solution:\n  rules:\n    - {at: clue, input: 1}\nlosing:\n"
                      "  - {name: x, changes: [{at: clue, input: 0}]}\n")
    with pytest.raises(LevelError, match="no gates"):
        load_level(path)


def test_cell_tables():
    assert cells.READING["lstm"] == ("forget", "input", "output")
    assert cells.COLUMNS["lstm"] == ("input", "forget", "output")  # the engine's [i | f | o]
    assert cells.READING["gru"] == cells.COLUMNS["gru"] == ("update", "reset")  # the engine's [z | r]
    assert cells.COLUMNS["rnn"] == ()
