"""The play screen's sliders with a real mouse: clicks on an arrow and on the track change the gate,
at UI scale 100% and 150% (the app hands scenes canvas pixels; pygame_gui scales by itself). Every
event pygame_gui posts goes round the real event queue, as in the game's loop."""

from __future__ import annotations

import dataclasses

import pygame
import pytest

from game.controllers.play import SHOWN_GATES
from game.levels.training import ensure_model
from game.ui.app import App
from game.ui.launch import level_row
from game.ui.screens.play import PlayScene

DT = 1 / 60


@pytest.fixture(params=[(1.0, (1280, 720)), (1.5, (1440, 900))], ids=["100%", "150%"])
def play(request, tmp_path, monkeypatch):
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    scale, size = request.param
    app = App(size=size)
    app.set_player("Mo")
    app.save_settings(dataclasses.replace(app.settings, ui_scale=scale))
    assert app.scale == scale
    row = level_row("01-carry")
    model, _, _ = ensure_model(row.level)
    scene = PlayScene(app, row, model)
    app.stack.push(scene)
    pygame.event.clear()
    yield app, scene
    app.close()


def frames(app, n: int = 4, events=()) -> None:
    """Frames fed from the real queue (where pygame_gui posts its button and slider events)."""
    for e in events:
        pygame.event.post(e)
    for _ in range(n):
        app.frame(pygame.event.get(), DT)


def click(app, canvas_pos) -> None:
    """A left click as the window reports it: in window pixels."""
    pos = (round((canvas_pos[0] + 0.5) * app.scale), round((canvas_pos[1] + 0.5) * app.scale))
    frames(app, 2, [pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0))])
    frames(app, 2, [pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1)])
    frames(app, 4, [pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1)])


def slider_of(scene, slot: int, gate: str):
    return next(s for s, key in scene.sliders.items() if key == (slot, gate))


def test_a_click_on_a_sliders_arrows_steps_the_gate_by_its_increment(play):
    app, scene = play
    ctl = scene.ctl
    assert ctl.gate_value(0, "input") == 0.0 and ctl.gate_value(0, "forget") == 1.0
    click(app, slider_of(scene, 0, "input").right_button.rect.center)
    assert ctl.gate_value(0, "input") == pytest.approx(0.1)
    assert SHOWN_GATES[ctl.gate] == "input"  # the clicked gate has the keyboard now
    click(app, slider_of(scene, 0, "input").right_button.rect.center)
    assert ctl.gate_value(0, "input") == pytest.approx(0.2)
    click(app, slider_of(scene, 0, "forget").left_button.rect.center)
    assert ctl.gate_value(0, "forget") == pytest.approx(0.9)
    assert len(scene.session.history) == 3  # one undoable step per click
    assert slider_of(scene, 0, "forget").get_current_value() == pytest.approx(0.9)


def test_a_click_on_a_sliders_track_sets_the_gate_to_that_point(play):
    app, scene = play
    s = slider_of(scene, 0, "output")
    left, right = s.left_button.rect.right, s.right_button.rect.x
    x = left + (right - left) * 3 // 4
    click(app, (x, s.rect.centery))
    value = scene.ctl.gate_value(0, "output")
    assert 0.65 <= value <= 0.85, value
    assert len(scene.session.history) == 1
    click(app, (left + 2, s.rect.centery))  # at the track's left end: closed
    assert scene.ctl.gate_value(0, "output") == 0.0

