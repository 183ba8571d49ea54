"""The training bar and Esc during training: the fraction a bar shows grows monotonically over steps,
stages, attempts (restarts) and a level's seeds, and never sits at one figure while steps go on; a
cancel requested between evaluations stops training within one optimiser step."""

import threading
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.controllers.training_job import CANCELLED, TrainingJob
from game.levels.catalogue import shipped
from game.levels.training import LevelProgress, train_level
from lstm_engine import FirstSymbolTask, Model, TrainConfig, TrainingCancelled, stacked_fraction, train

# -- the fraction ------------------------------------------------------------------------------------

@given(st.integers(1, 30), st.data())
def test_stacked_fraction_is_monotone_and_spans_the_bar(units, data):
    a = data.draw(st.tuples(st.integers(0, units - 1), st.floats(0, 1)))
    b = data.draw(st.tuples(st.integers(0, units - 1), st.floats(0, 1)))
    lo, hi = sorted([a, b])
    assert 0.0 <= stacked_fraction(*lo[:1], units, lo[1]) <= stacked_fraction(hi[0], units, hi[1]) <= 1.0
    assert stacked_fraction(0, units, 0.0) == 0.0
    assert abs(stacked_fraction(units - 1, units, 1.0) - 1.0) < 1e-12
    # the end of one try is the start of the next: no jump back, no gap
    for k in range(units - 1):
        assert abs(stacked_fraction(k, units, 1.0) - stacked_fraction(k + 1, units, 0.0)) < 1e-12


def test_an_unreachable_target_moves_the_bar_through_every_restart():
    """The old bar sat at (stage + accuracy) / (stages + 1/2) = 67% for hours while restarts ran: now
    every report moves it, never back, and the last attempt ends near the end of the bar."""
    task = FirstSymbolTask(lengths=(5,))
    cfg = TrainConfig(seed=1, max_steps=60, eval_every=10, batch_size=8, eval_size=32, restarts=3,
                      patience=1000, target_accuracy=1.0, advance_accuracy=1.0, target_confidence=2.0)
    seen = []
    train(Model.create("lstm", 4, 4, 4), task, cfg, progress=seen.append)
    assert {p.attempt for p in seen} == {0, 1, 2, 3} and all(p.attempts == 4 for p in seen)
    fractions = [p.fraction for p in seen]
    assert all(b > a for a, b in pairwise(fractions)), fractions  # moves at every report
    assert fractions[-1] > 0.99 and fractions[0] < 0.1
    first = [p.fraction for p in seen if p.attempt == 0]
    assert len(set(first)) == len(first)  # within one attempt too: never stuck at one figure


def level_reports(draw_runs):
    """The reports train_playable would pass on: per seed, attempts with non-decreasing progress; a
    seed ends with 'done' (trained, maybe not playable) or runs out of attempts."""
    reports = []
    seeds, attempts = draw_runs["seeds"], draw_runs["attempts"]
    for k, run in enumerate(draw_runs["runs"][:seeds]):
        used, fractions, done = run
        used = min(used, attempts)
        for a in range(used):
            for f in sorted(fractions):
                reports.append(LevelProgress(a, 1, 100, 0, 1, 5, 0.5, 0.5, None, "learning", 0.0,
                                             attempts, f, seed=k, seed_try=k, seed_tries=seeds))
        if done:
            reports.append(LevelProgress(used - 1, 2, 100, 0, 1, 5, 0.1, 1.0, None, "done", 0.0,
                                         attempts, 1.0, seed=k, seed_try=k, seed_tries=seeds))
    return reports


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({
    "seeds": st.integers(1, 5), "attempts": st.integers(1, 4),
    "runs": st.lists(st.tuples(st.integers(1, 4), st.lists(st.floats(0, 1), min_size=1, max_size=4),
                               st.booleans()), min_size=5, max_size=5)}))
def test_a_levels_bar_is_monotone_across_seeds_and_attempts(runs):
    fractions = [p.fraction for p in level_reports(runs)]
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert all(b >= a for a, b in pairwise(fractions)), fractions


# -- cancel within a step ----------------------------------------------------------------------------

class CountingTask(FirstSymbolTask):
    """Counts the batches drawn: one per optimiser step (no pool), plus the held-out sets."""

    def __init__(self):
        super().__init__(lengths=(6,))
        self.draws = 0

    def sample(self, rng, n, length=None):
        self.draws += 1
        return super().sample(rng, n, length)


def test_a_cancel_between_evaluations_lands_within_one_step():
    """The progress callback asks to cancel the way the game's Esc does (a flag set from outside, the
    callback itself answering True); the loop polls the flag before every step, so at most the step
    already running finishes, not the rest of the 25 up to the next evaluation."""
    task = CountingTask()
    flag = threading.Event()
    at_request = []

    def progress(p):
        if p.step == 25:
            flag.set()
            at_request.append(task.draws)
        return True

    cfg = TrainConfig(seed=0, max_steps=500, eval_every=25, batch_size=8, eval_size=32, restarts=0,
                      target_accuracy=1.0, advance_accuracy=1.0, target_confidence=2.0)
    try:
        train(Model.create("lstm", 4, 6, 4), task, cfg, progress=progress, stop=flag.is_set)
    except TrainingCancelled:
        pass
    else:
        raise AssertionError("training was not cancelled")
    assert at_request and task.draws - at_request[0] == 0  # not one more batch drawn after the request


@pytest.fixture(scope="module")
def carry():
    return shipped("01-carry")[1].level


def test_esc_in_a_level_training_job_stops_within_one_step(carry, monkeypatch):
    """The same through the game's TrainingJob and a real level: cancel() (what Esc calls) from the
    progress callback at the first evaluation, and count the network runs after it (each step is one
    objective call; an evaluation is one more)."""
    calls, asked, jobs = [], [], []
    original = Model.objective

    def counting(self, *args, **kwargs):
        calls.append(bool(asked))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Model, "objective", counting)

    def ensure(level, progress):
        def on_progress(p):
            progress(p)
            if not asked:
                asked.append(p.step)
                jobs[0].cancel()
            return True  # the callback itself never says stop: only the flag does
        return (*train_level(level, on_progress), "trained")

    started = threading.Event()

    def after_start(level, progress):
        started.wait(5)  # until the job below exists: the callback cancels it
        return ensure(level, progress)

    jobs.append(TrainingJob(carry, ensure=after_start))
    started.set()
    jobs[0].wait(60)
    assert jobs[0].state == CANCELLED and asked and asked[0] % 25 == 0
    assert sum(calls) == 0, f"{sum(calls)} network runs after the cancel request"


def test_polling_for_a_cancel_leaves_the_weights_bit_identical():
    task = FirstSymbolTask(lengths=(4, 6))
    cfg = TrainConfig(seed=5, max_steps=80, eval_every=20, batch_size=16, eval_size=64, restarts=1)
    plain, polled = Model.create("lstm", 4, 6, 4), Model.create("lstm", 4, 6, 4)
    train(plain, task, cfg)
    train(polled, task, cfg, progress=lambda p: True, stop=lambda: False)
    for name, p in plain.params().items():
        assert np.array_equal(p, polled.params()[name])


def test_the_terminal_bar_shows_the_overall_fraction_and_the_attempt():
    import io

    from game.progress_bar import TerminalProgress
    out = io.StringIO()
    p = LevelProgress(1, 30, 100, 0, 1, 5, 0.5, 0.5, None, "learning", 1.0, 4, 0.5,
                      seed=8, seed_try=1, seed_tries=3)
    TerminalProgress("lvl", stream=out, every_seconds=0)(p)
    line = out.getvalue()
    assert f"{p.fraction:4.0%}" in line and "seed 2 of 3" in line and "attempt 2 of 4" in line
    # seed 2's second attempt: past the whole of seed 1's segment (4/7 of the bar), short of seed 2's end
    assert 4 / 7 < p.fraction < 6 / 7
