"""The campaign's own words say what its networks and rules really do (issue 11: four texts were wrong)."""

from __future__ import annotations

import pytest

from game.levels import catalogue, training
from game.levels.generator import LevelTask
from game.levels.schema import Gates, Rule
from game.levels.sequence import apply_rules, default_gating, play_sequence, strategy_gating

LEVELS = {name.split("/")[-1]: e.level for name, e in catalogue.shipped_entries()}


def run(lid, gates):
    level = LEVELS[lid]
    model = training.cached_model(level)[0]
    return training.run_gating(level, model, LevelTask(level), play_sequence(level), gates)


def losing(lid, name):
    level = LEVELS[lid]
    strategy = next(s for s in level.losing if s.name == name)
    return strategy, strategy_gating(level, play_sequence(level), strategy.changes)


def test_the_solution_explanation_is_text_and_leaves_the_training_key_alone():
    level = LEVELS["01-carry"]
    key = training.level_key(level)
    for text in (None, "Other words entirely."):
        sol = level.solution.model_copy(update={"explanation": text})
        assert training.level_key(level.model_copy(update={"solution": sol})) == key
    sol = level.solution.model_copy(update={"default": Gates(forget=1.0, input=0.0, output=1.0)})
    assert training.level_key(level.model_copy(update={"solution": sol})) != key


def test_every_campaign_level_explains_its_solution_and_each_losing_strategy():
    for lid, level in LEVELS.items():
        if level.network.cell == "rnn":  # no gates: no solution and no losing strategy to explain
            assert level.solution is None and not level.losing, lid
            continue
        assert level.solution.explanation, lid
        assert all(s.explanation for s in level.losing), lid


def test_crowded_write_the_last_country_writes_france_and_answers_french():
    level = LEVELS["11-crowded"]
    seq = play_sequence(level)
    strategy, gates = losing("11-crowded", "Write the last country")
    last = max(k for k, tok in enumerate(seq.tokens) if tok.role == "distractor" and tok.key)
    assert [r.step for r in strategy.changes] == [last + 1] and seq.words[last] == "France"
    assert "France" in strategy.explanation and "word 33" in strategy.explanation and last + 1 == 33
    assert run("11-crowded", gates).predicted == "French" and "French" in strategy.explanation


def test_crowded_write_every_country_does_not_claim_an_answer_it_does_not_give():
    strategy, gates = losing("11-crowded", "Write every country")
    assert run("11-crowded", gates).predicted != "Spanish"
    assert "no longer says Spanish" in strategy.explanation


def test_write_once_the_last_word_written_is_the_blank():
    seq = play_sequence(LEVELS["05-write-once"])
    strategy, _ = losing("05-write-once", "Write every word over the last")
    assert seq.words[-1] == "___" and "the blank ___" in strategy.explanation
    assert "loud" not in strategy.explanation


def test_never_writing_my_keys_answers_what_an_empty_memory_says():
    level = LEVELS["09-keys-and-phone"]
    seq = play_sequence(level)
    strategy, gates = losing("09-keys-and-phone", "Never write my keys")
    nothing = default_gating(len(seq), Gates(forget=1.0, input=0.0, output=0.0), level.network.slots)
    apply_rules(nothing, seq, [Rule(at="question", output=1.0)], level.network.slots)
    empty = run("09-keys-and-phone", nothing)
    never = run("09-keys-and-phone", gates)
    assert never.predicted == empty.predicted and not never.wins  # the empty memory's answer: no win
    assert "empty memory" in strategy.explanation


@pytest.mark.parametrize("field", ["concept", "intro"])
def test_long_haul_says_only_what_is_measured_about_the_plain_rnn(field):
    text = getattr(LEVELS["10-long-haul"], field)
    assert "about ten" not in text and "loses it after" not in text and "loses a clue" not in text


def test_reveal_no_longer_says_a_shut_output_is_always_fine():
    intro = LEVELS["04-reveal"].intro
    assert "a closed output gate is fine" not in intro and "next step" in intro and "harmless" in intro
