"""The game window, headless (SDL dummy drivers): every scene, every campaign level, full keyboard
play-throughs, golden screenshots and the headless demo command.

Golden screenshots live in tests/golden/; after an intended visual change, regenerate them with
GATEKEEPER_UPDATE_GOLDEN=1 python -m pytest tests/test_ui_game.py and look at them before committing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pygame
import pytest

from game import paths
from game.controllers.play import SHOWN_GATES
from game.levels.catalogue import shipped_entries
from game.levels.training import ensure_model
from game.session.scripted import strategy_gates
from game.session.session import GATES
from game.ui import theme
from game.ui.app import App
from game.ui.launch import level_row
from game.ui.screens.play import PlayScene
from game.ui.screens.title import TitleScene

DT = 1 / 60
GOLDEN = Path(__file__).parent / "golden"
TOLERANCE = 24  # per channel, out of 255: anti-aliasing may differ a little between machines
MAX_PIXELS = 400  # differing pixels allowed in a 1280x720 screenshot


@pytest.fixture
def user_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def app(user_dirs):
    a = App(size=(1280, 720))
    a.stack.push(TitleScene(a))
    yield a
    a.close()


class Keys:
    """Synthetic keyboard input, one frame per event, as a person at the keyboard would produce it."""

    def __init__(self, app: App):
        self.app = app

    def press(self, key, mod=0, unicode="", n=1):
        for _ in range(n):
            self.app.frame(
                [pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=unicode, scancode=0)], DT
            )

    def type(self, text: str):
        self.app.frame([pygame.event.Event(pygame.TEXTINPUT, text=text)], DT)

    def frames(self, n: int):
        for _ in range(n):
            self.app.frame([], DT)

    def until(self, name: str, limit: int = 2000):
        for _ in range(limit):
            if self.app.stack.top is not None and self.app.stack.top.name == name:
                return self.app.stack.top
            self.app.frame([], DT)
        raise AssertionError(f"never reached {name}: stack {self.app.stack.names()}")

    @property
    def top(self):
        return self.app.stack.top


def headless_env(tmp_path) -> dict:
    """The environment of a command-line run without a display and with its own user folders."""
    return dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy",
                GATEKEEPER_DATA_DIR=str(tmp_path / "data"), GATEKEEPER_CACHE_DIR=str(tmp_path / "cache"))


def new_player(keys: Keys, name: str = "Ada"):
    assert keys.top.name == "title" and keys.top.menu.focused.key == "campaign"  # no player: no Continue
    keys.press(pygame.K_RETURN)  # "Campaign" asks who is playing first…
    assert keys.top.name == "profiles" and keys.top.typing
    keys.type(name)
    keys.press(pygame.K_RETURN)
    assert keys.app.player == name and keys.top.name == "level_select"  # …then goes on to the campaign
    keys.press(pygame.K_ESCAPE)
    assert keys.top.name == "title"


def gate_by_keys(keys: Keys, gates: np.ndarray) -> None:
    """Play a whole gating on the play screen with keys only: slot digits, ↑↓ to a gate, Home/End and
    ← → to its value, Space to read the word."""
    scene = keys.top
    S = scene.session.S
    while not scene.session.finished:
        t = scene.session.step
        for slot in range(S):
            keys.press(pygame.K_1 + slot)
            for gate in SHOWN_GATES:
                target = float(gates[t, GATES.index(gate) * S + slot])
                while SHOWN_GATES[scene.ctl.gate] != gate:
                    keys.press(pygame.K_DOWN)
                keys.press(pygame.K_HOME)
                keys.press(pygame.K_RIGHT, n=int(round(target * 10)))
        keys.press(pygame.K_SPACE)


def check_golden(surface, name: str) -> None:
    path = GOLDEN / f"{name}.png"
    shot = pygame.surfarray.array3d(surface).astype(int)
    if os.environ.get("GATEKEEPER_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        pygame.image.save(surface, str(path))
        return
    assert path.exists(), f"no golden screenshot {path}; make it with GATEKEEPER_UPDATE_GOLDEN=1"
    ref = pygame.surfarray.array3d(pygame.image.load(str(path))).astype(int)
    assert shot.shape == ref.shape, f"{name}: size {shot.shape[:2]} != golden {ref.shape[:2]}"
    differ = (np.abs(shot - ref) > TOLERANCE).any(axis=2)
    n = int(differ.sum())
    if n > MAX_PIXELS:
        xs, ys = np.nonzero(differ)
        failed = GOLDEN.parent / f"golden-failed-{name}.png"
        pygame.image.save(surface, str(failed))
        raise AssertionError(
            f"{name}: {n} pixels differ by more than {TOLERANCE} (allowed {MAX_PIXELS}), "
            f"in x {xs.min()}..{xs.max()}, y {ys.min()}..{ys.max()}; this run's image: {failed}"
        )


# -- every scene -----------------------------------------------------------------------------------------
def test_every_scene_runs_and_the_keyboard_reaches_all_of_them(app):
    keys = Keys(app)
    keys.frames(3)
    new_player(keys)
    keys.press(pygame.K_F1)
    assert app.stack.names() == ["title", "help"]
    keys.frames(3)
    keys.press(pygame.K_ESCAPE)
    keys.press(pygame.K_DOWN, n=5)  # continue, campaign, join a class, teacher, player, settings
    keys.press(pygame.K_RETURN)
    assert keys.top.name == "settings"
    keys.press(pygame.K_RIGHT)  # UI scale 125%: as much as fits a 1280×720 window with 960×600 of room
    assert app.settings.ui_scale == 1.25 and app.scale == pytest.approx(720 / 600)
    assert app.screen.get_size() == (1067, 600) and app.window.get_size() == (1280, 720)
    keys.frames(2)
    assert "(here 120%)" in keys.top.menu.items[0].label
    keys.press(pygame.K_LEFT, n=2)
    assert app.scale == 1.0 and app.screen is app.window
    keys.press(pygame.K_DOWN)
    keys.press(pygame.K_RETURN)  # colour-blind palette
    assert app.settings.palette == "colour-blind" and theme.palette == "colour-blind"
    keys.press(pygame.K_DOWN)
    keys.press(pygame.K_RETURN)  # high contrast
    assert theme.high_contrast and theme.BG == (0, 0, 0)
    keys.frames(2)
    keys.press(pygame.K_RETURN)
    keys.press(pygame.K_DOWN)
    keys.press(pygame.K_RETURN)  # reduced motion on
    assert app.settings.reduced_motion
    stored = app.store.settings("Ada")
    assert stored["reduced_motion"] is True and stored["palette"] == "colour-blind"
    keys.press(pygame.K_RETURN)
    assert not app.settings.reduced_motion
    keys.press(pygame.K_UP, n=2)
    keys.press(pygame.K_RETURN)  # back to the standard palette
    assert theme.palette == "standard"
    keys.press(pygame.K_DOWN, n=3)
    keys.press(pygame.K_LEFT, n=4)  # volume down to off
    assert app.settings.volume == 0.0 and app.sound.volume == 0.0
    keys.frames(3)
    keys.press(pygame.K_ESCAPE)
    keys.press(pygame.K_UP)
    keys.press(pygame.K_RETURN)  # player
    assert keys.top.name == "profiles"
    keys.frames(3)
    keys.press(pygame.K_ESCAPE)
    keys.press(pygame.K_UP, n=3)  # teacher, join a class, campaign
    keys.press(pygame.K_RETURN)  # campaign
    assert keys.top.name == "level_select"
    keys.press(pygame.K_DOWN)  # a locked level: Enter does nothing
    keys.press(pygame.K_RETURN)
    assert keys.top.name == "level_select"
    keys.press(pygame.K_UP)
    keys.press(pygame.K_RETURN)
    keys.until("intro")
    keys.frames(3)
    keys.press(pygame.K_RETURN)
    play = keys.until("play")
    keys.frames(3)
    keys.press(pygame.K_F1)
    assert app.stack.names()[-2:] == ["play", "help"]
    keys.frames(2)
    keys.press(pygame.K_ESCAPE)
    keys.press(pygame.K_h)  # the level's first hint (free), then the network's gates (counted)
    assert play.ctl.text_hint == play.session.level.hints[0] and play.session.state.hints == 0
    keys.press(pygame.K_h)
    assert play.session.state.hints == 1
    keys.frames(40)
    gate_by_keys(keys, strategy_gates(play.session, "solution"))
    res = keys.until("results")
    keys.frames(3)
    assert res.res.won
    keys.press(pygame.K_ESCAPE)
    assert keys.top.name == "level_select"
    keys.press(pygame.K_ESCAPE)
    keys.press(pygame.K_ESCAPE)  # Esc on the title focuses Quit
    keys.press(pygame.K_RETURN)
    assert not app.running


def test_every_campaign_level_opens_in_the_play_screen_and_draws_while_autoplaying(app):
    for name, _entry in shipped_entries():
        row = level_row(name)
        model, _, _ = ensure_model(row.level)
        scene = PlayScene(app, row, model, "model")
        app.stack.push(scene)
        for _ in range(150):  # a decision, a step and its animation
            app.frame([], DT)
        assert app.stack.top is scene and scene.session.step >= 1, name
        app.stack.pop()


def test_the_first_three_campaign_levels_are_won_with_keys_alone(app, user_dirs):
    keys = Keys(app)
    new_player(keys, "Bo")
    keys.press(pygame.K_RETURN)  # Continue: the first level not won yet
    refs = ["campaign/01-carry", "campaign/02-keep", "campaign/03-distractor"]
    for ref in refs:
        intro = keys.until("intro")
        assert intro.row.ref == ref
        keys.press(pygame.K_RETURN)  # Play
        play = keys.until("play")
        gate_by_keys(keys, strategy_gates(play.session, "solution"))
        res = keys.until("results")
        assert res.res.won and res.res.saved is not None, (ref, res.res.score.summary())
        if ref != refs[-1]:
            assert res.res.menu.focused.key == "next"
            keys.press(pygame.K_RETURN)
    store = app.store
    assert [store.best("Bo", r)["wins"] for r in refs] == [1, 1, 1]


def test_a_wrong_gating_loses_keeps_the_next_level_locked_and_the_comparison_explains_it(app, user_dirs):
    keys = Keys(app)
    new_player(keys, "Cy")
    keys.press(pygame.K_RETURN)
    keys.until("intro")
    keys.press(pygame.K_RETURN)
    play = keys.until("play")
    gate_by_keys(keys, strategy_gates(play.session, "losing", 0))  # never write the country
    res = keys.until("results")
    assert not res.res.score.correct and not res.res.won
    assert "wrong" in res.res.headline()
    nxt = [i for i in res.res.menu.items if i.key == "next"]
    assert nxt and not nxt[0].enabled
    assert app.store.best("Cy", "campaign/01-carry")["wins"] == 0
    keys.press(pygame.K_DOWN)  # past the locked "Next" to the comparison
    assert res.res.menu.focused.key == "compare"
    keys.press(pygame.K_RETURN)
    cmp = keys.top
    assert cmp.name == "compare" and cmp.cmp.decisive == [cmp.cmp.selected]
    keys.press(pygame.K_RETURN)  # what if the network had gated this word?
    assert cmp.cmp.flips is True
    keys.press(pygame.K_BACKSPACE)
    keys.press(pygame.K_RIGHT, n=3)
    keys.press(pygame.K_RETURN)
    assert cmp.cmp.flips is False
    keys.press(pygame.K_s, mod=pygame.KMOD_LCTRL)
    saved = sorted(p.suffix for p in (user_dirs / "data" / "comparisons").iterdir())
    assert saved == [".json", ".png"] and "Saved" in cmp.message
    keys.press(pygame.K_ESCAPE)
    assert keys.top is res
    keys.press(pygame.K_ESCAPE)
    select = keys.until("level_select")
    assert [r.locked for r in select.model.rows[:2]] == [False, True]


def test_leaving_a_level_needs_two_escapes_and_returns_to_level_select(app):
    keys = Keys(app)
    new_player(keys)
    keys.press(pygame.K_RETURN)
    keys.until("intro")
    keys.press(pygame.K_RETURN)
    keys.until("play")
    keys.press(pygame.K_ESCAPE)
    assert keys.top.name == "play"
    keys.press(pygame.K_ESCAPE)
    assert keys.top.name == "level_select"


def test_the_window_can_be_resized_and_the_play_screen_follows(app):
    keys = Keys(app)
    new_player(keys)
    keys.press(pygame.K_RETURN)
    keys.until("intro")
    keys.press(pygame.K_RETURN)
    play = keys.until("play")
    for size in ((1600, 900), (960, 540)):
        pygame.display.set_mode(size, pygame.RESIZABLE)
        app.frame([pygame.event.Event(pygame.VIDEORESIZE, size=size, w=size[0], h=size[1])], DT)
        keys.frames(2)
        assert app.screen.get_size() == size and play.layout.size == size
        assert all(s.get_abs_rect().right <= size[0] for s in play.sliders)


def test_a_broken_level_of_ones_own_is_listed_with_its_error(app, user_dirs):
    own = user_dirs / "data" / "levels" / "mine"
    own.mkdir(parents=True)
    (own / "pack.yaml").write_text("format: 1\ntitle: My levels\norder: [broken]\n")
    (own / "broken.yaml").write_text("format: 1\nid: broken\ntitle: Broken\nnetwork: {hidden: -3}\n")
    keys = Keys(app)
    new_player(keys)
    keys.press(pygame.K_DOWN)
    keys.press(pygame.K_RETURN)  # Campaign
    select = keys.top
    assert select.name == "level_select"
    row = select.model.rows[-1]
    assert row.ref == "user:mine/broken" and row.level is None and "broken.yaml" in row.error
    select.model.point(len(select.model.rows) - 1)
    keys.press(pygame.K_RETURN)  # nothing to open; no crash
    keys.frames(2)
    assert keys.top is select


# -- golden screenshots -----------------------------------------------------------------------------------
def test_golden_title_level_select_and_play_screens(app):
    keys = Keys(app)
    new_player(keys, "Ada")
    keys.frames(2)
    check_golden(app.screen, "title")
    keys.press(pygame.K_RETURN)  # Continue
    keys.until("intro")
    keys.press(pygame.K_ESCAPE)
    keys.until("level_select")
    keys.frames(2)
    check_golden(app.screen, "level-select")
    keys.press(pygame.K_RETURN)
    keys.until("intro")
    keys.press(pygame.K_RETURN)
    play = keys.until("play")
    keys.press(pygame.K_SPACE, n=4)  # I grew up in
    keys.press(pygame.K_w)  # France: write
    keys.press(pygame.K_SPACE)
    keys.press(pygame.K_k)
    keys.frames(60)  # the belt has finished moving
    assert play.session.step == 5 and play.ctl.anim is None
    check_golden(app.screen, "play")


# -- the headless demo command ------------------------------------------------------------------------------
def test_the_headless_demo_writes_screenshots_of_intro_play_and_results(tmp_path):
    env = headless_env(tmp_path)
    out = tmp_path / "shots"
    r = subprocess.run(
        [
            sys.executable,
            "main.py",
            "--level",
            "01-carry",
            "--autoplay",
            "solution",
            "--screenshot",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        env=env,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in out.glob("*.png"))
    assert names[0] == "00-intro.png" and names[-1].endswith("-results.png")
    assert sum("play-word" in n for n in names) >= 5
    img = pygame.image.load(str(out / names[-1]))
    assert img.get_size() == (1280, 720)
    assert not (tmp_path / "data" / "progress.sqlite3").exists()  # a demo never saves progress
    bad = subprocess.run(
        [
            sys.executable,
            "main.py",
            "--level",
            "no-such-level",
            "--autoplay",
            "model",
            "--screenshot",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        env=env,
    )
    assert bad.returncode == 2 and "no-such-level" in bad.stderr and "Traceback" not in bad.stderr


def test_training_shows_progress_and_cancel_returns_to_level_select(app, user_dirs):
    own = user_dirs / "data" / "levels" / "mine"
    own.mkdir(parents=True)
    (own / "pack.yaml").write_text("format: 1\ntitle: My levels\norder: [haul]\n")
    text = (paths.levels_dir() / "campaign" / "10-long-haul.yaml").read_text()
    text = text.replace("id: 10-long-haul", "id: haul").replace("seed: 10", "seed: 71")  # not trained yet
    (own / "haul.yaml").write_text(text)
    keys = Keys(app)
    new_player(keys)
    keys.press(pygame.K_DOWN)
    keys.press(pygame.K_RETURN)
    select = keys.top
    select.model.point(len(select.model.rows) - 1)
    assert select.model.focused.ref == "user:mine/haul"
    keys.press(pygame.K_RETURN)
    loading = keys.top
    assert loading.name == "loading"
    for _ in range(3000):  # until the first progress report arrives
        if loading.job.trained:
            break
        keys.frames(1)
        time.sleep(0.005)
    assert loading.job.trained and 0.0 <= loading.job.fraction <= 1.0
    keys.frames(2)  # the bar is drawn with a real progress report
    keys.press(pygame.K_ESCAPE)
    deadline = time.monotonic() + 120
    while keys.top is loading and time.monotonic() < deadline:
        keys.frames(1)
        time.sleep(0.01)  # a real frame loop waits for the clock; the training thread runs
    assert keys.top.name == "level_select"
    assert loading.job.state == "cancelled"
    assert not list((user_dirs / "cache").rglob("*.npz"))  # nothing half-trained is kept


def test_a_saved_replay_opens_in_the_comparison_screen_from_the_command_line(tmp_path):
    env = headless_env(tmp_path)
    run = [sys.executable, "main.py", "replay"]
    rec = subprocess.run(
        run + ["record", "01-carry", "--strategy", "losing", "-o", str(tmp_path / "r.json")],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        env=env,
    )
    assert rec.returncode == 0, rec.stderr
    png = tmp_path / "cmp.png"
    r = subprocess.run(
        run + ["open", str(tmp_path / "r.json"), "--screenshot", str(png)],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    assert pygame.image.load(str(png)).get_size() == (1280, 720)
    (tmp_path / "bad.json").write_text("{not json")
    bad = subprocess.run(
        run + ["open", str(tmp_path / "bad.json")], capture_output=True, text=True, cwd=paths.ROOT, env=env
    )
    assert bad.returncode == 1 and "bad.json" in bad.stderr and "Traceback" not in bad.stderr


def test_a_level_whose_training_fails_shows_the_error_and_esc_goes_back(app, monkeypatch):
    """A worker that dies (here: a bug while training sentences are written) is an error on the loading
    screen, and Esc leaves it; while sentences are written the screen says so with a bar."""
    import dataclasses

    from game.levels.generator import BuildProgress, LevelTask
    from game.ui import draw
    from game.ui.screens.loading import LoadingScene

    row = level_row("01-carry")
    network = row.level.network.model_copy(update={"seed": 4242})  # not trained yet
    row = dataclasses.replace(row, level=row.level.model_copy(update={"network": network}))

    def broken(self, rng, length=None):
        raise RuntimeError("a generator bug")

    monkeypatch.setattr(LevelTask, "draw", broken)
    keys = Keys(app)
    loading = LoadingScene(app, row)
    app.stack.push(loading)
    loading.job.wait(30)
    keys.frames(2)
    assert keys.top is loading and loading.job.state == "failed" and "a generator bug" in loading.job.error
    keys.press(pygame.K_ESCAPE)
    assert keys.top.name == "title"

    loading = LoadingScene(app, row)
    app.stack.push(loading)
    loading.job.wait(30)
    loading.job.state, loading.job.building = "running", BuildProgress(3000, 13200)
    with draw.TextAudit() as audit:
        keys.frames(1)
    texts = [entry[0] for entry in audit.entries]
    assert "Writing the sentences the network learns from" in texts and "23% of 6600 sentences" in texts
    keys.press(pygame.K_ESCAPE)


def test_the_headless_demo_stops_with_the_error_when_training_fails(tmp_path, monkeypatch, user_dirs):
    from game.levels.generator import LevelTask
    from game.ui.launch import LaunchError, demo

    text = (paths.levels_dir() / "campaign" / "01-carry.yaml").read_text()
    (tmp_path / "mine.yaml").write_text(text.replace("id: 01-carry", "id: mine")
                                        .replace("  seed: 1\n", "  seed: 4242\n"))  # not trained yet

    def broken(self, rng, length=None):
        raise RuntimeError("a generator bug")

    monkeypatch.setattr(LevelTask, "draw", broken)
    with pytest.raises(LaunchError, match="RuntimeError: a generator bug"):
        demo(str(tmp_path / "mine.yaml"), "model", str(tmp_path / "shots"), frames=40000)
    assert [p.name for p in (tmp_path / "shots").iterdir()] == ["00-loading-failed.png"]
