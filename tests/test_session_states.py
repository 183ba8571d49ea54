"""PlaySession.states: the cached per-word states equal a full re-run of the prefix, bit for bit, after
any sequence of actions (set, advance, undo, redo, restart, hint), for every kind of cell and input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.levels import catalogue, training
from game.levels.generator import LevelTask
from game.session.commands import ActionError, Advance, Redo, Restart, SetGates, Undo
from game.session.session import PlaySession, memory_of

FIXTURES = Path(__file__).parent / "fixtures" / "levels" / "valid"
SHIPPED = {name: e.level for name, e in catalogue.shipped_entries()}
LEVELS = {
    "words (LSTM, slots)": SHIPPED["campaign/08-two-slots"],
    "numbers (LSTM)": SHIPPED["campaign/13-sensor-log"],
    "GRU": catalogue.resolve([str(FIXTURES / "gru-reset.yaml")])[0][2],
    "plain RNN": catalogue.resolve([str(FIXTURES / "rnn-watch.yaml")])[0][2],
}


def fresh_session(name: str) -> PlaySession:
    """An untrained network of the level's shape: exactness does not depend on training."""
    level = LEVELS[name]
    return PlaySession(level, training.new_model(level, LevelTask(level), seed=3))


def assert_states_match_a_full_run(s: PlaySession, upto: int) -> None:
    states = s.states(upto)
    trace = s.run(upto)
    assert len(states) == upto
    if trace is None:
        return
    memory = memory_of(trace)
    candidate = trace.g if s.cell == "lstm" else trace.n if s.cell == "gru" else trace.h
    for t, st_ in enumerate(states):
        assert np.array_equal(st_.h, trace.h[t, 0])
        assert np.array_equal(st_.memory, memory[t, 0])
        assert np.array_equal(st_.candidate, candidate[t, 0])
        if s.cell == "gru":
            assert np.array_equal(st_.hn, trace.hn[t, 0])


ACTIONS = st.one_of(
    st.tuples(st.just("set"), st.integers(0, 3), st.sampled_from(["a", "b", "c"]),
              st.floats(0, 1, allow_nan=False)),
    st.just(("advance",)), st.just(("advance",)), st.just(("undo",)), st.just(("redo",)),
    st.just(("restart",)), st.just(("hint",)))


def act(s: PlaySession, a: tuple) -> None:
    try:
        if a[0] == "set":
            names = s.gates
            if not names:
                return
            gate = names[{"a": 0, "b": 1, "c": 2}[a[2]] % len(names)]
            s.apply(SetGates(s.step, a[1] % s.S, **{gate: a[3]}))
        elif a[0] == "advance":
            s.apply(Advance())
        elif a[0] == "undo":
            s.apply(Undo())
        elif a[0] == "redo":
            s.apply(Redo())
        elif a[0] == "restart":
            s.apply(Restart())
        elif s.gates and not s.finished:
            s.hint()
    except ActionError:
        pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(LEVELS)), actions=st.lists(ACTIONS, max_size=40))
def test_cached_states_equal_a_full_rerun_after_any_actions(name, actions):
    s = fresh_session(name)
    for a in actions:
        act(s, a)
        # the screen's two questions after every action: this word's state, and the state before it
        upto = min(s.step + 1, s.T)
        assert_states_match_a_full_run(s, upto)
        assert_states_match_a_full_run(s, s.step if s.step < s.T else s.T)
    assert_states_match_a_full_run(s, s.T)


def test_an_action_reruns_only_the_words_whose_gates_changed():
    s = fresh_session("words (LSTM, slots)")
    for _ in range(6):
        s.advance()
    s.states(s.step + 1)
    kept = list(s._trail)
    s.set_gates(0, input=0.25)  # changes the gates of the current word only
    assert s._trail == kept[:s.step]
    s.states(s.step + 1)
    assert s._trail[:s.step] == kept[:s.step] and not np.array_equal(s._trail[-1].memory, kept[-1].memory)
    s.restart()
    assert s._trail == []


def test_the_hint_builds_its_weight_matrices_once():
    s = fresh_session("words (LSTM, slots)")
    first = s.hint()
    stepper = s.stepper
    s.advance()
    s.hint()
    assert s.stepper is stepper and set(first) == set(s.gates)
