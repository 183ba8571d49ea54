"""A level's cost is known at validation (game/levels/cost.py) and the story order is checked structurally
(game/levels/semantics.py): exact worst cases, no sampling, nothing built for a level over a cap."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.levels import catalogue, cost, sequence
from game.levels.generator import LevelTask
from game.levels.loader import LevelError, load_level, parse_level
from game.levels.schema import TextTask

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "levels"
MINIMAL = yaml.safe_load((FIXTURES / "valid" / "minimal.yaml").read_text())
LEVELS = {name: e.level for name, e in catalogue.shipped_entries()}


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def level_from(data: dict):
    return parse_level(yaml.dump(data, Dumper=_NoAliases, sort_keys=False), "x.yaml", data["id"])


@pytest.mark.parametrize("name", sorted(LEVELS))
def test_the_worst_case_bounds_every_generated_sequence(name):
    level = LEVELS[name]
    task, longest = LevelTask(level), cost.longest_sequence(level)
    rng = np.random.default_rng(0)
    lengths = [len(task.draw(rng, max(task.default_lengths))) for _ in range(300)]
    assert max(lengths) <= longest
    assert cost.played_length(level) == len(sequence.play_sequence(level))


def test_the_worst_case_is_exact():
    data = dict(MINIMAL, task=dict(MINIMAL["task"], fillers=["It was sunny .", "sunny ."],
                                   story=["home", {"fillers": [4, 4]}, "ask"]))
    level = level_from(data)
    task = LevelTask(level)
    rng = np.random.default_rng(1)
    longest = max(len(task.draw(rng)) for _ in range(200))  # 4 fillers of 4 words come up
    assert cost.longest_sequence(level) == longest == 6 + 4 * 4 + 4


def test_a_level_over_a_cap_is_never_expanded(monkeypatch):
    def refuse(*_a, **_k):
        raise AssertionError("a sequence was built")

    monkeypatch.setattr(sequence.Builder, "filler", refuse)
    monkeypatch.setattr(sequence.Builder, "sentence", refuse)
    with pytest.raises(LevelError) as info:
        load_level(FIXTURES / "bad" / "cost-bomb.yaml")
    (problem,) = info.value.problems
    assert problem.field == "task.story" and "the cap is 500" in problem.message


# -- the story order, structurally -----------------------------------------------------------------------
ITEM = st.sampled_from([
    "home", {"sentence": "home", "probability": 0.5}, {"sentence": "home", "probability": 0.0},
    {"one_of": ["home", "other"]}, {"one_of": ["home", "home"]}, "other", {"fillers": [0, 2]},
    {"sentence": "ask", "probability": 0.5}, "ask", {"one_of": ["ask", "ask_other"]},
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ITEM, min_size=0, max_size=5))
def test_story_order_is_accepted_exactly_when_every_story_is_sound(items):
    """Accepted: no sampled story ever asks before its clue. Refused for the order: some item can ask
    about a clue not yet said (found by brute force over every choice the story makes)."""
    t = MINIMAL["task"]
    sentences = dict(t["sentences"], other=dict(t["sentences"]["home"], slot=1),
                     ask_other=dict(t["sentences"]["ask"], about="other"))
    story = list(items) + ["ask"]
    data = dict(MINIMAL, task=dict(t, sentences=sentences, story=story, answers={
        "language": {"France": "French", "Spain": "Spanish"}}))
    try:
        level_from(data)
        refused = None
    except LevelError as exc:
        refused = [p.message for p in exc.problems]
    sound = _every_story_sound(story)
    if sound:
        assert refused is None or not any("every story must say the clue" in m for m in refused), refused
    else:
        assert refused and any("every story must say the clue" in m for m in refused)


def _every_story_sound(story) -> bool:
    """Brute force: every combination of present/absent items and one_of choices."""
    def names(item):
        if isinstance(item, str):
            return [[item]]
        if "fillers" in item:
            return [[]]
        if "one_of" in item:
            return [[n] for n in item["one_of"]]
        p = item["probability"]
        return ([[item["sentence"]]] if p > 0 else []) + ([[]] if p < 1 else [])

    about = {"ask": "home", "ask_other": "other"}
    paths = [set()]
    for item in story:
        nxt = []
        for said in paths:
            for choice in names(item):
                if any(n in about and about[n] not in said for n in choice):
                    return False
                nxt.append(said | {n for n in choice if n in ("home", "other")})
        paths = nxt
    return True


# -- the caps are documented -------------------------------------------------------------------------------
def test_docs_name_every_cap():
    docs = (ROOT / "docs" / "levels.md").read_text()
    section = docs[docs.index("## How big a level may be"):]
    for value in (cost.MAX_LONGEST, cost.MAX_PLAYED, cost.MAX_VOCABULARY, cost.MAX_TRAINING_WORK,
                  cost.MAX_ONE_PASS, cost.MAX_SCORING_WORK):
        assert f"{value:,.0f}" in section, value
    for size in (cost.MAX_TRAINING_DATA, cost.MAX_SCORING_MEMORY):
        assert f"{size // 2**20} MiB" in section


def test_campaign_levels_are_well_inside_the_caps():
    for name, level in LEVELS.items():
        c = cost.cost(level)
        assert not cost.over_caps(level), name
        # the longest play, 22-lag-300's 305 words, scores in 0.64 s at 14% of the scoring cap
        assert c.training_work <= cost.MAX_TRAINING_WORK / 2 and c.scoring_work <= cost.MAX_SCORING_WORK / 6
        if isinstance(level.task, TextTask):
            assert c.answers >= 2 and re.fullmatch(r"campaign/\d\d-[a-z0-9-]+", name)


# -- rules are applied per rule at once (sequence.apply_rules): the same as cell by cell ---------------------
def _cell_by_cell(values, seq, rules, slots):
    for rule in rules:
        for k, tok in enumerate(seq.tokens):
            if not sequence.selects(rule, k, tok):
                continue
            if rule.slot is not None:
                chosen = [rule.slot - 1]
            elif tok.slot is not None and (rule.at in ("clue", "question") or rule.sentence is not None):
                chosen = [tok.slot]
            else:
                chosen = list(range(slots))
            for gate, g in sequence.GATE_INDEX.items():
                v = getattr(rule, gate)
                if v is not None:
                    for s in chosen:
                        values[k, g * slots + s] = v


TWO_SLOTS = LEVELS["campaign/08-two-slots"]
SELECTOR = st.one_of(
    st.fixed_dictionaries({"at": st.sampled_from(["clue", "distractor", "reset", "question", "every"])}),
    st.fixed_dictionaries({"sentence": st.sampled_from(sorted(TWO_SLOTS.task.sentences))}),
    st.fixed_dictionaries({"word": st.sampled_from(sequence.play_sequence(TWO_SLOTS).words)}),
    st.fixed_dictionaries({"step": st.integers(1, len(sequence.play_sequence(TWO_SLOTS)))}))
GATE = st.one_of(st.none(), st.sampled_from([0.0, 0.25, 1.0]))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(SELECTOR, GATE, GATE, GATE, st.sampled_from([None, 1, 2])), min_size=1, max_size=6))
def test_rules_set_the_same_cells_as_one_by_one(specs):
    from game.levels.schema import Rule

    rules = [Rule(**sel, forget=f, input=i if (f, i, o) != (None, None, None) else 0.5, output=o, slot=s)
             for sel, f, i, o, s in specs]
    seq = sequence.play_sequence(TWO_SLOTS)
    fast = sequence.solution_gating(TWO_SLOTS, seq)
    slow = fast.copy()
    sequence.apply_rules(fast, seq, rules, 2)
    _cell_by_cell(slow, seq, rules, 2)
    assert np.array_equal(fast, slow)
