"""The screens' logic without a window: play controls, autoplay, level select, settings, profiles,
training jobs, results. (Everything here runs with pygame never imported.)"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from game.controllers.autoplay import DECIDE_SECONDS, READ_SECONDS, Autoplay
from game.controllers.level_select import LevelSelect, rows_for
from game.controllers.menu import Item, Menu
from game.controllers.play import PRESETS, STEP_SECONDS, PlayController
from game.controllers.profiles import NameField, Profiles
from game.controllers.results import Results
from game.controllers.settings import Settings
from game.controllers.training_job import CANCELLED, DONE, FAILED, TrainingJob
from game.levels.catalogue import shipped
from game.levels.generator import LevelTask
from game.levels.loader import load_packs
from game.levels.training import ensure_model
from game.progress import ProgressStore
from game.session.scripted import strategy_gates
from game.session.session import GATES, PlaySession
from game.ui.actions import Act, Input
from lstm_engine import EngineError, TrainingCancelled


@pytest.fixture(scope="module")
def carry():
    _, entry = shipped("01-carry")
    model, _, _ = ensure_model(entry.level)
    return entry.level, model


def controller(carry, **settings):
    level, model = carry
    return PlayController(PlaySession(level, model), Settings(**settings))


def press(ctl, *acts):
    for a in acts:
        ctl.handle(a if isinstance(a, Input) else Input(a))


# -- the play controller ---------------------------------------------------------------------------------
def test_keys_choose_a_gate_adjust_it_within_0_and_1_and_presets_set_the_whole_slot(carry):
    ctl = controller(carry)
    assert ctl.snapshot.gates[0] == {"forget": 1.0, "input": 0.0, "output": 0.0}
    press(ctl, Act.DOWN)  # forget -> input
    press(ctl, Act.INCREASE, Act.INCREASE, Act.RIGHT)
    assert ctl.snapshot.gates[0]["input"] == pytest.approx(0.3)
    press(ctl, Act.SET_MAX, Act.INCREASE)  # already fully open: no change, no history entry
    n = len(ctl.session.history)
    press(ctl, Act.INCREASE)
    assert ctl.snapshot.gates[0]["input"] == 1.0 and len(ctl.session.history) == n
    press(ctl, Act.UP, Act.SET_MIN)  # forget shut
    assert ctl.snapshot.gates[0]["forget"] == 0.0
    for act, values in PRESETS.items():
        press(ctl, act)
        assert ctl.snapshot.gates[0] == values
    press(ctl, Act.UNDO)
    assert ctl.snapshot.gates[0] == PRESETS[Act.ERASE]
    press(ctl, Act.REDO)
    assert ctl.snapshot.gates[0] == PRESETS[Act.REVEAL]


def test_stepping_animates_unless_reduced_motion_and_the_snapshot_follows_the_history(carry):
    ctl = controller(carry)
    before = ctl.snapshot
    press(ctl, Act.WRITE, Act.STEP)
    assert ctl.session.step == 1 and ctl.anim is not None and ctl.anim.before.step == 0
    assert ctl.snapshot.step == 1 and ctl.snapshot is not before
    np.testing.assert_array_equal(ctl.snapshot.c_prev, ctl.anim.before.c)  # the belt carries it on
    ctl.update(STEP_SECONDS / 2)
    assert 0.4 < ctl.anim.progress < 0.6
    ctl.update(STEP_SECONDS)
    assert ctl.anim is None
    still = controller(carry, reduced_motion=True)
    press(still, Act.STEP)
    assert still.session.step == 1 and still.anim is None


def test_the_snapshot_is_the_real_network_run_with_the_players_gates(carry):
    level, model = carry
    ctl = controller(carry)
    press(ctl, Act.WRITE, Act.STEP, Act.KEEP, Act.STEP)
    snap = ctl.snapshot
    h, c = ctl.session.memory()
    np.testing.assert_array_equal(snap.c, c)
    np.testing.assert_array_equal(snap.h, h)
    assert snap.says == (tuple(ctl.session.memory_says(3)),)  # one slot: the whole memory
    assert snap.prediction is None  # the blank is not reached yet


def test_leaving_needs_esc_twice_within_a_few_seconds_and_help_is_not_a_controller_concern(carry):
    ctl = controller(carry)
    press(ctl, Act.BACK)
    assert not ctl.left and "Esc again" in ctl.message
    ctl.update(5.0)
    press(ctl, Act.BACK)
    assert not ctl.left  # too late: armed again instead
    press(ctl, Act.BACK)
    assert ctl.left


def test_errors_become_messages_not_exceptions(carry):
    ctl = controller(carry)
    press(ctl, Act.UNDO)
    assert ctl.message == "Nothing to undo." and ctl.session.history == []


def test_dragging_a_slider_previews_and_commits_one_action_on_release(carry):
    ctl = controller(carry)
    for v in (0.1, 0.35, 0.7, 0.82):
        ctl.drag_to(0, "input", v)
    assert ctl.gate_value(0, "input") == 0.82 and ctl.session.history == []
    ctl.release()
    assert len(ctl.session.history) == 1 and ctl.snapshot.gates[0]["input"] == 0.82


def test_hints_are_counted_once_per_word_and_show_the_models_gates(carry):
    ctl = controller(carry)
    press(ctl, Act.HINT, Act.HINT, Act.HINT)  # the level's words first, then the network's gates
    assert ctl.session.state.hints == 1 and ctl.hint is not None
    proposal = ctl.session.model.cell.stepper().proposal(
        int(ctl.session.inputs[0]), np.zeros((1, 16)), np.zeros((1, 16))
    )
    assert ctl.hint["input"][0] == pytest.approx(float(proposal["i"][0][0]))
    press(ctl, Act.STEP)
    assert ctl.hint is None


def test_h_shows_the_levels_next_text_hint_first_for_free_then_the_networks_gates(carry):
    level, _ = carry
    ctl = controller(carry)
    for k, text in enumerate(level.hints):
        press(ctl, Act.HINT)  # the first H at a word: the level's next hint, free and not recorded
        assert ctl.text_hint == text and ctl.text_hints_read == k + 1 and ctl.hint is None
        assert ctl.session.state.hints == k and f"hint {k + 1} of {len(level.hints)}" in ctl.message
        press(ctl, Act.HINT)  # again at the same word: the network's gates from the player's memory
        assert ctl.hint is not None and ctl.session.state.hints == k + 1
        press(ctl, Act.STEP)
        assert ctl.hint is None and ctl.text_hint == text  # the level's words stay on screen
    press(ctl, Act.HINT)  # every text hint read: H goes straight to the network's gates
    assert ctl.hint is not None and ctl.session.state.hints == len(level.hints) + 1
    assert ctl.text_hint == level.hints[-1]


def test_each_slot_says_what_the_network_would_answer_if_it_alone_were_revealed():
    """Two slots holding different things: each slot is decoded on its own, and the slot a question asks
    about says exactly what the network answers when the player reveals that slot alone."""
    _, entry = shipped("08-two-slots")
    model, _, _ = ensure_model(entry.level)
    ctl = PlayController(PlaySession(entry.level, model), Settings(reduced_motion=True))
    s = ctl.session
    gates = strategy_gates(s, "solution")
    keys_at = next(k for k, tok in enumerate(s.sequence.tokens) if tok.sentence == "keys" and tok.key)
    phone_at = next(k for k, tok in enumerate(s.sequence.tokens) if tok.sentence == "phone" and tok.key)
    while s.step < s.sequence.blank:
        for slot in range(s.S):
            s.set_gates(slot, **{g: float(gates[s.step, k * s.S + slot]) for k, g in enumerate(GATES)})
        s.advance()
    says = ctl.snapshot.says
    assert len(says) == 2
    assert says[0][0][0] == s.sequence.words[keys_at] and says[1][0][0] == s.sequence.words[phone_at]
    for slot in range(s.S):
        s.set_gates(slot, **{g: float(gates[s.step, k * s.S + slot]) for k, g in enumerate(GATES)})
    asked = s.sequence.tokens[s.sequence.blank].slot
    answer = ctl.snapshot.prediction
    assert ctl.snapshot.says[asked][0] == answer.top[0] and answer.predicted == s.sequence.answer


def test_autoplay_plays_the_models_gating_beat_by_beat_and_any_gate_key_takes_over(carry):
    ctl = controller(carry, reduced_motion=True)
    press(ctl, Act.AUTOPLAY)
    assert ctl.autoplay is not None and ctl.autoplay.strategy == "model"
    want = strategy_gates(ctl.session, "model")
    for _ in range(3):  # three words: decide, then read
        ctl.update(DECIDE_SECONDS + 1e-9)
        ctl.update(READ_SECONDS + 1e-9)
    assert ctl.session.step == 3
    np.testing.assert_allclose(ctl.session.state.gates[:3], want[:3], atol=1e-4)
    assert ctl.steps_assisted == 3
    press(ctl, Act.PAUSE)
    ctl.update(10.0)
    assert ctl.session.step == 3
    press(ctl, Act.KEEP)  # take over
    assert ctl.autoplay is None and "taken over" in ctl.message
    assert ctl.snapshot.gates[0] == PRESETS[Act.KEEP]


def test_autoplay_speed_scales_time():
    gates = np.zeros((4, 3))
    a = Autoplay("solution", gates, speed=4.0)

    class FakeSession:
        step, S, finished = 0, 1, False

        def current_gates(self, slot):
            return {"input": 0.0, "forget": 0.0, "output": 0.0}

    s = FakeSession()
    assert a.update(DECIDE_SECONDS / 4 * 0.9, s) == []
    assert a.update(DECIDE_SECONDS / 4 * 0.2, s) == [] and a.decided_step == 0  # decided: nothing to change
    assert a.update(READ_SECONDS / 4 + 1e-9, s)[0].type == "advance"


def test_a_keyboard_solution_wins_and_results_save_the_attempt_with_its_replay(carry, tmp_path):
    level, model = carry
    ctl = controller(carry, reduced_motion=True)
    gates = strategy_gates(ctl.session, "solution")
    S = ctl.session.S
    while not ctl.session.finished:
        t = ctl.session.step
        for g, name in enumerate(GATES):
            ctl.set_gate(0, name, gates[t, g * S])
        press(ctl, Act.STEP)
    assert ctl.finished
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        res = Results(ctl.session, "campaign/01-carry", "ada", store, ctl.steps_assisted)
        assert res.won and res.saved is not None
        assert store.best("ada", "campaign/01-carry")["wins"] == 1
        assert store.replay(res.saved) is not None
        watched = Results(ctl.session, "campaign/01-carry", "ada", store, assisted=3)
        assert watched.saved is None and "not counted" in watched.notice
        assert store.best("ada", "campaign/01-carry")["attempts"] == 1
    parts = dict(res.parts())
    assert parts["Score"] == f"{res.score.total:.1f}"


def test_results_survive_a_store_that_cannot_save(carry):
    ctl = controller(carry, reduced_motion=True)
    while not ctl.session.finished:
        press(ctl, Act.STEP)

    class Broken:
        def record_attempt(self, *a, **k):
            from game.progress import StoreError

            raise StoreError("the disk is full")

    res = Results(ctl.session, "campaign/01-carry", "ada", Broken(), 0)
    assert res.saved is None and "disk is full" in res.notice and not res.won


# -- menus, settings, profiles ------------------------------------------------------------------------------
def test_menu_focus_skips_disabled_items_and_wraps():
    m = Menu([Item("a", "A", enabled=False), Item("b", "B"), Item("c", "C")])
    assert m.focused.key == "b"
    m.move(1)
    assert m.focused.key == "c"
    m.move(1)
    assert m.focused.key == "b"
    m.point(0)
    assert m.focused.key == "b" and m.choose() == "b"


def test_settings_from_damaged_storage_fall_back_to_defaults():
    assert Settings.from_dict(None) == Settings()
    s = Settings.from_dict({"reduced_motion": "yes", "autoplay_speed": 3.0, "show_numbers": False, "x": 1})
    assert s == Settings(show_numbers=False)
    assert Settings.from_dict(Settings(autoplay_speed=4.0).to_dict()).autoplay_speed == 4.0
    assert Settings().faster(1).faster(1).faster(1).autoplay_speed == 4.0
    assert Settings().faster(-1).faster(-1).autoplay_speed == 0.5


def test_a_new_player_name_is_checked_before_it_is_used():
    f = NameField()
    f.type("  ")
    assert f.submit() is None and f.error
    f.type("Ada\x07")
    assert f.text == "  Ada" and f.submit() == "Ada"
    f.type("x" * 100)
    assert len(f.text) == 40
    p = Profiles([], None)
    assert p.typing and not p.cancel_new()  # nobody to go back to
    p = Profiles(["ada", "bo"], "bo")
    assert p.menu.focused.key == "bo" and not p.typing


# -- level select --------------------------------------------------------------------------------------------
def test_levels_unlock_one_after_another_and_broken_files_are_listed(tmp_path):
    from game import paths

    packs = load_packs(paths.levels_dir())
    rows = rows_for(packs, {})
    assert rows[0].playable and all(r.locked for r in rows[1:])
    won = {"score": 90.0, "stars": 3, "attempts": 1, "wins": 1, "last_played": "x"}
    lost = {"score": 10.0, "stars": 0, "attempts": 2, "wins": 0, "last_played": "x"}
    rows = rows_for(packs, {"campaign/01-carry": won, "campaign/02-keep": lost})
    assert [r.locked for r in rows[:4]] == [False, False, True, True]
    assert rows[0].stars == 3
    assert not any(r.locked for r in rows_for(packs, {}, unlock_all=True))
    sel = LevelSelect(rows)
    assert sel.focused.ref == "campaign/02-keep"  # the first level not yet won
    assert sel.next_after("campaign/01-carry").ref == "campaign/02-keep"
    assert sel.next_after(rows[-1].ref) is None
    own = tmp_path / "mine"
    own.mkdir()
    (own / "pack.yaml").write_text("format: 1\ntitle: Mine\norder: [good, broken]\n")
    (own / "good.yaml").write_text(
        (paths.levels_dir() / "campaign" / "01-carry.yaml").read_text().replace("id: 01-carry", "id: good")
    )
    (own / "broken.yaml").write_text("format: 1\nid: broken\ntitle: [oops\n")
    rows = rows_for(load_packs(tmp_path), {}, prefix="user:")
    good, broken = rows
    assert good.ref == "user:mine/good" and good.playable
    assert broken.level is None and not broken.playable and "broken.yaml:3" in broken.error
    assert LevelSelect(rows, "user:mine/broken").choose() is None


# -- training in the background -----------------------------------------------------------------------------
class FakeProgress:
    fraction = 0.5


def test_a_training_job_reports_progress_and_cancel_stops_it(carry):
    level, model = carry
    started = threading.Event()

    def slow(level, progress):
        while progress(FakeProgress()):
            started.set()
        raise TrainingCancelled("stopped")

    job = TrainingJob(level, ensure=slow)
    assert started.wait(5)
    assert job.trained and job.fraction == 0.5 and job.state == "running"
    job.cancel()
    job.wait(5)
    assert job.state == CANCELLED

    done = TrainingJob(level, ensure=lambda level, progress: (model, None, "cached"), background=False)
    assert done.state == DONE and done.model is model and done.fraction == 1.0

    def broken(level, progress):
        raise EngineError("weights do not fit")

    failed = TrainingJob(level, ensure=broken, background=False)
    assert failed.state == FAILED and "weights do not fit" in failed.error and level.id in failed.error


def test_building_training_data_reports_progress_and_cancel_stops_it_at_once(carry):
    """A pool far too big to finish: progress arrives while it is built, and cancel ends the build
    (the engine is never reached)."""
    level, _ = carry
    seen = []

    def build(level, progress):
        task = LevelTask(level)
        task.sample(np.random.default_rng(0), 10**6, max(task.default_lengths))
        raise AssertionError("the build was not cancelled")

    job = TrainingJob(level, ensure=build)
    for _ in range(1000):  # until two reports arrived
        if job.building is not None:
            seen.append(job.building.done)
        if len(set(seen)) >= 2:
            break
        job.wait(0.01)
    assert len(set(seen)) >= 2 and job.building_data and job.trained
    assert 0 < job.building.fraction < 1 and job.building.total == 2 * 10**6
    job.cancel()
    job.wait(10)
    assert job.state == CANCELLED
    assert job.building.done < job.building.total


@pytest.mark.parametrize("failure", [RuntimeError("boom"), MemoryError(), AssertionError("a bug")])
def test_any_failure_in_the_worker_is_a_failed_job_never_a_hang(carry, failure):
    level, _ = carry

    def broken(level, progress):
        raise failure

    job = TrainingJob(level, ensure=broken)
    job.wait(10)
    assert job.state == FAILED and type(failure).__name__ in job.error and level.id in job.error


def test_a_failure_while_real_training_data_is_built_fails_the_job(carry, monkeypatch, tmp_path):
    level, _ = carry
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path))
    untrained = level.model_copy(update={"network": level.network.model_copy(update={"seed": 4242})})
    calls = []

    def draw(self, rng, length=None):
        calls.append(1)
        if len(calls) > 50:
            raise KeyError("a generator bug")
        return original(self, rng, length)

    original = LevelTask.draw
    monkeypatch.setattr(LevelTask, "draw", draw)
    job = TrainingJob(untrained, background=False)
    assert job.state == FAILED and "KeyError" in job.error and "a generator bug" in job.error


# -- the comparison ------------------------------------------------------------------------------------------
def test_what_if_on_the_decisive_step_of_a_losing_run_flips_the_answer_and_a_harmless_step_does_not(carry):
    from game.controllers.compare import Comparison
    from game.session.scripted import play

    level, model = carry
    s = play(PlaySession(level, model), strategy_gates(PlaySession(level, model), "losing", 0))  # never write
    c = Comparison(s)
    assert not c.score.correct
    clue = next(k for k, t in enumerate(s.sequence.tokens) if t.role == "clue" and t.key)
    assert c.decisive == [clue] and c.selected == clue  # the screen opens on the decisive step
    assert c.weights[clue] == max(c.weights) > 0.69
    assert c.swap().outcome.wins and c.flips is True
    c.reset()
    assert c.whatif is None
    harmless = clue + 3
    c.select(harmless)
    assert c.swap().outcome.wins is False and c.flips is False
    c.select(0)
    assert c.swap(from_here=True).outcome.wins  # the network's gates from the start win
    c.select(0)
    c.jump_decisive(1)
    assert c.selected == clue
    mine, its = c.gates_at(clue, "player")[0], c.gates_at(clue, "model")[0]
    assert mine["input"] == 0.0 and its["input"] > 0.5
    np.testing.assert_array_equal(c.player_c[-1], s.memory()[1])
