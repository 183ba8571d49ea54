"""A new player's first hour (issue 12, part 4), through the window (headless):

- the play screen's sliders with a real mouse: clicks on an arrow and on the track change the gate, at
  UI scale 100% and 150% (the app hands scenes canvas pixels; pygame_gui scales by itself). Every event
  pygame_gui posts goes round the real event queue, as in the game's loop;
- once the last word is read the attempt is final: Backspace / Ctrl+Z do not go back into it;
- the header and the cell drawing count the same word, from 1;
- Tab in the comparison with no decisive step to go to says so;
- the comparison's answer line says whose percentage it gives;
- `gatekeeper levels list` prints every shipped level's id and title.
(A new player named from Campaign going on to level select: tests/test_ui_game.py new_player.)
"""

from __future__ import annotations

import dataclasses
import re

import pygame
import pytest

from game.cli import main
from game.controllers.play import SHOWN_GATES
from game.levels.catalogue import shipped_entries
from game.levels.training import ensure_model
from game.session.scripted import strategy_gates
from game.session.session import GATES, PlaySession
from game.ui import draw
from game.ui.app import App
from game.ui.launch import level_row
from game.ui.screens.compare import CompareScene
from game.ui.screens.play import PlayScene

DT = 1 / 60


@pytest.fixture
def user_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture(params=[(1.0, (1280, 720)), (1.5, (1440, 900))], ids=["100%", "150%"])
def play(request, user_dirs):
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



def key(app, k, mod=0) -> None:
    app.frame([pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode="", scancode=0)], DT)


def drawn(app) -> list[str]:
    with draw.TextAudit() as a:
        app.frame([], DT)
    return [s for s, *_ in a.entries]


def play_along(session, strategy: str, words: int) -> None:
    gates = strategy_gates(session, strategy)
    for t in range(words):
        for slot in range(session.S):
            session.set_gates(slot, **{g: float(gates[t, k * session.S + slot]) for k, g in enumerate(GATES)})
        session.advance()


@pytest.fixture
def app(user_dirs):
    a = App(size=(1280, 720))
    a.set_player("Mo")
    yield a
    a.close()


def test_once_the_last_word_is_read_backspace_and_ctrl_z_do_not_reopen_the_sentence(app):
    row = level_row("01-carry")
    model, _, _ = ensure_model(row.level)
    scene = PlayScene(app, row, model)
    app.stack.push(scene)
    session = scene.session
    play_along(session, "losing", session.T - 1)  # all but the last word
    key(app, pygame.K_SPACE)  # the last word: the belt moves, then the results come
    assert session.finished and scene.ctl.anim is not None
    key(app, pygame.K_BACKSPACE)  # at once, while the belt still moves
    key(app, pygame.K_z, pygame.KMOD_LCTRL)
    assert session.finished and session.step == session.T
    for _ in range(120):
        app.frame([], DT)
    results = app.stack.top
    assert results.name == "results" and results.session is session
    key(app, pygame.K_BACKSPACE)
    key(app, pygame.K_z, pygame.KMOD_LCTRL)
    app.frame([], DT)
    assert app.stack.top is results and session.finished and session.step == session.T


def test_the_header_and_the_cell_count_the_same_word_while_the_belt_moves(app):
    row = level_row("01-carry")
    model, _, _ = ensure_model(row.level)
    scene = PlayScene(app, row, model)
    app.stack.push(scene)

    def counted() -> tuple[int, int]:
        texts = drawn(app)
        header = next(int(m[1]) for s in texts if (m := re.match(r"word (\d+) of", s)))
        cell = next(int(m[1]) for s in texts if (m := re.search(r"\(word (\d+) of", s)))
        return header, cell

    assert counted() == (1, 1)
    key(app, pygame.K_SPACE)
    assert scene.ctl.anim is not None
    assert counted() == (1, 1)  # the belt carries word 1 on: both still say so
    for _ in range(60):
        app.frame([], DT)
    assert scene.ctl.anim is None and counted() == (2, 2)


def test_tab_in_the_comparison_says_when_there_is_no_decisive_step_to_go_to(app):
    row = level_row("01-carry")
    model, _, _ = ensure_model(row.level)
    won = PlaySession(row.level, model)
    play_along(won, "solution", won.T)
    scene = CompareScene(app, row, won)
    app.stack.push(scene)
    assert scene.cmp.decisive == []
    before = scene.cmp.selected
    key(app, pygame.K_TAB)
    assert scene.cmp.selected == before
    assert any(s.startswith("No decisive step") for s in drawn(app))  # in the footer, in words
    key(app, pygame.K_RIGHT)  # the next key brings the key hints back
    assert not any(s.startswith("No decisive step") for s in drawn(app))
    app.stack.pop()

    lost = PlaySession(row.level, model)
    play_along(lost, "losing", lost.T)
    scene = CompareScene(app, row, lost)
    app.stack.push(scene)
    assert scene.cmp.decisive == [scene.cmp.selected]  # one decisive step, already selected
    key(app, pygame.K_TAB, pygame.KMOD_LSHIFT)
    assert "This is the only decisive step." in drawn(app)
    scene.cmp.select(0)
    key(app, pygame.K_TAB)
    assert scene.cmp.selected == scene.cmp.decisive[0]


def test_the_comparison_says_the_percentage_is_the_right_answers(app):
    row = level_row("01-carry")
    model, _, _ = ensure_model(row.level)
    lost = PlaySession(row.level, model)
    play_along(lost, "losing", lost.T)
    app.stack.push(CompareScene(app, row, lost))
    score, right = lost.result(), lost.sequence.answer
    assert not score.correct and score.answer != right
    text = " ".join(drawn(app))
    assert f"the right answer, {right}, got {100 * score.p_right:.0f}%" in text
    assert f"{score.answer} ({100 * score.p_right:.0f}% right)" not in text


def test_levels_list_prints_every_shipped_level_id_with_its_title(capsys):
    assert main(["levels", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    entries = shipped_entries()
    assert len(lines) == len(entries)
    for line, (name, entry) in zip(lines, entries, strict=True):
        assert line.split()[0] == name and line.rstrip().endswith(entry.level.title)
