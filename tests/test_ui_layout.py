"""Every screen at UI scale 100% and 200%, and in the smallest window the README promises (960x600, at
100% and at 150%), with two slots and the longest strings the game allows: no text leaves its box or
the window, no two pieces of text overlap and no memory cell's square covers text (measured by
recording every text and mark the screens draw: game/ui/draw.py TextAudit). With shipped levels and an
ordinary name, nothing a new player reads is cut short with an ellipsis."""

from __future__ import annotations

import dataclasses
import os
from types import SimpleNamespace

import pygame
import pytest

from game import strings
from game.controllers.explain import QUANTITIES
from game.controllers.training_job import FAILED, RUNNING
from game.levels.training import ensure_model
from game.progress import MAX_NAME_LENGTH
from game.session.scripted import strategy_gates
from game.session.session import GATES, PlaySession
from game.ui import draw
from game.ui.actions import Act, Input
from game.ui.app import MIN_SIZE, App
from game.ui.launch import level_row
from game.ui.screens.compare import CompareScene
from game.ui.screens.explain import ExplainScene
from game.ui.screens.help import HelpScene
from game.ui.screens.intro import IntroScene
from game.ui.screens.level_select import LevelSelectScene
from game.ui.screens.loading import LoadingScene
from game.ui.screens.play import PlayScene
from game.ui.screens.profiles import ProfilesScene
from game.ui.screens.replays import ReplaysScene
from game.ui.screens.results import ResultsScene
from game.ui.screens.settings import SettingsScene
from game.ui.screens.title import TitleScene
from lstm_engine.train import TrainProgress

DT = 1 / 60
LONG_NAME = "W" * MAX_NAME_LENGTH  # the widest name a player may choose
LONG_TITLE = "Wide" + "W" * 56  # 60 characters: the schema's longest title
LONG_CONCEPT = ("Memorable " * 20)[:200].strip()
LONG_INTRO = "A very long introduction that goes on and on. " * 40


SCALES = {
    "100%": (1.0, (1280, 720)),
    "200%": (2.0, (1920, 1200)),
    "100% at 960x600": (1.0, MIN_SIZE),
    "150% at 960x600": (1.5, (1440, 900)),
}


@pytest.fixture(params=list(SCALES.values()), ids=list(SCALES))
def scaled_app(request, tmp_path, monkeypatch):
    yield from make_app(request.param, tmp_path, monkeypatch)


@pytest.fixture(params=[SCALES["100%"], SCALES["150% at 960x600"]], ids=["100%", "150% at 960x600"])
def large_and_least_app(request, tmp_path, monkeypatch):
    """The usual window, and the least room (every scale that leaves 960x600 lays out the same)."""
    yield from make_app(request.param, tmp_path, monkeypatch)


def make_app(param, tmp_path, monkeypatch):
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    scale, size = param
    app = App(size=size)
    app.set_player(LONG_NAME)
    app.save_settings(dataclasses.replace(app.settings, ui_scale=scale))
    assert app.scale == scale
    if scale > 1.0 or size == MIN_SIZE:  # the game has exactly its smallest room to lay out in
        assert app.screen.get_size() == MIN_SIZE
    yield app
    app.close()


def long_row():
    row = level_row("08-two-slots")  # two slots: the most crowded play screen
    level = row.level.model_copy(update={"title": LONG_TITLE, "concept": LONG_CONCEPT, "intro": LONG_INTRO})
    return dataclasses.replace(row, title=LONG_TITLE, level=level)


def audit(app, label: str) -> list[str]:
    """Draw one frame and return every text problem on it."""
    with draw.TextAudit() as a:
        app.frame([], DT)
    return problems_in(a, app, label)


def problems_in(a: draw.TextAudit, app, label: str) -> list[str]:
    """Text outside the window (or the cached picture it is drawn into), outside its box, or over other
    text drawn by the same scene on the same surface."""
    problems, placed = [], []
    for s, rect, box, surface, layer in a.entries:
        if not s.strip():
            continue
        bounds = surface.get_rect()
        if not bounds.contains(rect):
            where = "the window" if surface is app.screen else "its picture"
            problems.append(f"{label}: {s!r} at {rect} leaves {where} {bounds.size}")
        if box is not None and not box.inflate(2, 2).contains(rect):
            problems.append(f"{label}: {s!r} at {rect} overflows its box {box}")
        ink = rect.inflate(-2, -4)  # glyph boxes include line spacing; ink must not touch
        for other, orect, osurface, olayer in placed:
            if osurface is surface and olayer == layer and ink.colliderect(orect):
                problems.append(f"{label}: {s!r} at {rect} overlaps {other!r} at {orect}")
        for what, mrect, msurface, mlayer in a.marks:
            if msurface is surface and mlayer == layer and ink.colliderect(mrect):
                problems.append(f"{label}: {s!r} at {rect} is covered by {what} at {mrect}")
        placed.append((s, ink, surface, layer))
    return problems


def visit_every_screen(app) -> list[str]:
    problems = []
    row = long_row()
    model, _, _ = ensure_model(row.level)

    def show(scene, label):
        app.stack.push(scene)
        problems.extend(audit(app, label))

    show(TitleScene(app), "title")
    show(ProfilesScene(app), "profiles")
    for ch in LONG_NAME[:10]:
        app.frame([pygame.event.Event(pygame.TEXTINPUT, text=ch)], DT)
    problems.extend(audit(app, "profiles typing"))
    app.stack.pop()
    show(SettingsScene(app), "settings")
    for k in range(len(app.stack.top.menu.items)):  # every item's description
        app.stack.top.menu.point(k)
        problems.extend(audit(app, f"settings item {k}"))
    app.stack.pop()
    show(LevelSelectScene(app), "level select")
    app.stack.pop()

    loading = LoadingScene(app, row)
    app.stack.push(loading)
    loading.job.cancel()
    progress = TrainProgress(2, 1234, 4000, 3, 5, 20, 0.3, 0.87, None, "annealing", 12.0)
    loading.job = SimpleNamespace(state=RUNNING, progress=progress, trained=True, fraction=0.4, error="")
    loading.cancelling = False
    problems.extend(audit_draw(app, loading))
    from game.levels.training import LevelProgress  # a later seed: one more line on the screen
    loading.job.progress = LevelProgress(*vars(progress).values(), seed=9, seed_try=2, seed_tries=5)
    problems.extend(audit_draw(app, loading))
    loading.job.state, loading.job.error = FAILED, "could not prepare the network: " + "reason " * 60
    problems.extend(audit_draw(app, loading))
    app.stack.pop()

    show(IntroScene(app, row, model), "intro")
    app.stack.pop()
    play = PlayScene(app, row, model)
    show(play, "play, first word")
    play.handle(Input(Act.EXPLAIN))
    problems.extend(audit(app, "explain over play"))
    app.stack.pop()
    show(HelpScene(app), "help over play")
    app.stack.pop()
    gate_along(play.session, "solution", play.session.T - 1)
    play.ctl.anim = None
    problems.extend(audit(app, "play, last word"))
    app.stack.pop()

    session = PlaySession(row.level, model)
    gate_along(session, "losing", session.T)
    show(ResultsScene(app, row, model, session, 0), "results")
    show(ExplainScene(app, session, session.T - 1, movable=True), "explain over results")
    app.stack.pop()
    show(CompareScene(app, row, session, app.stack.top.res.score), "compare")
    app.stack.top.cmp.jump_decisive(1)
    problems.extend(audit(app, "compare, decisive step"))
    app.stack.top.cmp.swap(True)
    problems.extend(audit(app, "compare, what if from here"))
    for q in range(len(QUANTITIES)):  # every kind of number explained, over the comparison
        ex = ExplainScene(app, session, app.stack.top.cmp.selected, movable=True)
        for _ in range(q):
            ex.ex.cursor.right()
        show(ex, f"explain {QUANTITIES[q]}")
        app.stack.pop()
    return problems


def visit_a_first_hour(app, level_id: str) -> list[str]:
    """A new player's screens with a shipped level and an ordinary name: every text problem, and
    every text cut short with an ellipsis (nothing a first-hour player sees may be cut)."""
    problems = []
    row = level_row(level_id)
    model, _, _ = ensure_model(row.level)

    def look(label):
        with draw.TextAudit() as a:
            app.frame([], DT)
        problems.extend(problems_in(a, app, label))
        problems.extend(f"{label}: cut short: {s!r}" for s in a.cuts)

    def show(scene, label):
        app.stack.push(scene)
        look(label)

    show(TitleScene(app), "title")
    show(LevelSelectScene(app), "level select")
    show(IntroScene(app, row, model), "intro")
    app.stack.pop()
    play = PlayScene(app, row, model)
    show(play, "play, first word")
    gate_along(play.session, "solution", play.session.sequence.blank)
    play.ctl.anim = None
    look("play, at the blank")
    play.handle(Input(Act.HINT))
    look("play, hint at the blank")
    app.stack.pop()
    session = PlaySession(row.level, model)
    gate_along(session, "losing", session.T)
    show(ResultsScene(app, row, model, session, 0), "results")
    for k in range(len(app.stack.top.res.menu.items)):  # every item focused (bold is wider)
        app.stack.top.res.menu.point(k)
        look(f"results item {k}")
    show(CompareScene(app, row, session, app.stack.top.res.score), "compare")
    app.stack.top.cmp.swap(False)
    look("compare, what if")
    app.stack.top.handle(Input(Act.NEXT_SLOT))
    look("compare, Tab")
    app.stack.pop()
    app.stack.pop()
    won = PlaySession(row.level, model)
    gate_along(won, "solution", won.T)
    show(CompareScene(app, row, won), "compare, a won run")
    app.stack.top.handle(Input(Act.NEXT_SLOT))
    look("compare, a won run, Tab")
    app.stack.pop()
    show(ReplaysScene(app, row), "replays")
    return problems


def gate_along(session, strategy: str, words: int) -> None:
    """Play ``words`` words of a scripted gating (game/session/scripted.py)."""
    gates = strategy_gates(session, strategy)
    for t in range(words):
        for slot in range(session.S):
            session.set_gates(slot, **{g: float(gates[t, k * session.S + slot]) for k, g in enumerate(GATES)})
        session.advance()


def audit_draw(app, scene) -> list[str]:
    """Audit a scene drawn directly (its state set by the test, not by a frame's update)."""
    assert app.stack.top is scene
    with draw.TextAudit() as a:
        scene.draw(app.screen)
    return problems_in(a, app, scene.name)


def test_no_text_leaves_its_box_or_overlaps_at_any_scale(scaled_app):
    problems = visit_every_screen(scaled_app)
    assert not problems, f"{len(problems)} text problems:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("level_id", ["01-carry", "08-two-slots", "12-finale"])
def test_nothing_a_new_player_reads_is_cut_short_at_any_scale(large_and_least_app, level_id):
    large_and_least_app.set_player("Ada")
    problems = visit_a_first_hour(large_and_least_app, level_id)
    assert not problems, f"{len(problems)} text problems:\n" + "\n".join(problems[:40])


def test_the_audit_sees_an_overflow():
    """The measuring itself: a line wider than its box is reported."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    pygame.font.init()
    surf = pygame.Surface((200, 50))
    with draw.TextAudit() as a:
        draw.text(surf, "far too long for its box", (0, 0), 18, box=pygame.Rect(0, 0, 60, 30))
    ((s, rect, box, _, _),) = a.entries
    assert rect.width > box.width


def test_a_title_notice_never_overlaps_the_menu(scaled_app):
    """A store notice (the longest: a read-only folder with a long path, then the menu's detail line
    for a missing player) sits clear of every menu item, the focused item's description and the footer."""
    app = scaled_app
    folder = "/home/a-student-with-a-long-name/.local/share/gatekeeper/" + "deeper/" * 8
    app.notice = (f"Your progress folder {folder} cannot be written: progress is shown but nothing new "
                  "is saved (set GATEKEEPER_DATA_DIR to another folder).")
    title = TitleScene(app)
    app.stack.push(title)
    for focus in range(len(title.menu.items)):
        title.menu.focus = focus
        with draw.TextAudit() as a:
            app.frame([], DT)
        problems = problems_in(a, app, f"title, item {focus} focused")
        notices = [r for s, r, *_ in a.entries if len(s.strip()) > 12 and s.strip() in app.notice]
        buttons = [r for s, r, *_ in a.entries if s == strings.t("title.quit")]
        assert buttons and notices
        problems += [f"notice line at {r} is above Quit's bottom {buttons[0].bottom}"
                     for r in notices if r.top < buttons[0].bottom]
        assert not problems, "\n".join(problems)
