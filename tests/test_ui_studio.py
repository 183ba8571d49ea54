"""The level studio driven end to end by keyboard, headless: a new level from a pattern, a typo that shows
the loader's message beside its field, training with play-test, the check over seeds, save, reopen
(Edit from level select) and play. Screenshots of each studio screen go to $STUDIO_SHOTS when set."""

from __future__ import annotations

import os
import time

import pygame
import pytest

from game.ui.app import App
from game.ui.screens import studio as studio_screen
from game.ui.screens.title import TitleScene

DT = 1 / 60


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    a = App(size=(1280, 720))
    a.stack.push(TitleScene(a))
    yield a
    a.close()


class Keys:
    def __init__(self, app):
        self.app = app

    def press(self, key, mod=0, unicode="", n=1):
        for _ in range(n):
            self.app.frame(
                [pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=unicode, scancode=0)], DT
            )

    def type(self, text):
        self.app.frame([pygame.event.Event(pygame.TEXTINPUT, text=text)], DT)

    def wait(self, done, seconds=300):
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            self.app.frame([], DT)
            time.sleep(0.01)
        assert done(), f"timed out: stack {self.app.stack.names()}"

    @property
    def top(self):
        return self.app.stack.top


def shot(app, name):
    folder = os.environ.get("STUDIO_SHOTS")
    if folder:
        app.draw(app.screen)
        pygame.image.save(app.screen, os.path.join(folder, f"{name}.png"))


def test_a_level_is_made_trained_checked_play_tested_saved_reopened_and_played_by_keyboard(
    app, tmp_path, monkeypatch
):
    monkeypatch.setattr(studio_screen, "CHECK_SEEDS", 1)  # small: one seed is enough to see the verdict
    keys = Keys(app)
    keys.press(pygame.K_RETURN)  # Campaign asks who is playing
    keys.type("Ada")
    keys.press(pygame.K_RETURN)
    assert keys.top.name == "level_select"
    keys.press(pygame.K_n)
    assert keys.top.name == "studio_pick"
    shot(app, "studio-pick")
    keys.press(pygame.K_RETURN)  # the first pattern: one clue
    studio = keys.top
    assert studio.name == "studio" and studio.form.pattern.name == "one-clue" and studio.form.valid

    # the id: a name of our own
    for _ in range(len("my-one-clue")):
        keys.press(pygame.K_BACKSPACE)
    keys.type("lesson-one")
    # a typo in the clue sentence: the loader's message appears beside the field
    clue = [f.key for f in studio.form.fields].index("clue")
    while studio.form.focus != clue:
        keys.press(pygame.K_TAB)
    keys.press(pygame.K_BACKSPACE, n=4)
    keys.type("} .")
    assert not studio.form.valid
    assert studio.form.problems["clue"][0].startswith("lesson-one.yaml:")
    shot(app, "studio-typo")
    keys.press(pygame.K_F5)  # refused while the level does not load
    assert keys.top is studio and studio.status
    keys.press(pygame.K_BACKSPACE, n=3)
    keys.type("y} .")
    assert studio.form.valid and studio.form.level.id == "lesson-one"
    shot(app, "studio-form")

    # train with the loading screen's bar, then play-test
    keys.press(pygame.K_F5)
    assert keys.top.name == "loading"
    keys.wait(lambda: keys.top.name == "intro")
    keys.press(pygame.K_RETURN)
    assert keys.top.name == "play"
    keys.press(pygame.K_ESCAPE, n=2)
    assert keys.top is studio

    # the playability check in the background, with each losing strategy's verdict in words
    keys.press(pygame.K_F6)
    keys.wait(lambda: studio.check.state != "running")
    assert studio.check.state == "done"
    text = "\n".join(studio.check.lines)
    assert "Never write" in text and "Forget on the way" in text
    assert any(v.startswith("Never write: loses") for v in studio.check.verdicts)
    shot(app, "studio-check")

    # save into the user's studio pack
    keys.press(pygame.K_s, mod=pygame.KMOD_CTRL)
    saved = tmp_path / "data" / "levels" / "studio" / "lesson-one.yaml"
    assert saved.is_file() and str(saved) in studio.status
    assert studio.form.values["title"] in saved.read_text()
    # export a copy to share, and a one-level challenge file for a class
    keys.press(pygame.K_F8)
    assert (tmp_path / "data" / "exports" / "lesson-one.yaml").read_text() == saved.read_text()
    keys.press(pygame.K_F9)
    keys.wait(lambda: studio.challenge is None)
    challenge = tmp_path / "data" / "challenges" / "lesson-one.yaml"
    assert challenge.is_file() and str(challenge) in studio.status
    from game.classroom.challenge import load_challenge

    assert [lv.level.id for lv in load_challenge(challenge).levels] == ["lesson-one"]
    shot(app, "studio-saved")

    # back to level select: the level is there; E reopens it in the studio with the same form
    keys.press(pygame.K_ESCAPE)
    select = keys.top
    assert select.name == "level_select"
    refs = [r.ref for r in select.model.rows]
    assert "user:studio/lesson-one" in refs
    select.model.point(refs.index("user:studio/lesson-one"))
    keys.press(pygame.K_e)
    again = keys.top
    assert again.name == "studio" and again.form.values == studio.form.values
    keys.press(pygame.K_ESCAPE)

    # and it plays from level select (the network trained above is cached)
    keys.press(pygame.K_RETURN)
    keys.wait(lambda: keys.top.name == "intro", 60)
    keys.press(pygame.K_RETURN)
    assert keys.top.name == "play" and keys.top.row.ref == "user:studio/lesson-one"


def test_a_hand_edited_own_level_that_fits_no_pattern_opens_read_only(app, tmp_path):
    from game.studio import files, patterns

    p = patterns.get("adding")
    folder = tmp_path / "data" / "levels" / "studio"
    files.save_level(patterns.render(p, p.example).replace("seed: 6", "seed: 60"), "my-adding", folder=folder)
    keys = Keys(app)
    keys.press(pygame.K_RETURN)
    keys.type("Ada")
    keys.press(pygame.K_RETURN)
    select = keys.top
    select.model.point([r.ref for r in select.model.rows].index("user:studio/my-adding"))
    keys.press(pygame.K_e)
    assert keys.top.name == "studio_read_only"
    shot(app, "studio-read-only")
    keys.press(pygame.K_ESCAPE)
    assert keys.top.name == "level_select"


def _new_saved_reopened(app, tmp_path, k: int):
    """Pattern k (from 1) by its number key, saved with Ctrl+S, reopened with E: the same form."""
    from game.studio import patterns

    keys = Keys(app)
    keys.press(pygame.K_RETURN)
    keys.type("Ada")
    keys.press(pygame.K_RETURN)
    keys.press(pygame.K_n)
    keys.press(pygame.K_1 + k - 1)
    made = keys.top
    assert made.name == "studio" and made.form.pattern is patterns.PATTERNS[k - 1] and made.form.valid
    keys.press(pygame.K_s, mod=pygame.KMOD_CTRL)
    level_id = made.form.level_id
    assert (tmp_path / "data" / "levels" / "studio" / f"{level_id}.yaml").is_file()
    keys.press(pygame.K_ESCAPE)
    select = keys.top
    select.model.point([r.ref for r in select.model.rows].index(f"user:studio/{level_id}"))
    keys.press(pygame.K_e)
    assert keys.top.name == "studio" and keys.top.form.values == made.form.values
    keys.press(pygame.K_ESCAPE)
    return keys, level_id


@pytest.mark.parametrize("k", range(1, 10))
def test_every_pattern_is_made_saved_and_reopened_by_keyboard(app, tmp_path, k):
    _new_saved_reopened(app, tmp_path, k)  # the number keys reach patterns 1 to 9; the tenth by arrows


def test_the_tenth_pattern_is_reached_with_the_arrow_keys(app):
    keys = Keys(app)
    keys.press(pygame.K_RETURN)
    keys.type("Ada")
    keys.press(pygame.K_RETURN)
    keys.press(pygame.K_n)
    keys.press(pygame.K_UP)  # from the first, up wraps to the last
    keys.press(pygame.K_RETURN)
    assert keys.top.name == "studio" and keys.top.form.pattern.name == "rnn"


@pytest.mark.slow
@pytest.mark.parametrize("k", range(1, 10))
def test_every_pattern_saved_from_the_studio_is_played(app, tmp_path, k):
    keys, level_id = _new_saved_reopened(app, tmp_path, k)
    keys.press(pygame.K_RETURN)  # level select: play it (trains first)
    keys.wait(lambda: keys.top.name == "intro")
    keys.press(pygame.K_RETURN)
    assert keys.top.name == "play" and keys.top.row.ref == f"user:studio/{level_id}"
