"""Fair scores (game/session/scoring.py, docs/scoring.md), held as properties of the rules rather than
as numbers of today's shipped networks (they are retrained)."""

from __future__ import annotations

import ast
import json
import math
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_verdict import GATED, TWO_ANSWERS, uninformed

from game.controllers.results import Results
from game.levels import catalogue, training
from game.levels.generator import LevelTask
from game.levels.loader import parse_level
from game.progress import ProgressStore
from game.session import replay, scoring, scripted
from game.session.commands import UseHint
from game.session.session import PlaySession
from game.strings import t

LEVELS = {name: e.level for name, e in catalogue.shipped_entries()}
MODELS = {name: training.cached_model(level)[0] for name, level in LEVELS.items()}
IDS = sorted(LEVELS)
TWO_SLOTS = [n for n in IDS if LEVELS[n].network.slots == 2]
NUMBERS = [n for n in IDS if LEVELS[n].task.kind in ("adding", "series")]
PROPS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def session(name):
    return PlaySession(LEVELS[name], MODELS[name])


def play(name, gates, hints=0):
    s = session(name)
    for _ in range(hints):
        s.apply(UseHint(0))
    return scripted.play(s, gates)


def solution(name):
    return scripted.strategy_gates(session(name), "solution")


def nudged(name, rng, amount):
    """The solution with every gate moved towards the other end by up to `amount`, at random."""
    g = solution(name)
    return np.clip(g + (1 - 2 * g) * rng.random(g.shape) * amount, 0.0, 1.0)


# -- a decision at least as good as the network's costs nothing --------------------------------------------
@pytest.mark.parametrize("name", IDS)
@PROPS
@given(seed=st.integers(0, 2**32 - 1), amount=st.floats(0, 0.6))
def test_costs_follow_the_rule_in_both_directions(name, seed, amount):
    r = play(name, nudged(name, np.random.default_rng(seed), amount)).result()
    for d in r.decisions:
        assert d.cost >= 0.0
        assert d.cost <= max(0.0, d.effect, d.reverse) + 1e-12
        if d.effect <= 0 and d.reverse <= 0:       # at least as good as the network's, both ways
            assert d.cost == 0.0 and not (d.cost >= scoring.CRITICAL)
    if r.decisions:
        assert r.agreement == round(math.exp(-sum(d.cost for d in r.decisions)), 2)


@pytest.mark.parametrize("name", IDS)
@PROPS
@given(seed=st.integers(0, 2**32 - 1), amount=st.floats(0, 0.3))
def test_a_run_as_good_as_the_networks_pays_only_for_what_would_have_helped_it(name, seed, amount):
    """The reverse direction explains a shortfall; when there is none, only the network's values that
    would have improved the player's own run cost anything."""
    s = play(name, nudged(name, np.random.default_rng(seed), amount))
    r = s.result()
    if r.log_score >= scoring._quality(s, s.model_run.gates[None])[0][0]:
        for d in r.decisions:
            assert d.cost == pytest.approx(max(0.0, d.effect), abs=1e-12)


@given(forget=st.floats(0.0, 0.1))
@settings(max_examples=10, deadline=None)
def test_a_full_reset_is_never_the_decisive_mistake(forget):
    """07-reset: the player clears the belt fully at "Meanwhile" (the network may clear only half way)."""
    name = "campaign/07-reset"
    g = solution(name)
    step = session(name).sequence.words.index("Meanwhile")
    g[step, 1] = forget
    r = play(name, g).result()
    assert not [d for d in r.critical if d.step == step]
    assert r.correct and r.stars == 3


def test_replacing_at_the_new_clue_is_as_good_as_clearing_at_the_reset():
    """07-reset: keep the belt at "Meanwhile", then forget 0 + input 1 at Ben's country."""
    name = "campaign/07-reset"
    g = solution(name)
    words = session(name).sequence.words
    g[words.index("Meanwhile"), 1] = 1.0
    g[words.index("Germany"), 0:2] = [1.0, 0.0]
    r = play(name, g).result()
    best = play(name, solution(name)).result()
    assert r.correct and r.stars == best.stars == 3
    assert r.agreement == best.agreement


# -- slots: relabelled gatings score alike -----------------------------------------------------------------
@pytest.mark.parametrize("name", TWO_SLOTS)
@PROPS
@given(seed=st.integers(0, 2**32 - 1), amount=st.floats(0, 0.4))
def test_relabelled_slots_score_alike_whenever_both_win(name, seed, amount):
    g = nudged(name, np.random.default_rng(seed), amount)
    a = play(name, g).result()
    b = play(name, scoring.relabel(g, (1, 0), 2)).result()
    if a.correct and b.correct:
        assert a.agreement == b.agreement
        costs = [{(d.step, d.gate, d.cost) for d in r.decisions} for r in (a, b)]
        assert costs[0] == costs[1]
        assert b.total - a.total == pytest.approx(b.answer_part - a.answer_part, abs=1e-9)
        if a.confident == b.confident:
            assert a.stars == b.stars


@pytest.mark.parametrize("name", TWO_SLOTS)
def test_the_solution_with_its_slots_swapped_is_not_capped(name):
    sol = play(name, solution(name)).result()
    swapped = play(name, scoring.relabel(solution(name), (1, 0), 2)).result()
    if swapped.correct:  # the network answers it right too: it is the same gating
        # scored as the same gating relabelled (when both labellings agree equally, either may be kept)
        assert swapped.agreement == sol.agreement and swapped.relabelled in (None, (1, 0))
        assert swapped.stars == sol.stars or not swapped.confident


# -- number levels -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NUMBERS)
def test_the_textbook_solution_of_every_number_level_gets_three_stars(name):
    r = play(name, solution(name)).result()
    assert r.stars == 3 and r.outcome_points == 100 and r.agreement == 1.0 and r.total == 100.0


@pytest.mark.parametrize("name", NUMBERS)
@PROPS
@given(seed=st.integers(0, 2**32 - 1), amount=st.floats(0, 0.3))
def test_numbers_within_the_tolerance_earn_the_full_outcome(name, seed, amount):
    r = play(name, nudged(name, np.random.default_rng(seed), amount)).result()
    tol = LEVELS[name].task.tolerance
    if r.error <= tol and r.tracking <= tol and r.baseline >= r.tracking + tol:
        assert r.outcome_points == 100 and r.correct and r.confident
    # agreement is in tolerances: a swap that keeps the answer within the tolerance costs nothing
    if r.error <= tol:
        for d in r.decisions:
            assert d.effect <= 1e-12 and d.cost == 0.0


# -- the arithmetic on screen ------------------------------------------------------------------------------
def number(text):
    return Decimal(re.findall(r"−?\d+(?:\.\d+)?", text)[-1].replace("−", "-"))


@pytest.mark.parametrize("name", ["campaign/01-carry", "campaign/06-adding", "campaign/08-two-slots"])
@PROPS
@given(seed=st.integers(0, 2**32 - 1), amount=st.floats(0, 1), hints=st.integers(0, 25))
def test_the_parts_on_the_results_screen_add_up_as_displayed(name, seed, amount, hints):
    s = play(name, nudged(name, np.random.default_rng(seed), amount), hints)
    res = Results(s, name, None, None, 0)
    (_, answer), (_, agreement), (_, hint), (_, total) = res.parts()
    shown = number(answer) + number(agreement) - (abs(number(hint)) if res.score.hints else 0)
    assert number(total) == shown >= 0
    assert number(t("results.points", points=res.score.total)) == number(total)


def test_header_level_list_and_replays_show_the_same_rounded_number(tmp_path):
    name = "campaign/03-distractor"
    s = play(name, nudged(name, np.random.default_rng(4), 0.3), hints=1)
    res = Results(s, name, None, None, 0)
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        replay.save_attempt(store, "ada", s, name)
        best = store.best("ada", name)["score"]
    shown = {number(t("results.points", points=res.score.total)), number(res.parts()[-1][1]),
             number(t("level_select.best", score=best)),
             number(t("replays.attempt.label", when="", stars="", score=best))}
    assert len(shown) == 1


@pytest.mark.parametrize("assisted", [1, 5])
def test_autoplay_results_show_no_stars(assisted):
    s = play("campaign/01-carry", solution("campaign/01-carry"))
    res = Results(s, "campaign/01-carry", "ada", None, assisted)
    assert s.result().stars == 3 and res.stars == 0


# -- bounded and layered -----------------------------------------------------------------------------------
def test_scoring_runs_gatings_in_bounded_chunks(monkeypatch):
    seen = []
    s = play("campaign/10-long-haul", nudged("campaign/10-long-haul", np.random.default_rng(1), 0.5))
    run = s.model.run

    def spy(x, *a, **k):
        seen.append(x.shape[1])
        return run(x, *a, **k)

    monkeypatch.setattr(s.model, "run", spy)
    r = s.result()
    assert len(r.decisions) > scoring.CHUNK and max(seen) <= scoring.CHUNK


def test_scoring_and_session_do_not_import_each_other_in_a_circle():
    root = Path(scoring.__file__).resolve().parent

    def imports(path):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        return {n.module for n in ast.walk(tree)
                if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module}

    assert "session" not in imports(root / "scoring.py")
    assert "scoring" in imports(root / "session.py")


# -- the command line ---------------------------------------------------------------------------------------
def test_replay_verify_json_prints_one_object_per_file_with_the_recomputed_score(tmp_path, capsys):
    from game.cli import main

    files = []
    for name, strategy in [("campaign/01-carry", "solution"), ("campaign/06-adding", "losing")]:
        s = play(name, scripted.strategy_gates(session(name), strategy))
        path = tmp_path / f"{strategy}.json"
        replay.save(path, replay.make(s, name, "ada"))
        files.append((path, s.result()))
    broken = tmp_path / "broken.json"
    broken.write_text("{nope")
    code = main(["replay", "verify", *(str(p) for p, _ in files), str(broken), "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1 and len(lines) == 3
    for out, (path, r) in zip(lines, files, strict=False):
        assert out["valid"] and out["file"] == str(path)
        got = (out["answer"], out["wins"], out["stars"], out["score"])
        assert got == (r.answer, r.correct, r.stars, r.total)
        assert out["p_right"] == round(r.p_right, 6) and out["baseline"] == round(r.baseline, 6)
        parts = out["parts"]
        total = parts["answer_part"] + parts["agreement_part"] - parts["hint_part"]
        assert total == pytest.approx(out["score"])
    assert lines[1]["baseline_units"] == "error" and "tracking_error" in lines[1]
    assert lines[2] == {"file": str(broken), "valid": False, "error": lines[2]["error"]} and lines[2]["error"]


def test_levels_check_json_gives_every_strategy_its_baseline_verdict_and_reason(capsys):
    from game.cli import main

    main(["levels", "check", "campaign/01-carry", "--json"])
    out = json.loads(capsys.readouterr().out)
    rows = [out["model"], out["solution"], *out["losing"].values()]
    for row in rows:
        assert {"p_right", "baseline", "wins", "clear_loss", "verdict", "reason"} <= set(row)
        assert row["reason"].startswith("wins" if row["wins"] else "loses")
    assert out["playable"] == (not out["problems"])


@pytest.mark.parametrize("name", GATED)
@PROPS
@given(seed=st.integers(0, 2**32 - 1))
def test_a_gating_that_never_writes_the_clue_earns_no_star_and_no_outcome_points(name, seed):
    s = session(name)
    r = play(name, uninformed(s.level, s.sequence, np.random.default_rng(seed), s.S)).result()
    assert r.stars == 0 and not r.correct and r.outcome_points == 0


def test_a_right_answer_by_guessing_is_said_to_be_a_guess():
    """Two answers, an untrained network, nothing written: when its favourite happens to be right,
    the results call it a guess, with no star."""
    level = parse_level(TWO_ANSWERS)
    task = LevelTask(level)
    for seed in range(40):
        s = PlaySession(level, training.new_model(level, task, seed))
        scripted.play(s, np.tile([0.0, 1.0, 1.0], (s.T, 1)))
        res = Results(s, "coin", None, None, 0)
        if res.score.on_top:
            assert res.stars == 0 and res.headline() == t("results.headline.guess")
            return
    pytest.fail("no seed put the right answer on top")
