"""The class view (game/classroom/class_view.py): per word, gate and slot, the class's spread against the
network's own value, and the words the class got most wrong — from real, re-simulated replays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.classroom.class_view import BINS, class_view, resimulate
from game.levels import catalogue, training
from game.session import replay, scripted
from game.session.gates import GATES
from game.session.session import PlaySession

LEVELS = {name: e.level for name, e in catalogue.shipped_entries()}


@dataclass
class Level:
    """Stands for a challenge's level: the fields class_view reads."""

    id: str

    @property
    def title(self):
        return self.level.title

    @property
    def level(self):
        return LEVELS[self.id]

    def model(self):
        return training.cached_model(self.level)[0]


@dataclass(frozen=True)
class Attempt:
    """Stands for a VerifiedAttempt: class_view reads only its canonical replay."""

    replay: dict


def attempt(name: str, gates: np.ndarray, player: str = "ada") -> Attempt:
    lv = Level(name)
    s = scripted.play(PlaySession(lv.level, lv.model()), gates)
    return Attempt(replay.make(s, name, player).model_dump(mode="json"))


def strategy(name: str, which: str, losing_index: int = 0) -> np.ndarray:
    lv = Level(name)
    return scripted.strategy_gates(PlaySession(lv.level, lv.model()), which, losing_index).copy()


def network(name: str) -> np.ndarray:
    lv = Level(name)
    return PlaySession(lv.level, lv.model()).model_run.gates.copy()


def strip(view, step, gate, slot=0):
    return next(g for g in view["steps"][step]["gates"] if g["gate"] == gate and g["slot"] == slot)


def test_a_class_that_plays_the_networks_own_gates_got_nothing_wrong():
    name = "campaign/01-carry"
    net = network(name)
    view = class_view(Level(name), [attempt(name, net, p) for p in ("ada", "bo", "cy")])
    assert view["attempts"] == 3 and view["skipped"] == 0 and view["most_wrong"] == []
    assert len(view["steps"]) == len(view["words"]) == net.shape[0]
    for k, step in enumerate(view["steps"]):
        assert step["miss"] == 0 and step["distance"] == 0
        for g in step["gates"]:
            value = net[k, GATES.index(g["gate"])]
            assert g["network"] == pytest.approx(value, abs=1e-4)
            assert g["quartiles"] == [pytest.approx(value, abs=1e-4)] * 5 and sum(g["counts"]) == 3


def test_the_word_where_the_class_wiped_the_memory_ranks_first_with_its_spread():
    """Three students keep the network's gates but forget everything at one word; one plays the
    network's own run. The spread at that word shows three at 0 and one at the network's value."""
    name = "campaign/01-carry"
    net = network(name)
    k = 7  # "Forget on the way": step 8 of the level
    wiped = net.copy()
    f = GATES.index("forget")
    wiped[k, f] = 0.0
    view = class_view(Level(name), [attempt(name, wiped, p) for p in ("ada", "bo", "cy")]
                      + [attempt(name, net, "dee")])
    assert view["most_wrong"] == [k]
    forget = strip(view, k, "forget")
    assert forget["counts"][0] == 3 and sum(forget["counts"]) == 4 and forget["far"] == 3
    assert forget["quartiles"][0] == 0 and forget["quartiles"][-1] == pytest.approx(net[k, f], abs=1e-4)
    assert forget["distance"] == pytest.approx(0.75 * net[k, f], abs=1e-3)
    assert view["steps"][k]["miss"] > 0
    assert view["steps"][k]["miss"] == pytest.approx(forget["miss"], abs=1e-3)
    assert strip(view, k, "input")["distance"] == 0 and strip(view, k + 1, "forget")["distance"] == 0


def test_a_harmless_difference_ranks_below_one_that_cost_the_answer():
    """Everyone also sets a gate differently at another word; it changes nothing the answer needs, so
    it is further from the network yet ranks below the wipe that cost the answer."""
    name = "campaign/01-carry"
    net = network(name)
    f, o = GATES.index("forget"), GATES.index("output")
    wiped = net.copy()
    wiped[7, f] = 0.0
    harmless = 0  # the first word: the memory is still empty, so forgetting or reading it changes nothing
    wiped[harmless, o] = 1.0 - net[harmless, o]
    wiped[harmless, f] = 0.0
    view = class_view(Level(name), [attempt(name, wiped, p) for p in ("ada", "bo")])
    assert view["steps"][harmless]["distance"] > view["steps"][7]["distance"]
    assert view["steps"][harmless]["miss"] < view["steps"][7]["miss"]
    out = strip(view, harmless, "output")  # far from the network, yet next to nothing for the answer
    assert out["distance"] > 0.5 and out["miss"] < 0.01 * view["steps"][7]["miss"]
    assert view["most_wrong"][0] == 7


def test_real_losing_strategies_point_at_the_step_they_break():
    name = "campaign/01-carry"
    losers = [attempt(name, strategy(name, "losing", 1), p) for p in ("ada", "bo")]
    winner = attempt(name, strategy(name, "solution"), "cy")
    view = class_view(Level(name), losers + [winner])
    assert view["most_wrong"][0] == 7  # changes: [{step: 8, forget: 0}]
    assert strip(view, 7, "forget")["counts"][0] >= 2


def test_two_slot_levels_have_a_strip_per_gate_and_slot_and_swapped_slots_read_alike():
    name = "campaign/09-keys-and-phone"
    sol = strategy(name, "solution")
    S = 2
    swapped = sol.copy()
    for g in range(3):
        swapped[:, [g * S, g * S + 1]] = sol[:, [g * S + 1, g * S]]
    a = class_view(Level(name), [attempt(name, sol)])
    b = class_view(Level(name), [attempt(name, swapped)])
    assert a["slots"] == 2 and len(a["steps"][0]["gates"]) == 6
    assert [s["distance"] for s in a["steps"]] == pytest.approx([s["distance"] for s in b["steps"]], abs=1e-6)


def test_unplayable_replays_are_skipped_and_counted():
    name = "campaign/01-carry"
    good = attempt(name, network(name))
    bad = Attempt({**good.replay, "history": [{"type": "nonsense"}]})
    unfinished = Attempt({**good.replay, "history": good.replay["history"][:3]})
    view = class_view(Level(name), [good, bad, unfinished, {"replay": good.replay}])
    assert view["attempts"] == 2 and view["skipped"] == 2
    with pytest.raises(ValueError, match="replay"):
        resimulate(Level(name).level, Level(name).model(), Attempt({"history": "x"}))


def test_an_empty_class_has_the_networks_values_and_no_spread():
    name = "campaign/01-carry"
    view = class_view(Level(name), [])
    assert view["attempts"] == 0 and view["most_wrong"] == []
    g = strip(view, 0, "input")
    assert g["quartiles"] == [] and g["counts"] == [0] * BINS and g["mean"] is None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=4))
def test_the_spread_is_what_the_students_set(seeds):
    """Any class of random gatings: each strip counts every student once, its quartiles are ordered and
    its distance is the mean distance of the gates the students actually set from the network's."""
    name = "campaign/01-carry"
    net = network(name)
    tables = [np.random.default_rng(s).random(net.shape) for s in seeds]
    view = class_view(Level(name), [attempt(name, g, f"p{i}") for i, g in enumerate(tables)])
    played = np.stack(tables)
    assert view["attempts"] == len(seeds)
    for k, step in enumerate(view["steps"]):
        assert step["miss"] >= 0
        for g in step["gates"]:
            col = GATES.index(g["gate"])
            assert sum(g["counts"]) == len(seeds) and g["quartiles"] == sorted(g["quartiles"])
            assert g["distance"] == pytest.approx(np.abs(played[:, k, col] - net[k, col]).mean(), abs=1e-3)
            assert g["far"] == int((np.abs(played[:, k, col] - net[k, col]) > 0.25).sum())
    assert all(view["steps"][k]["distance"] > 0 for k in view["most_wrong"])
