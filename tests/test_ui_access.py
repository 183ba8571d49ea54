"""Issue 6 through the window (headless): the results screen shows what the session layer computes,
golden results screenshots in both palettes, the explanation panel by keyboard and mouse, saved
replays opened from level select, UI scale for the mouse, sound cues, and every new screen driven with
the keyboard only."""

from __future__ import annotations

import dataclasses

import numpy as np
import pygame
import pytest
from test_ui_game import DT, Keys, check_golden
from test_ui_layout import gate_along

from game import paths
from game.controllers.explain import Target, explain_for
from game.controllers.play import snapshot_at, step_cues
from game.levels.training import ensure_model
from game.session import replay
from game.session.session import PlaySession
from game.ui import draw, theme
from game.ui.app import App
from game.ui.launch import level_row
from game.ui.screens.level_select import LevelSelectScene
from game.ui.screens.play import PlayScene
from game.ui.screens.results import ResultsScene
from game.ui.screens.title import TitleScene
from game.ui.views.cell import places, unit_rects


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    a = App(size=(1280, 720))
    a.set_player("Ada")
    a.stack.push(TitleScene(a))
    yield a
    a.close()
    theme.use("standard")


def losing_session(name: str = "01-carry") -> tuple:
    row = level_row(name)
    model, _, _ = ensure_model(row.level)
    session = PlaySession(row.level, model)
    gate_along(session, "losing", session.T)
    return row, model, session


def drawn_text(app) -> list[str]:
    with draw.TextAudit() as a:
        app.frame([], DT)
    return [s for s, *_ in a.entries]


# -- the results screen shows the session's numbers --------------------------------------------------------
def test_results_screen_shows_the_values_the_session_computes(app):
    row, model, session = losing_session()
    expected = session.result()
    scene = ResultsScene(app, row, model, session, 0)
    app.stack.push(scene)
    texts = drawn_text(app)
    res = scene.res
    assert res.score == expected  # the scene's state is the session layer's score
    assert res.outcome == session.prediction()
    assert not res.won and expected.stars == 0
    assert f"{expected.total:.1f} points" in texts
    for _label, value in res.parts():
        assert value in texts  # every part of the score is on screen, as the controller words it
    shown = " ".join(texts)
    for word, _p in res.outcome.top:  # the network's top answers with the player's gates
        assert str(word) in texts
    for word, _p in res.model_outcome.top:  # ... and with its own
        assert str(word) in texts
    assert "✗" in shown  # the outcome is marked by a symbol, not by colour alone
    d = expected.critical[0]
    assert f"“{d.word}”" in shown  # the most decisive difference is named


@pytest.mark.parametrize("palette", ["standard", "colour-blind"])
def test_golden_results_screen_in_both_palettes(app, palette):
    app.save_settings(dataclasses.replace(app.settings, palette=palette))
    row, model, session = losing_session()
    app.stack.push(ResultsScene(app, row, model, session, 0))
    app.frame([], DT)
    app.frame([], DT)
    check_golden(app.screen, f"results-{palette}")


def test_palettes_differ_and_high_contrast_is_black_and_white(app):
    app.save_settings(dataclasses.replace(app.settings, palette="standard"))
    standard = dict(theme.GATE_COLOURS)
    app.save_settings(dataclasses.replace(app.settings, palette="colour-blind", high_contrast=True))
    assert theme.GATE_COLOURS != standard
    assert theme.BG == (0, 0, 0) and theme.TEXT == (255, 255, 255)
    assert app.store.settings("Ada")["high_contrast"] is True  # per player, at once
    # every gate keeps its own symbol whatever the colours
    assert len(set(theme.GATE_SYMBOLS.values())) == len(theme.GATE_SYMBOLS) == 5  # LSTM's three, GRU's two


# -- the explanation panel ------------------------------------------------------------------------------
def test_explanation_panel_by_keyboard_on_the_play_screen(app):
    keys = Keys(app)
    row = level_row("01-carry")
    model, _, _ = ensure_model(row.level)
    play = PlayScene(app, row, model)
    app.stack.push(play)
    keys.press(pygame.K_SPACE, n=4)  # I grew up in
    keys.press(pygame.K_w)  # France: write
    keys.frames(40)
    keys.press(pygame.K_x)
    panel = keys.top
    assert panel.name == "explain"
    assert panel.ex.cursor.target.quantity == "forget"  # the selected gate is explained first
    keys.press(pygame.K_RIGHT, n=4)  # f → i → o → g → c
    assert panel.ex.cursor.target.quantity == "cell"
    texts = drawn_text(app)
    e = explain_for(play.session, play.ctl.snapshot, panel.ex.cursor.target)
    assert e.formula in texts and e.plugged in texts
    assert "France" in e.meaning or "France" in e.title
    assert play.explained() == panel.ex.cursor.target  # the play screen rings the explained number
    keys.press(pygame.K_PERIOD)  # no other word on the play screen: the panel stays at this word
    assert panel.ex.t == play.ctl.snapshot.shown
    keys.press(pygame.K_ESCAPE)
    assert keys.top is play and not play.session.history[-1:] == []  # nothing about the game changed


def test_clicking_a_memory_square_explains_that_cell(app):
    row = level_row("01-carry")
    model, _, _ = ensure_model(row.level)
    play = PlayScene(app, row, model)
    app.stack.push(play)
    app.frame([], DT)
    lane = play.layout.lane(0, 1)
    H = len(play.ctl.snapshot.c)
    center, height = places(lane)["packets"]["hidden"]
    target_rect = unit_rects(center, H, height)[3]
    app.frame([pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=target_rect.center)], DT)
    assert app.stack.top.name == "explain"
    assert app.stack.top.ex.cursor.target == Target("hidden", 0, 3)


def test_explanations_move_across_words_after_the_sentence(app):
    keys = Keys(app)
    row, model, session = losing_session()
    app.stack.push(ResultsScene(app, row, model, session, 0))
    keys.frames(1)
    keys.press(pygame.K_x)
    panel = keys.top
    assert panel.name == "explain" and panel.ex.t == session.T - 1
    target = panel.ex.cursor.target  # results start at the memory: slot 1's strongest cell
    c = np.abs(panel.ex.snapshot.c[: len(panel.ex.snapshot.c) // session.S])
    assert target.quantity == "cell" and target.unit == int(np.argmax(c))
    keys.press(pygame.K_COMMA, n=3)
    assert panel.ex.t == session.T - 4
    snap = snapshot_at(session, session.T - 4)
    assert np.array_equal(panel.ex.snapshot.c, snap.c)
    keys.frames(1)
    keys.press(pygame.K_ESCAPE)
    assert keys.top.name == "results"


# -- saved replays from level select, keyboard only ----------------------------------------------------------
def test_level_select_opens_a_saved_attempt_and_a_replay_file_into_the_comparison(app):
    keys = Keys(app)
    row, model, session = losing_session()
    replay.save_attempt(app.store, "Ada", session, row.ref)
    folder = paths.user_data_dir() / "replays"
    folder.mkdir(parents=True)
    replay.save(folder / "from-a-friend.json", replay.make(session, row.ref, "Grace"))
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    other = replay.make(session, row.ref, "Grace").model_copy(update={"level_id": "campaign/02-keep"})
    replay.save(folder / "another-level.json", other)  # a readable replay of another level: not listed
    app.stack.push(LevelSelectScene(app))
    keys.frames(1)
    keys.press(pygame.K_o)
    lst = keys.top
    assert lst.name == "replays"
    labels = [i.label for i in lst.list.menu.items]
    assert len(labels) == 4 and labels[-1] == "Back"  # one attempt, two files, back
    assert "another-level.json" not in labels  # the list is this level's
    keys.frames(1)
    keys.press(pygame.K_RETURN)  # the attempt
    cmp = keys.top
    assert cmp.name == "compare" and cmp.cmp.score == session.result()
    keys.press(pygame.K_x)  # explain from the comparison, at its selected step
    assert keys.top.name == "explain" and keys.top.ex.t == cmp.cmp.selected
    keys.press(pygame.K_ESCAPE)
    keys.press(pygame.K_ESCAPE)
    assert keys.top is lst
    broken = next(k for k, i in enumerate(lst.list.menu.items) if i.label == "broken.json")
    keys.press(pygame.K_DOWN, n=broken)
    keys.press(pygame.K_RETURN)
    assert keys.top is lst and "broken.json" in lst.list.error  # a clear error, the game goes on
    keys.frames(1)
    keys.press(pygame.K_ESCAPE)
    assert keys.top.name == "level_select"


# -- UI scale: the mouse lands where the player sees things --------------------------------------------
def test_at_double_scale_a_click_in_window_pixels_chooses_the_item_drawn_there(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    app = App(size=(1920, 1200))
    try:
        app.set_player("Ada")
        app.save_settings(dataclasses.replace(app.settings, ui_scale=2.0))
        assert app.scale == 2.0 and app.screen.get_size() == (960, 600)
        title = TitleScene(app)
        app.stack.push(title)
        app.frame([], DT)
        from game.ui.menu_view import item_rects

        rects = item_rects(title.menu, title.menu_pos(), title.MENU_W, title.MENU_ITEM_H)
        k = title.menu.index("settings")
        x, y = rects[k].center
        app.frame(
            [pygame.event.Event(pygame.MOUSEMOTION, pos=(2 * x, 2 * y), rel=(0, 0), buttons=(0, 0, 0))], DT
        )
        assert title.menu.focus == k
        app.frame([pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=(2 * x, 2 * y))], DT)
        assert app.stack.top.name == "settings"
        shot = pygame.surfarray.array3d(app.window)
        assert shot.shape[:2] == (1920, 1200) and shot.std() > 5  # the enlarged frame reached the window
    finally:
        app.close()


# -- sound ---------------------------------------------------------------------------------------------
def test_reading_words_plays_step_write_and_forget_cues_then_the_outcome(app, monkeypatch):
    heard = []
    monkeypatch.setattr(app.sound, "play", heard.append)
    assert step_cues(({"forget": 1.0, "input": 0.0, "output": 0.0},)) == ["step"]
    assert step_cues(({"forget": 1.0, "input": 1.0, "output": 0.0},)) == ["step", "write"]
    assert step_cues(({"forget": 0.0, "input": 0.0, "output": 0.0},)) == ["step", "forget"]
    keys = Keys(app)
    row = level_row("01-carry")
    model, _, _ = ensure_model(row.level)
    app.stack.push(PlayScene(app, row, model))
    keys.press(pygame.K_SPACE)
    keys.press(pygame.K_w)
    keys.press(pygame.K_SPACE)
    keys.press(pygame.K_e)
    keys.press(pygame.K_SPACE)
    assert heard == ["step", "step", "write", "step", "forget"]
    row, model, session = losing_session()
    app.stack.push(ResultsScene(app, row, model, session, 0))
    assert heard[-1] == "lose"
