"""The play, explain and comparison screens for a GRU level (update and reset sliders, no belt) and a
plain RNN level (no gate controls; the player watches what the memory says), rendered headless."""

from __future__ import annotations

import os
from pathlib import Path

import pygame
import pytest

from game.controllers.level_select import Row
from game.levels import training
from game.levels.loader import load_level
from game.session import scripted
from game.ui.app import App
from game.ui.screens.compare import CompareScene
from game.ui.screens.explain import ExplainScene
from game.ui.screens.play import PlayScene
from game.ui.screens.title import TitleScene

FIXTURES = Path(__file__).parent / "fixtures" / "levels" / "valid"
DT = 1 / 60


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    a = App(size=(1280, 720))
    a.stack.push(TitleScene(a))
    yield a
    a.close()


def open_level(app, name):
    level = load_level(FIXTURES / f"{name}.yaml")
    model, _ = training.train_level(level)
    row = Row(f"file:{FIXTURES / name}.yaml", "tests", 1, level.title, level, None, None, False)
    scene = PlayScene(app, row, model)
    app.stack.push(scene)
    app.frame([], DT)
    return scene


def key(app, k, n=1):
    for _ in range(n):
        app.frame([pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0)], DT)


def shot(app, name, tmp_path):
    """Save the screen (GATEKEEPER_SHOTS=DIR keeps them for a person to look at)."""
    folder = Path(os.environ.get("GATEKEEPER_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    pygame.image.save(app.screen, str(folder / f"{name}.png"))


def test_gru_play_screen_has_update_and_reset_sliders(app, tmp_path):
    scene = open_level(app, "gru-carry")
    assert sorted(g for _, g in scene.sliders.values()) == ["reset", "update"]
    assert scene.ctl.shown_gates == ("update", "reset")
    key(app, pygame.K_SPACE, 4)  # I grew up in
    key(app, pygame.K_w)  # Spain: write (update 0, reset 0)
    assert scene.session.current_gates(0) == {"update": 0.0, "reset": 0.0}
    key(app, pygame.K_DOWN)  # the reset slider has the keyboard
    key(app, pygame.K_END)
    assert scene.session.current_gates(0) == {"update": 0.0, "reset": 1.0}
    app.frame([], DT)
    shot(app, "gru-play", tmp_path)
    key(app, pygame.K_SPACE)
    key(app, pygame.K_k)
    for _ in range(60):
        app.frame([], DT)
    shot(app, "gru-play-kept", tmp_path)
    key(app, pygame.K_x)  # explain the selected gate
    top = app.stack.top
    assert isinstance(top, ExplainScene) and top.ex.cursor.target.quantity == "reset"  # the selected one
    for q in ("candidate", "hidden", "update", "reset", "candidate", "hidden"):
        key(app, pygame.K_RIGHT)
        assert top.ex.cursor.target.quantity == q
        e = top.ex.explanation()
        assert e.plugged and e.meaning
    app.frame([], DT)
    shot(app, "gru-explain-hidden", tmp_path)


def test_gru_comparison_lanes_show_update_and_reset(app, tmp_path):
    scene = open_level(app, "gru-reset")
    s = scene.session
    scripted.play(s, scripted.strategy_gates(s, "losing"))
    app.stack.push(CompareScene(app, scene.row, s))
    app.frame([], DT)
    lanes, _, _ = app.stack.top.geometry()
    assert [w for kind, _, w, _ in lanes if kind == "gate"] == ["update", "reset"]
    strips = [(kind, w) for kind, _, w, _ in lanes if kind != "gate"]
    assert strips == [("hidden", "player"), ("hidden", "model")]  # h is a GRU's memory: no c strips
    shot(app, "gru-compare", tmp_path)


def test_rnn_play_screen_has_no_gate_controls(app, tmp_path):
    scene = open_level(app, "rnn-watch")
    assert scene.sliders == {} and scene.ctl.shown_gates == ()
    key(app, pygame.K_w)  # a preset: nothing to set
    assert not scene.session.history and "no gates" in scene.ctl.message
    key(app, pygame.K_SPACE, 5)
    for _ in range(60):
        app.frame([], DT)
    assert scene.session.step == 5
    shot(app, "rnn-play", tmp_path)
    key(app, pygame.K_x)
    top = app.stack.top
    assert isinstance(top, ExplainScene) and top.ex.cursor.target.quantity == "hidden"
    assert "tanh" in top.ex.explanation().formula
    app.frame([], DT)
    shot(app, "rnn-explain", tmp_path)
    app.stack.pop()
    while not scene.session.finished:
        scene.session.advance()
    app.stack.push(CompareScene(app, scene.row, scene.session))
    app.frame([], DT)
    lanes, _, _ = app.stack.top.geometry()
    assert [kind for kind, *_ in lanes] == ["hidden", "hidden"]  # no gate lanes, the memory is h
    shot(app, "rnn-compare", tmp_path)


@pytest.mark.parametrize("name", ["gru-reset", "rnn-watch"])
def test_autoplay_reaches_the_results_screen(app, tmp_path, name):
    scene = open_level(app, name)
    scene.ctl.start_autoplay("model")
    for _ in range(3000):
        app.frame([], DT)
        if app.stack.top.name == "results":
            break
    assert app.stack.top.name == "results", app.stack.top.name
    app.frame([], DT)
    shot(app, f"{name}-results", tmp_path)
