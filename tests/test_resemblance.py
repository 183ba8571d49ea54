"""Which losing strategy a gating resembles (game/session/resemblance.py), and the level's own words on
the results screen (controllers/results.Results.level_words)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.controllers.results import Results
from game.levels import catalogue, training
from game.levels.sequence import play_sequence, solution_gating, strategy_gating
from game.session import scripted
from game.session.resemblance import closest_strategy, distance, profile, stretches
from game.session.session import GATES, PlaySession

LEVELS = {name.split("/")[-1]: e.level for name, e in catalogue.shipped_entries()}
FORGET = GATES.index("forget")


@pytest.mark.parametrize("lid", sorted(LEVELS))
def test_every_losing_strategy_resembles_itself_and_the_solution_none(lid):
    level = LEVELS[lid]
    seq = play_sequence(level)
    assert closest_strategy(level, seq, solution_gating(level, seq)) is None
    for k, s in enumerate(level.losing):
        r = closest_strategy(level, seq, strategy_gating(level, seq, s.changes))
        assert r is not None and r.index == k and r.name == s.name and r.distance == 0 < r.to_solution


def test_stretches_cover_the_sequence_with_each_key_word_alone():
    seq = play_sequence(LEVELS["11-crowded"])
    parts = stretches(seq)
    assert parts[0][0] == 0 and parts[-1][1] == len(seq)
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:], strict=False))
    keys = [k for k, tok in enumerate(seq.tokens) if tok.key]
    assert [a for a, b, decisive in parts if decisive] == keys
    assert all(b == a + 1 for a, b, decisive in parts if decisive)


@settings(max_examples=40, deadline=None)
@given(where=st.integers(0, 100), value=st.floats(0.0, 0.3))
def test_forgetting_anywhere_between_the_clue_and_the_blank_is_forget_on_the_way(where, value):
    """01-carry's strategy forgets at word 8; forgetting at any other word of the stretch is the same
    mistake, and so is nearly forgetting."""
    level = LEVELS["01-carry"]
    seq = play_sequence(level)
    clue = next(k for k, tok in enumerate(seq.tokens) if tok.key)
    between = [k for k in range(clue + 1, seq.blank)]
    gates = solution_gating(level, seq)
    gates[between[where % len(between)], FORGET] = value
    r = closest_strategy(level, seq, gates)
    assert r is not None and r.name == "Forget on the way"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_distance_is_a_weighted_l1_distance_between_profiles(seed):
    level = LEVELS["08-two-slots"]
    seq = play_sequence(level)
    parts = stretches(seq)
    shape = solution_gating(level, seq).shape
    rng = np.random.default_rng(seed)
    a, b, c = (profile(rng.uniform(-1, 1, shape) * (rng.random(shape) < 0.2), parts) for _ in range(3))
    assert distance(a, a, parts) == 0
    assert distance(a, b, parts) == pytest.approx(distance(b, a, parts))
    assert distance(a, c, parts) <= distance(a, b, parts) + distance(b, c, parts) + 1e-9


def results(lid, strategy, index=0):
    level = LEVELS[lid]
    s = PlaySession(level, training.cached_model(level)[0])
    scripted.play(s, scripted.strategy_gates(s, strategy, index))
    return Results(s, f"campaign/{lid}", None, None, 0)


def test_after_a_loss_the_results_give_the_resembled_strategy_and_the_solution_in_the_levels_words():
    level = LEVELS["07-reset"]
    r = results("07-reset", "losing", 1)
    assert not r.won
    words = r.level_words()
    assert words[0] == (f"Your gating looks most like “{level.losing[1].name}”", level.losing[1].explanation)
    assert words[1] == ("The solution", level.solution.explanation)


def test_after_a_win_the_results_give_only_the_solution():
    r = results("03-distractor", "solution")
    assert r.won and r.resemblance is None
    assert r.level_words() == [("The solution", LEVELS["03-distractor"].solution.explanation)]
