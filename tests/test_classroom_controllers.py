"""The classroom screens' logic without a window: the keyboard form, nicknames, the class's rules as the
student sees them, and the teacher's hosting of `classroom serve` failing with the server's own reason."""

from __future__ import annotations

import random
import time

import pytest
from classroom_fixtures import make

from game.classroom.challenge import Rules
from game.classroom.student import ClassSession, friendly_names, load_offline
from game.controllers.classroom import Button, Field, Form
from game.controllers.teacher import FAILED, ClassHost, serve_command


def test_form_moves_skips_disabled_buttons_types_and_confirms():
    form = Form([Field("a", "A"), Button("off", "Off", enabled=False), Button("go", "Go"), Field("b", "B")])
    assert form.typing
    form.type("hé\x1b\nllo")
    assert form.field("a").text == "héllo", "control characters are never typed"
    form.erase()
    assert form.field("a").text == "héll"
    assert form.confirm() is None and form.focused.key == "go", "Enter on a field moves on, past disabled"
    assert not form.typing and form.confirm() == "go"
    form.move(1)
    form.move(1)
    assert form.focused.key == "a", "wraps around"
    form.move(-1)
    assert form.focused.key == "b"


def test_found_classes_come_and_go_without_moving_the_focus():
    form = Form([Field("address", "A"), Field("code", "C"), Button("join", "Join")], focus=2)
    found = [Button("found:1.2.3.4:8000", "x"), Button("found:5.6.7.8:80", "y")]
    form.replace_buttons("code", "found:", found)
    assert [r.key for r in form.rows] == ["address", "code", "found:1.2.3.4:8000", "found:5.6.7.8:80", "join"]
    assert form.focused.key == "join"
    form.replace_buttons("code", "found:", [])
    assert [r.key for r in form.rows] == ["address", "code", "join"] and form.focused.key == "join"


def test_a_field_is_bounded():
    f = Field("nickname", "N", most=40)
    f.type("x" * 100)
    assert len(f.text) == 40


def test_friendly_nicknames_are_different_and_reproducible():
    names = friendly_names(random.Random(3), 5)
    assert len(set(names)) == 5 and names == friendly_names(random.Random(3), 5)
    assert all(len(n) <= 40 and len(n.split()) == 3 for n in names)


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    return make(tmp_path_factory.mktemp("c"), levels=["01-carry"],
                rules=Rules(attempts_per_level=2, hints_allowed=False, time_limit_seconds=300))


def test_rules_as_the_student_reads_them(limited):
    path, ch = limited
    cls = load_offline(path, "Ada")
    assert not cls.online and cls.owns("campaign/01-carry") and not cls.owns("01-carry")
    assert cls.rules_line() == "2 attempts per level · no hints · 5 min per attempt"
    assert cls.hint_refusal() == "Hints are off in this challenge."
    assert cls.attempts_left(None, "campaign/01-carry") == 2
    assert cls.submit("campaign/01-carry", "{}") is None and cls.offline_attempts == ["{}"]


def test_attempts_left_counts_queued_and_accepted_but_not_refused(limited, tmp_path):
    from game.progress import ProgressStore

    _, ch = limited
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        m = store.save_membership("http://h:1", "ABCDEF", "Ada", "tok")
        cls = ClassSession("http://h:1", "ABCDEF", "Ada", "tok", m, ch)
        level = "campaign/01-carry"
        a = store.queue_upload(m, level, "{}")
        assert cls.attempts_left(store, level) == 1
        store.upload_done(a, False, reason="outside the time window")
        assert cls.attempts_left(store, level) == 2
        store.upload_done(store.queue_upload(m, level, "{}"), True, 50.0, 1)
        store.queue_upload(m, level, "{}")
        assert cls.attempts_left(store, level) == 0
        assert cls.status_line(store) == "Verified 1 · waiting 1 · refused 1"


def test_hosting_a_file_that_is_not_a_challenge_fails_with_the_servers_reason(tmp_path):
    bad = tmp_path / "week.yaml"
    bad.write_text("title: [unclosed\n")
    host = ClassHost(bad, ["--port", "0", "--no-discovery", "--data", str(tmp_path / "d")])
    deadline = time.monotonic() + 60
    while host.poll() not in (FAILED,) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert host.state == FAILED and str(bad) in host.error and "\n" not in host.error
    host.stop()


def test_the_serve_command_is_the_games_own_entry_point(tmp_path):
    cmd = serve_command(tmp_path / "c.yaml", ["--port", "0"])
    assert cmd[-6:] == ["classroom", "serve", str(tmp_path / "c.yaml"), "--json", "--port", "0"]
    assert cmd[1].endswith("main.py")


def test_offline_attempts_survive_closing_the_game_and_are_exported(limited, tmp_path):
    """Played offline, the game closed before "Export my submission": the reopened game still exports it
    (kept in the progress file, schema v3), and only for that challenge and nickname."""
    import json

    from classroom_fixtures import played

    from game.classroom.submission import read_submission, write_submission
    from game.progress import ProgressStore

    path, ch = limited
    attempt = json.dumps(played(ch, "campaign/01-carry", player="Ada"))
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        cls = load_offline(path, "Ada", store)
        assert cls.offline_attempts == []
        cls.submit("campaign/01-carry", attempt)
    with ProgressStore(tmp_path / "p.sqlite3") as store:  # the game started again
        again = load_offline(path, "Ada", store)
        assert again.offline_attempts == [attempt]
        assert load_offline(path, "Bea", store).offline_attempts == []
        out = write_submission(tmp_path / "out", again.nickname, again.challenge, again.offline_attempts)
    sub = read_submission(out)
    assert sub.challenge_hash == ch.challenge_hash and sub.attempts == [json.loads(attempt)]


def test_when_the_time_runs_out_the_attempt_is_finished_as_it_stands(limited):
    """A class's time limit on the play screen's controller, on a fake clock: the time left counts down,
    and at 0 the words left are read with the gates as they are (no more play), once."""
    from game.controllers.play import PlayController
    from game.session.commands import Advance
    from game.session.session import PlaySession

    _, ch = limited
    level, model = ch.level("campaign/01-carry").playable()
    session = PlaySession(level, model)
    ctl = PlayController(session)
    assert ctl.time_left is None and not ctl.check_time()
    now = [1000.0]
    ctl.start_clock(300, clock=lambda: now[0])
    session.apply(Advance())
    now[0] += 299.5
    assert ctl.time_left == 0.5 and not ctl.check_time() and not session.finished
    now[0] += 1
    assert ctl.time_left == 0.0 and ctl.check_time()
    assert session.finished and ctl.finished and ctl.timed_out
    assert all(a == Advance() for a in session.history) and len(session.history) == session.T
    assert not ctl.check_time()  # once
