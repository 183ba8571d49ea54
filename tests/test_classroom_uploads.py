"""The student's client and upload queue (game/classroom/client.py, uploads.py) and the progress store's
class tables (schema v2): one-line errors for a server that is away or silent, the retry policy, and
a queue that survives closing the game. Tests against a real class server are in
tests/test_classroom_student.py."""

from __future__ import annotations

import socket
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from game.classroom.client import ClassClient, ClassError, normalize_url, one_line
from game.classroom.uploads import RetryPolicy, UploadQueue
from game.progress import MIGRATIONS, ProgressStore, StoreError


@pytest.fixture
def db(tmp_path):
    return tmp_path / "progress.sqlite3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the client's errors ------------------------------------------------------------------------------

def test_connection_refused_is_one_retriable_line():
    port = free_port()  # nothing listens there now
    with ClassClient(f"127.0.0.1:{port}", timeout=2) as c, pytest.raises(ClassError) as err:
        c.board()
    msg = str(err.value)
    assert msg == f"cannot reach the class server at http://127.0.0.1:{port} (connection refused)"
    assert err.value.retriable and err.value.status is None


def test_a_server_that_never_answers_times_out_in_one_line():
    with socket.socket() as listener:   # accepts connections (the kernel's backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        with ClassClient(f"http://127.0.0.1:{port}", timeout=0.5) as c, pytest.raises(ClassError) as err:
            c.join("ABCDEF", "Calm Otter 12")
    assert str(err.value) == f"the class server at http://127.0.0.1:{port} did not answer within 0.5 s"
    assert err.value.retriable and "\n" not in str(err.value)


@pytest.mark.parametrize("typed, url", [
    ("192.168.1.20:8000", "http://192.168.1.20:8000"),
    ("http://host:8000/", "http://host:8000"),
    (" https://class.school.example ", "https://class.school.example"),
    ("localhost", "http://localhost"),
])
def test_addresses_as_people_type_them(typed, url):
    assert normalize_url(typed) == url


@pytest.mark.parametrize("typed", ["", "ftp://host", "http://", "host:99999", "file:///etc/passwd"])
def test_addresses_that_are_not_servers_are_refused_in_one_line(typed):
    with pytest.raises(ClassError) as err:
        normalize_url(typed)
    assert "\n" not in str(err.value) and not err.value.retriable


@given(st.text(max_size=2000))
def test_server_text_becomes_one_short_printable_line(text):
    line = one_line(text)
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and len(line) <= 200
    assert "\u202e" not in line  # no bidi override reaches a terminal or the screen


def test_an_oversized_replay_is_refused_before_sending():
    with ClassClient("127.0.0.1:9", timeout=1) as c, pytest.raises(ClassError, match="too large"):
        c.upload("token", b"x" * (256 * 1024 + 1))


# -- the retry policy -----------------------------------------------------------------------------------

def test_backoff_doubles_and_is_capped():
    p = RetryPolicy(first=2.0, factor=2.0, most=60.0)
    assert [p.delay(n) for n in range(0, 8)] == [0.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert p.delay(10_000) == 60.0


@given(st.integers(min_value=1, max_value=10_000))
def test_backoff_never_shrinks(n):
    p = RetryPolicy()
    assert 0 < p.delay(n) <= p.delay(n + 1) <= p.most


# -- the progress store's class tables -------------------------------------------------------------------

def test_upgrade_to_v2_keeps_old_progress_and_adds_the_class_tables(db):
    with ProgressStore(db, migrations=MIGRATIONS[:1]) as s:
        s.record_attempt("Ada", "01-carry", 4.0, 2, True, '{"r": 1}')
        assert s.schema_version == 1
    with ProgressStore(db, migrations=MIGRATIONS[:2]) as s:
        assert s.schema_version == 2 and s.moved_aside is None
        assert s.best("Ada", "01-carry")["score"] == 4.0
        m = s.save_membership("http://10.0.0.5:8000", "ABCDEF", "Calm Otter 12", "tok", "Week 3", "Ada")
        assert s.memberships()[0]["id"] == m
    with ProgressStore(db) as s:  # v3: offline class attempts; v2's data kept
        assert s.schema_version == 3 and s.memberships()[0]["id"] == m
        s.save_offline_attempt("abc", "Ada", "campaign/01-carry", "{}")
        assert s.offline_attempts("abc", "Ada") == ["{}"]


def test_rejoining_replaces_the_token_and_keeps_the_membership(db):
    with ProgressStore(db) as s:
        a = s.save_membership("http://h:1", "ABCDEF", "Calm Otter 12", "first", "T")
        b = s.save_membership("http://h:1", "ABCDEF", "Calm Otter 12", "second", "T")
        assert a == b and [m["token"] for m in s.memberships()] == ["second"]


def test_queued_upload_states(db):
    with ProgressStore(db) as s:
        m = s.save_membership("http://h:1", "ABCDEF", "Calm Otter 12", "tok")
        u1 = s.queue_upload(m, "warmup", '{"a": 1}')
        u2 = s.queue_upload(m, "warmup", '{"a": 2}', hints_offline=True)
        assert [p["id"] for p in s.pending_uploads()] == [u1, u2]
        assert s.pending_uploads()[0]["token"] == "tok" and s.pending_uploads()[0]["replay"] == '{"a": 1}'
        s.upload_tried(u1)
        s.upload_done(u1, True, 87.5, 3)
        s.upload_done(u2, False, reason="too many attempts")
        assert s.pending_uploads() == []
        one, two = s.upload_status(u1), s.upload_status(u2)
        assert (one["state"], one["score"], one["stars"], one["tries"]) == ("accepted", 87.5, 3, 2)
        assert (two["state"], two["reason"], two["hints_offline"]) == ("refused", "too many attempts", True)
        with pytest.raises(StoreError):
            s.upload_done(u1, True, float("nan"), 3)


def test_a_queued_upload_survives_closing_the_store(db):
    with ProgressStore(db) as s:
        m = s.save_membership("http://h:1", "ABCDEF", "Calm Otter 12", "tok")
        u = s.queue_upload(m, "warmup", '{"a": 1}')
    with ProgressStore(db) as s:
        assert [p["id"] for p in s.pending_uploads()] == [u]


def test_edited_upload_rows_are_skipped_not_sent(db):
    with ProgressStore(db) as s:
        m = s.save_membership("http://h:1", "ABCDEF", "Calm Otter 12", "tok")
        s.queue_upload(m, "warmup", '{"a": 1}')
        good = s.queue_upload(m, "warmup", '{"a": 2}')
    raw = sqlite3.connect(db)
    raw.execute("UPDATE class_uploads SET level_id = ? WHERE id = 1", ("x" * 100_000,))
    raw.commit()
    raw.close()
    with ProgressStore(db) as s:
        assert [p["id"] for p in s.pending_uploads()] == [good]
        assert "skipped" in s.notice


# -- the queue against a server that is away ---------------------------------------------------------------

def test_uploads_wait_with_backoff_while_the_server_is_away(db):
    port = free_port()
    with ProgressStore(db) as s:
        m = s.save_membership(f"http://127.0.0.1:{port}", "ABCDEF", "Calm Otter 12", "tok")
        q = UploadQueue(s, policy=RetryPolicy(first=2.0, most=8.0),
                        client_factory=lambda url: ClassClient(url, timeout=1.0))
        u = q.enqueue(m, "warmup", '{"a": 1}')
        assert q.run_once(now=100.0) == 2.0
        news = q.updates()
        assert [(n.upload_id, n.kind) for n in news] == [(u, "waiting")]
        assert "connection refused" in news[0].reason
        assert q.run_once(now=101.0) == pytest.approx(1.0), "not retried before it is due"
        assert q.updates() == []
        assert q.run_once(now=102.0) == 4.0                 # second failure: twice as long
        assert s.upload_status(u)["tries"] == 2 and s.upload_status(u)["state"] == "queued"
        q.retry_now()
        assert q.run_once(now=102.5) == 2.0, "retry_now forgets the backoff"


def test_a_hint_the_server_missed_marks_the_next_attempt_self_reported(db):
    port = free_port()  # the server is away
    with ProgressStore(db) as s:
        m = s.save_membership(f"http://127.0.0.1:{port}", "ABCDEF", "Calm Otter 12", "tok")
        q = UploadQueue(s, client_factory=lambda url: ClassClient(url, timeout=1.0))
        q.ask_hint(m, f"http://127.0.0.1:{port}", "tok", "warmup", 3)
        q.run_once(now=0.0)
        hint = [n for n in q.updates() if n.kind == "hint"]
        assert len(hint) == 1 and "connection refused" in hint[0].reason
        first = q.enqueue(m, "warmup", '{"a": 1}')
        second = q.enqueue(m, "warmup", '{"a": 2}')
        other = q.enqueue(m, "other", '{"a": 3}')
        assert [s.upload_status(u)["hints_offline"] for u in (first, second, other)] == [True, False, False]
