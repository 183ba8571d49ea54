"""The verdict (game/levels/verdict.py): a win must be more than a guess, whatever the network.

Held as properties against the rule, not against the shipped networks' numbers (they are retrained)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.levels import catalogue, cells, training, verdict
from game.levels.generator import LevelTask
from game.levels.loader import parse_level
from game.levels.sequence import play_sequence, solution_gating

LEVELS = {name: e.level for name, e in catalogue.shipped_entries()}
MODELS = {name: training.cached_model(level)[0] for name, level in LEVELS.items()}
IDS = sorted(LEVELS)
GATED = [n for n in IDS if LEVELS[n].network.cell != "rnn"]  # a plain RNN has no gate to withhold the clue
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TWO_ANSWERS = """
format: 1
id: coin
title: Yes or no
concept: two answers
intro: Remember the reply.
hints: ["Write the reply."]
task:
  kind: text
  words:
    reply: [yes, no]
  sentences:
    rain: {text: "Did it rain ? {reply} .", role: clue, slot: 1}
    ask: {text: "So did it rain ? ___", role: question, about: rain}
  fillers: ["The sky was grey .", "We stayed in ."]
  story:
    - rain
    - {fillers: [0, 2]}
    - ask
network: {hidden: 8, slots: 1, seed: 1}
play:
  - {sentence: rain, values: {reply: no}}
  - {filler: "We stayed in ."}
  - {sentence: ask}
answer: "no"
solution:
  rules:
    - {at: clue, input: 1}
    - {at: question, output: 1}
losing:
  - name: Never write
    changes: [{at: clue, input: 0}]
"""


def uninformed(level, seq, rng, S):
    """A random gating that never writes at the steps the answer depends on (the clue word, or every
    starred number): it gives the network no information about them."""
    g = rng.random((len(seq), cells.width(level)))
    steps = [k for k, tok in enumerate(seq.tokens) if tok.role == "clue" and tok.key]
    if not LevelTask(level).numeric:
        steps = [verdict.clue_step(level, seq)]
    # an LSTM's input gate shut; a GRU's update gate at 1: the candidate that read the clue never enters
    g[steps, :S] = 1.0 if level.network.cell == "gru" else 0.0
    return g


@pytest.mark.parametrize("name", GATED)
@SLOW
@given(seed=st.integers(0, 2**32 - 1))
def test_a_gating_that_never_writes_the_clue_never_wins_on_any_shipped_level(name, seed):
    level, model = LEVELS[name], MODELS[name]
    task, seq = LevelTask(level), play_sequence(level)
    rng = np.random.default_rng(seed)
    gatings = np.stack([uninformed(level, seq, rng, level.network.slots) for _ in range(4)])
    for v in verdict.judge(level, model, task, seq, gatings):
        assert not v.wins and not v.confident and v.clear_loss, v.reason
        if task.numeric:  # the answer does not move with the stars: it tracks exactly as well as a guess
            assert v.tracking == pytest.approx(v.baseline, abs=1e-9)
        else:             # nothing the clue does reaches the answer: p(right) is the baseline itself
            assert v.p_right == pytest.approx(v.baseline, abs=1e-9)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), forget=st.floats(0, 1), output=st.floats(0, 1))
def test_in_a_two_answer_level_a_coin_flip_never_wins_whatever_the_network(seed, forget, output):
    """Untrained networks of any seed: whichever way the unwritten memory leans, it is no win."""
    level = parse_level(TWO_ANSWERS)
    task, seq = LevelTask(level), play_sequence(level)
    model = training.new_model(level, task, seed)
    g = np.full((len(seq), 3), [0.0, forget, output])
    v = verdict.judge(level, model, task, seq, g[None])[0]
    assert len(task.answers) == 2
    assert not v.wins and v.p_right == pytest.approx(v.baseline, abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(logits=st.lists(st.floats(-8, 8), min_size=6, max_size=6), k=st.integers(1, 8))
def test_the_rule_itself_wins_only_clearly_above_the_guess(logits, k):
    """The word-level rule on any network output: identical outputs on every counterfactual variant
    (an uninformed gating) never win; a win is on top and MARGIN above the baseline."""
    level = LEVELS["campaign/01-carry"]
    task, seq = LevelTask(level), play_sequence(level)
    same = np.tile(np.array(logits), (k + 1, 1))
    v = verdict._words(level, task, seq, same)
    assert not v.wins and v.clear_loss
    right = task.answer_id[seq.answer]
    informed = same.copy()
    informed[0, right] = 20.0    # sure of the right answer on the played sentence ...
    informed[1:, right] = -20.0  # ... and not at all once the clue is changed
    w = verdict._words(level, task, seq, informed)
    assert w.wins and w.p_right >= w.baseline + verdict.MARGIN and not w.clear_loss


@pytest.mark.parametrize("name", [n for n in IDS if not LevelTask(LEVELS[n]).numeric])
def test_the_counterfactual_changes_the_word_the_answer_depends_on(name):
    level = LEVELS[name]
    seq = play_sequence(level)
    step, others = verdict.counterfactual_words(level, seq)
    tok = seq.tokens[step]
    q = level.task.sentences[seq.tokens[seq.blank].sentence]
    assert tok.role == "clue" and tok.key and tok.sentence == q.about and step < seq.blank
    assert 1 <= len(others) <= verdict.COUNTERFACTUALS and tok.word not in others
    answer = (lambda v: level.task.answers[q.answer][v]) if q.answer else (lambda v: v)
    assert answer(tok.word) == seq.answer and all(answer(v) != seq.answer for v in others)


def test_long_word_lists_use_a_fixed_evenly_spread_subset():
    text = TWO_ANSWERS.replace("[yes, no]", "[" + ", ".join(f"w{k}" for k in range(20)) + "]")
    level = parse_level(text.replace("reply: no}", "reply: w3}").replace('answer: "no"', "answer: w3"))
    seq = play_sequence(level)
    step, others = verdict.counterfactual_words(level, seq)
    assert len(others) == verdict.COUNTERFACTUALS and "w3" not in others
    assert others == verdict.counterfactual_words(level, seq)[1]  # fixed, not drawn


@pytest.mark.parametrize("name", [n for n in IDS if LevelTask(LEVELS[n]).numeric])
def test_number_levels_are_judged_in_the_answers_own_units(name):
    level, model = LEVELS[name], MODELS[name]
    task, seq = LevelTask(level), play_sequence(level)
    v = verdict.judge(level, model, task, seq, solution_gating(level, seq)[None])[0]
    assert v.error <= task.tolerance and v.tracking <= task.tolerance and v.wins and v.confident
    marked, vals, truths = verdict.counterfactual_numbers(seq, level.task.kind)
    assert len(set(np.round(truths, 6))) > 1  # the truths move, so a constant answer cannot follow them


def test_check_level_reports_baseline_and_reason_for_every_strategy():
    level = LEVELS["campaign/01-carry"]
    c = training.check_level(level, MODELS["campaign/01-carry"])
    for o in [c.own, c.solution] + [o for _, o in c.losing]:
        assert o.reason.startswith("wins" if o.wins else "loses") and 0.0 <= o.baseline <= 1.0
        assert not (o.wins and o.clear_loss)
    narrow = [n for n, o in c.losing if not o.clear_loss]
    assert all(any(n in p for p in c.problems()) for n in narrow)
