"""The classroom screens, headless and driven by the keyboard: Join a class (against a real class server
on localhost), the challenge's level list, a level played and verified by the server, hints forbidden,
a challenge file played offline and exported, the teacher's Host a class (the real `classroom serve`
as a child process) and Collect a folder. Screenshots go to $GATEKEEPER_SHOTS when it is set."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pygame
import pytest
from class_server import class_server
from classroom_fixtures import make, played
from test_ui_game import Keys, gate_by_keys

from game.classroom.challenge import Rules
from game.classroom.submission import write_submission
from game.controllers.teacher import ClassHost
from game.session.scripted import strategy_gates
from game.ui.app import App
from game.ui.screens.title import TitleScene

LEVEL = "campaign/01-carry"


def shot(app, name: str) -> None:
    folder = os.environ.get("GATEKEEPER_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        pygame.image.save(app.screen, str(Path(folder) / f"{name}.png"))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return make(tmp_path_factory.mktemp("challenge"), levels=[LEVEL, "campaign/02-keep"],
                rules=Rules(attempts_per_level=3))


@pytest.fixture
def user_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def new_app(size=(1280, 720)) -> tuple[App, Keys]:
    a = App(size=size)
    a.stack.push(TitleScene(a))
    return a, Keys(a)


@pytest.fixture
def app(user_dirs):
    a, keys = new_app()
    yield a, keys
    a.close()


def choose(keys: Keys, key: str) -> None:
    """Move the focus with ↓ to the menu or form row ``key`` and press Enter."""
    scene = keys.top
    rows = scene.current_menu().items if hasattr(scene, "current_menu") else scene.current_form().rows
    for _ in range(len(rows)):
        menu = scene.current_menu() if hasattr(scene, "current_menu") else scene.current_form()
        focused = menu.focused
        if focused.key == key:
            keys.press(pygame.K_RETURN)
            return
        keys.press(pygame.K_DOWN)
    raise AssertionError(f"no row {key!r} on {scene.name}")


def fill(keys: Keys, field: str, text: str) -> None:
    form = keys.top.current_form()
    while form.focused.key != field:
        keys.press(pygame.K_DOWN)
    assert keys.top.typing
    for _ in range(len(form.focused.text)):
        keys.press(pygame.K_BACKSPACE)
    keys.type(text)


def wait(keys: Keys, done, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"timed out on {keys.top.name}"
        keys.frames(1)
        time.sleep(0.01)


@pytest.mark.parametrize("size", [(1280, 720), (960, 600)])
def test_title_offers_join_and_teacher_and_the_menu_fits(user_dirs, size):
    a, keys = new_app(size)
    try:
        keys.frames(1)
        scene = keys.top
        assert [i.key for i in scene.menu.items][2:4] == ["join", "teacher"]
        x, y = scene.menu_pos()
        bottom = y + len(scene.menu.items) * (scene.MENU_ITEM_H + scene.MENU_ITEM_H // 4)
        assert bottom <= size[1] - 40 - 30, "the title menu runs into the footer"
        assert y >= int(size[1] * 0.16) + 150, "the title menu runs into the emblem"
        shot(a, f"title-{size[0]}x{size[1]}")
    finally:
        a.close()


def type_like_a_keyboard(keys: Keys, text: str) -> None:
    """Each character as a real keyboard sends it: KEYDOWN (with its key, Shift and unicode), then
    TEXTINPUT, so shortcuts ("?" = help, h = hint, digits, +/-, [ ]) get their chance to steal it."""
    shifted = '?!@#$%^&*()_+{}|:"<>~'
    for ch in text:
        key = pygame.K_SLASH if ch == "?" else (ord(ch.lower()) if ch.isascii() and ch.isprintable() else 0)
        keys.press(key, mod=pygame.KMOD_LSHIFT if ch in shifted or ch.isupper() else 0, unicode=ch)
        keys.type(ch)


def test_text_fields_get_question_marks_and_symbols_not_shortcuts(app):
    a, keys = app
    choose(keys, "join")
    address, nickname = "http://10.0.0.5:8000/?x=[1]&y=+h-e", "Ada? <b>#1</b> 100% (k/w)!"
    fill(keys, "address", "")
    type_like_a_keyboard(keys, address)
    fill(keys, "nickname", "")
    type_like_a_keyboard(keys, nickname)
    assert a.stack.names()[-1] == "join", "a key typed into a field opened another screen"
    form = keys.top.current_form()
    assert [form.field("address").text, form.field("nickname").text] == [address, nickname]
    keys.press(pygame.K_ESCAPE)
    assert keys.top.name == "title" and not keys.top.typing
    keys.press(pygame.K_SLASH, mod=pygame.KMOD_LSHIFT, unicode="?")  # outside a field "?" is help
    assert keys.top.name == "help"


def test_join_play_and_see_the_servers_verdict(app, made, tmp_path):
    a, keys = app
    with class_server(made[0], tmp_path / "server") as server:
        choose(keys, "join")
        assert keys.top.name == "join"
        fill(keys, "address", server.url.removeprefix("http://"))
        fill(keys, "code", server.code.lower())
        fill(keys, "nickname", "Calm Otter 12")
        keys.frames(2)
        shot(a, "join")
        choose(keys, "join")
        wait(keys, lambda: keys.top.name == "class_levels")
        levels = keys.top
        assert [i.key for i in levels.menu.items] == [f"level:{LEVEL}", "level:campaign/02-keep", "back"]
        assert "3 attempts left" in levels.menu.items[0].detail
        keys.frames(2)
        shot(a, "class-levels")
        keys.press(pygame.K_RETURN)
        play = keys.until("play")
        gate_by_keys(keys, strategy_gates(play.session, "solution"))
        results = keys.until("results")
        kind, upload = results.class_upload
        assert kind == "sent" and upload is not None
        wait(keys, lambda: (results.class_note() or ("",))[0].startswith("✓ Verified"))
        note = results.class_note()[0]
        assert note == f"✓ Verified by the class server: {a.store.upload_status(upload)['score']:.1f} points"
        keys.frames(1)
        shot(a, "results-verified")
        keys.press(pygame.K_ESCAPE)
        assert keys.until("class_levels").menu.items[0].detail.startswith("2 attempts left · best verified ")
        with_board = json.loads(__import__("httpx").get(f"{server.url}/api/board").text)
        assert [r["name"] for r in with_board["rows"]] == ["Calm Otter 12"]


def test_hints_forbidden_by_the_challenge_say_so(app, tmp_path):
    a, keys = app
    path, ch = make(tmp_path / "nohints", levels=[LEVEL], rules=Rules(hints_allowed=False), name="nh.yaml")
    with class_server(path, tmp_path / "server") as server:
        choose(keys, "join")
        fill(keys, "address", server.url)
        fill(keys, "code", server.code)
        fill(keys, "nickname", "Quiet Owl 7")
        choose(keys, "join")
        wait(keys, lambda: keys.top.name == "class_levels")
        assert "no hints" in keys.top.cls.rules_line()
        keys.press(pygame.K_RETURN)
        play = keys.until("play")
        keys.press(pygame.K_h)
        assert play.ctl.message == "Hints are off in this challenge." and play.session.state.hints == 0
        assert play.ctl.text_hint is None


def test_offline_challenge_file_played_and_exported(app, made, user_dirs):
    a, keys = app
    choose(keys, "join")
    choose(keys, "offline")
    assert keys.top.name == "open_challenge"
    fill(keys, "path", str(made[0]))
    fill(keys, "nickname", "Zoë K")
    keys.frames(1)
    shot(a, "open-challenge")
    choose(keys, "open")
    levels = keys.until("class_levels")
    assert not levels.cls.online and [i.key for i in levels.menu.items][-2:] == ["export", "back"]
    choose(keys, "export")
    assert levels.message == "Play a level first: there is nothing to export yet."
    keys.press(pygame.K_UP, n=5)
    keys.press(pygame.K_RETURN)
    play = keys.until("play")
    gate_by_keys(keys, strategy_gates(play.session, "solution"))
    results = keys.until("results")
    assert results.class_note()[0] == "Kept for your submission (export it from the challenge's list)."
    keys.press(pygame.K_ESCAPE)
    keys.until("class_levels")
    choose(keys, "export")
    written = Path(levels.message.removeprefix("Written: "))
    assert written.parent == user_dirs / "data" / "submissions" and written.name.startswith("gatekeeper-Zo")
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["nickname"] == "Zoë K" and len(data["attempts"]) == 1
    keys.frames(1)
    shot(a, "class-levels-offline")


def test_teacher_hosts_a_class_and_leaving_stops_it(app, made, tmp_path):
    a, keys = app
    choose(keys, "teacher")
    assert keys.top.name == "teacher"
    keys.frames(1)
    shot(a, "teacher")
    choose(keys, "host")
    host_scene = keys.top
    hosts = []

    def factory(path):
        extra = ["--port", "0", "--host", "127.0.0.1", "--no-discovery", "--workers", "1",
                 "--data", str(tmp_path / "class")]
        hosts.append(ClassHost(path, extra))
        return hosts[-1]

    host_scene.host_factory = factory
    fill(keys, "path", str(made[0]))
    choose(keys, "start")
    wait(keys, lambda: hosts[0].poll() != "starting", 90)
    assert hosts[0].state == "running", hosts[0].error
    h = hosts[0]
    assert len(h.code) == 6 and h.url.startswith("http://127.0.0.1:") and h.teacher_url.endswith(h.token)
    lines = [text for text, _, _ in host_scene.lines()]
    assert lines[0] == f"Join code: {h.code}" and h.url in lines[1]
    import httpx
    assert httpx.get(f"{h.url}/api/challenge", timeout=10).json()["title"] == "Week 3"
    keys.frames(1)
    shot(a, "host-running")
    keys.press(pygame.K_ESCAPE)
    assert keys.top.name == "teacher" and h.proc.poll() is not None, "leaving the screen stops the server"


def test_teacher_collects_a_folder(app, made, tmp_path):
    a, keys = app
    _, ch = made
    folder = tmp_path / "handed-in"
    write_submission(folder, "Ada", ch, [played(ch, LEVEL, player="Ada")])
    (folder / "gatekeeper-broken.json").write_text("{not json")
    choose(keys, "teacher")
    choose(keys, "collect")
    fill(keys, "path", str(made[0]))
    fill(keys, "folder", str(folder))
    fill(keys, "csv", str(tmp_path / "grades.csv"))
    choose(keys, "collect")
    scene = keys.top
    wait(keys, lambda: scene.job is None, 60)
    assert not scene.form.error, scene.form.message
    assert scene.form.message.endswith(f"CSV written: {tmp_path / 'grades.csv'}")
    assert (tmp_path / "grades.csv").exists()
    assert any("gatekeeper-broken.json" in line for line in scene.report)
    keys.frames(1)
    shot(a, "collect")


def test_the_upload_queue_resumes_when_the_game_starts_again(user_dirs, made, tmp_path):
    """Played while the server was away, the game closed; the next start sends it."""
    from class_server import free_port

    from game.classroom.student import join_class
    from game.progress import ProgressStore

    path, ch = made
    port = free_port()
    with class_server(path, tmp_path / "server", port) as s:
        with ProgressStore() as store:
            cls = join_class(store, s.url, s.code, "Bold Lynx 5")
    with ProgressStore() as store:
        store.queue_upload(cls.membership_id, LEVEL, json.dumps(played(ch, LEVEL, player="Bold Lynx 5")))
    with class_server(path, tmp_path / "server", port):
        a, keys = new_app()
        try:
            assert a._uploads is not None and a._uploads.running, "queued uploads start going out at start-up"
            wait(keys, lambda: not a.store.pending_uploads())
            assert [u["state"] for u in a.store.class_uploads()] == ["accepted"]
        finally:
            a.close()


def test_frames_never_wait_for_an_absent_server(app, made):
    """Joining a server that does not answer happens in the background: frames keep coming."""
    import socket

    a, keys = app
    with socket.socket() as listener:  # accepts, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        choose(keys, "join")
        fill(keys, "address", f"127.0.0.1:{listener.getsockname()[1]}")
        fill(keys, "code", "ABCDEF")
        fill(keys, "nickname", "Kind Seal 1")
        choose(keys, "join")
        start = time.monotonic()
        keys.frames(30)
        assert time.monotonic() - start < 2.0 and keys.top.job is not None


def test_a_long_challenge_list_scrolls_with_the_focus_at_960x600(user_dirs, tmp_path):
    """Fourteen levels and Export/Back at the smallest window: the list scrolls so the focused button is
    always whole and in view, nothing overflows or overlaps (the layout audit), and the mouse cannot
    reach a button scrolled out of view."""
    from test_ui_layout import audit

    from game.classroom.student import load_offline
    from game.ui.app import MIN_SIZE
    from game.ui.screens.class_levels import ClassLevelsScene

    levels = [f"campaign/{p.stem}" for p in sorted((Path(__file__).parents[1] / "levels" / "campaign")
                                                   .glob("[0-9][0-9]-*.yaml"))]
    assert len(levels) >= 14
    path, _ = make(tmp_path, levels=levels[:14], title="Every level")
    a, keys = new_app(MIN_SIZE)
    try:
        a.classroom = load_offline(path, "Ada", a.store)
        a.stack.push(ClassLevelsScene(a))
        scene = keys.top
        assert len(scene.menu.items) == 16 and a.screen.get_size() == MIN_SIZE
        problems = []
        for k in range(16):
            keys.frames(1)
            problems += audit(a, f"class levels, focus {k}")
            rect = scene.list_rect()
            focused = pygame.Rect(scene.menu_pos()[0], scene.menu_pos()[1] + k * 55, rect.width, 44)
            assert scene.menu.focus == k and rect.contains(focused), f"focus {k} at {focused} not in {rect}"
            assert rect.bottom <= MIN_SIZE[1] - 40 - 40
            if k in (0, 15):
                shot(a, f"class-levels-14-focus-{k}")
            if k < 15:
                keys.press(pygame.K_DOWN)
        assert not problems, "\n".join(problems[:20])
        assert scene.scroll() > 0
        # the first level is scrolled above the list: hovering where it would be does not focus it
        hidden = (scene.menu_pos()[0] + 20, scene.menu_pos()[1] + 20)
        a.frame([pygame.event.Event(pygame.MOUSEMOTION, pos=hidden, rel=(0, 0), buttons=(0, 0, 0))], 1 / 60)
        assert scene.menu.focus == 15
    finally:
        a.close()


def test_a_timed_class_shows_the_time_left_and_ends_the_attempt_when_it_is_up(user_dirs, tmp_path):
    """A challenge with a 5 min limit: the play screen's header counts down; when the time is up the
    words left are read with the gates as they are, the results say so plainly, and the attempt is kept
    (here offline) and verifies under the challenge's rules."""
    from test_ui_layout import audit

    from game.classroom.student import load_offline
    from game.classroom.verify import verify_attempt
    from game.ui.app import MIN_SIZE
    from game.ui.screens.class_levels import class_row
    from game.ui.screens.play import PlayScene

    path, ch = make(tmp_path, levels=[LEVEL], rules=Rules(time_limit_seconds=300))
    a, keys = new_app(MIN_SIZE)
    try:
        a.classroom = load_offline(path, "Ada", a.store)
        a.stack.push(PlayScene(a, class_row(a.classroom, LEVEL), ch.level(LEVEL).model()))
        play = keys.top
        now = [0.0]
        play.ctl.start_clock(300, clock=lambda: now[0])
        now[0] = 61.2
        with draw_audit() as seen:
            keys.frames(1)
        assert any("word 1 of" in s and s.endswith("3:59 left") for s in seen), seen
        assert not audit(a, "play with a time limit")
        shot(a, "play-time-left")
        keys.press(pygame.K_SPACE)  # one word read by the player, then the time runs out
        now[0] = 300.0
        results = keys.until("results")
        assert play.ctl.timed_out
        assert results.time_up == "Time was up (5:00): the rest was read with your last gates."
        assert results.class_note()[0] == "Kept for your submission (export it from the challenge's list)."
        with draw_audit() as seen:
            keys.frames(1)
        assert results.time_up in seen, "the time-up line is cut short"
        shot(a, "results-time-up")
        problems = audit(a, "results, time up")
        assert not problems, problems
        kept = a.classroom.offline_attempts
        assert len(kept) == 1
        v = verify_attempt(ch, kept[0])
        assert v.level_id == LEVEL and len(json.loads(kept[0])["history"]) >= 2
    finally:
        a.close()


def draw_audit():
    """The texts one frame draws (game/ui/draw.py TextAudit), as a list filled on exit."""
    from contextlib import contextmanager

    from game.ui import draw

    @contextmanager
    def go():
        texts: list[str] = []
        with draw.TextAudit() as audit:
            yield texts
        texts.extend(s for s, *_ in audit.entries)
    return go()
