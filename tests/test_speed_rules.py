"""What keeps the game fast, as behaviour (the figures themselves are in benchmarks/): parsed levels are
cached by content and never stale, and a still screen is not redrawn sixty times a second."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pygame  # noqa: E402
import pytest  # noqa: E402

from game import paths  # noqa: E402
from game.levels import loader  # noqa: E402
from game.levels.loader import LevelError, load_level, load_packs  # noqa: E402

CARRY = paths.levels_dir() / "campaign" / "01-carry.yaml"


# -- levels parsed once per content ------------------------------------------------------------------------
def test_an_unchanged_level_file_is_the_same_parsed_object_and_an_edited_one_is_parsed_again(tmp_path):
    file = tmp_path / "01-carry.yaml"
    text = CARRY.read_text()
    file.write_text(text)
    first = load_level(file)
    assert load_level(file) is first
    file.write_text(text.replace("title: ", "title: Edited ", 1))
    edited = load_level(file)
    assert edited is not first and edited.title.startswith("Edited ") and not first.title.startswith("Edited")
    file.write_text(text)  # back to the first bytes: the first parse again, not the edited one
    assert load_level(file) is first


def test_the_same_bytes_under_another_name_are_checked_for_that_name(tmp_path):
    (tmp_path / "01-carry.yaml").write_text(CARRY.read_text())
    (tmp_path / "other.yaml").write_text(CARRY.read_text())
    assert load_level(tmp_path / "01-carry.yaml").id == "01-carry"
    with pytest.raises(LevelError, match="other.yaml.*must be the file name"):
        load_level(tmp_path / "other.yaml")  # the id must be the file name: a cached parse must not hide it


def test_a_broken_file_reports_the_same_problems_every_time_until_it_is_fixed(tmp_path):
    file = tmp_path / "01-carry.yaml"
    file.write_text(CARRY.read_text().replace("title:", "titel:", 1))
    with pytest.raises(LevelError) as one:
        load_level(file)
    with pytest.raises(LevelError) as two:
        load_level(file)
    assert one.value is not two.value and one.value.problems == two.value.problems
    assert "titel" in str(two.value)
    file.write_text(CARRY.read_text())
    assert load_level(file).id == "01-carry"


def test_the_cache_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "PARSED_CACHE_SIZE", 3)
    file = tmp_path / "01-carry.yaml"
    for k in range(6):
        file.write_text(CARRY.read_text() + f"\n# edit {k}\n")
        load_level(file)
    assert len(loader._PARSED) <= 3


def test_level_select_lists_shipped_levels_from_the_cache_on_the_second_opening():
    first = {e.name: e.level for p in load_packs(paths.levels_dir()) for e in p.entries}
    again = {e.name: e.level for p in load_packs(paths.levels_dir()) for e in p.entries}
    assert first.keys() == again.keys() and all(again[k] is first[k] for k in first)


# -- the frame loop ----------------------------------------------------------------------------------------
class FakeClock:
    """pygame.time.Clock's tick, without sleeping: every call is one 60 fps frame (16 ms)."""

    def __init__(self):
        self.ticks = 0

    def tick(self, fps: int = 0) -> int:
        self.ticks += 1
        return 16


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    from game.ui.app import App
    from game.ui.screens.title import TitleScene

    a = App(size=(1280, 720))
    a.stack.push(TitleScene(a))
    a.frame([], 1 / 60)
    pygame.event.clear()
    yield a
    a.close()


def test_a_still_screen_waits_for_input_instead_of_drawing_every_frame(app):
    from game.ui.app import IDLE_REDRAW_MS

    assert not app.moving()
    clock = FakeClock()
    events, dt = app.next_events(clock)
    assert events == [] and dt * 1000 >= IDLE_REDRAW_MS  # one frame to draw after waiting ...
    assert clock.ticks >= IDLE_REDRAW_MS // 16  # ... through every 16 ms tick in between


def test_input_is_answered_at_the_next_tick_with_one_frame_of_time(app):
    clock = FakeClock()
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_DOWN, mod=0, unicode="", scancode=0))
    events, dt = app.next_events(clock)
    assert clock.ticks == 1 and [e.type for e in events] == [pygame.KEYDOWN] and dt == pytest.approx(1 / 60)


def test_autoplay_and_animations_draw_every_frame_until_they_stop(app):
    from game.levels.training import ensure_model
    from game.ui.launch import level_row
    from game.ui.screens.play import PlayScene

    row = level_row("01-carry")
    model, _, _ = ensure_model(row.level)
    scene = PlayScene(app, row, model, "model")
    app.stack.push(scene)
    clock = FakeClock()
    assert app.moving()
    app.next_events(clock)
    assert clock.ticks == 1  # no waiting while the network plays
    for _ in range(120):
        app.frame([], 1 / 60)
    scene.ctl.autoplay.paused = True
    while scene.ctl.anim is not None:
        assert app.moving()  # the word being read finishes its animation at full frame rate
        app.frame([], 1 / 60)
    assert not app.moving()  # paused, nothing moves: the loop may wait
    scene.ctl.autoplay.paused = False
    assert app.moving()


def test_the_shipped_levels_are_parsed_in_the_background_for_level_select(app, monkeypatch):
    monkeypatch.setattr(loader, "_PARSED", type(loader._PARSED)())
    app.prefetch_levels().join(timeout=120)
    assert len(loader._PARSED) >= len([e for _, p in app.packs() for e in p.entries])
    cached = set(map(id, loader._PARSED.values()))
    assert all(id(e.level) in cached for _, p in app.packs() for e in p.entries if e.ok)
