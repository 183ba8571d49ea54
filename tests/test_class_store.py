"""The class server's store (game/server/store.py): the same tests on SQLite (always) and on a real
PostgreSQL when GATEKEEPER_TEST_POSTGRES holds its URL (.ci/run starts one); and two server processes
sharing one PostgreSQL database (a school-wide server)."""

from __future__ import annotations

import os
import secrets
import threading
import time

import httpx
import pytest
from class_server_util import LEVELS, Server, make_challenge, record, wait_until

from game.server.store import AttemptNotStored, NameTaken, SQLiteStore, open_store, token_hash

PG_URL = os.environ.get("GATEKEEPER_TEST_POSTGRES")
needs_pg = pytest.mark.skipif(not PG_URL, reason="GATEKEEPER_TEST_POSTGRES is not set: no PostgreSQL to test "
                                                 "against (.ci/run starts one and sets it)")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=needs_pg)])
def open_(request, tmp_path):
    """A function opening a new connection to the same store (as another server process would)."""
    opened = []

    def make():
        store = open_store(tmp_path) if request.param == "sqlite" else open_store(db_url=PG_URL)
        opened.append(store)
        return store
    yield make
    for store in opened:
        store.close()


def new_class(store):
    return store.open_class(secrets.token_hex(32), "T", lambda: secrets.token_hex(3).upper(),
                            lambda: secrets.token_urlsafe(24))[0]


def attempt(store, cls, sid, key=None, level="L", score=50.0, limit=None):
    return store.add_attempt(cls.id, sid, level_id=level, score=score, stars=1, wins=False, hints=0,
                             result_json="{}", replay_json="{}", level_hash="a" * 64, network_hash="b" * 64,
                             play_key=key or secrets.token_hex(16), max_attempts=limit)


def test_sqlite_runs_in_wal_mode(tmp_path):
    store = open_store(tmp_path)
    try:
        assert isinstance(store, SQLiteStore) and store.journal_mode() == "wal"
    finally:
        store.close()


def test_a_class_resumes_with_the_same_code_and_token(open_):
    store = open_()
    chash = secrets.token_hex(32)
    first, created = store.open_class(chash, "T", lambda: secrets.token_hex(3), lambda: "token-1")
    again, created_again = open_().open_class(chash, "T", lambda: "OTHER", lambda: "token-2")
    assert created and not created_again
    assert (again.id, again.code, again.teacher_token) == (first.id, first.code, "token-1")


def test_a_code_in_use_is_drawn_again(open_):
    store = open_()
    taken = new_class(store).code
    codes = iter([taken, "FRESH" + secrets.token_hex(2)])
    record_, _ = store.open_class(secrets.token_hex(32), "T", lambda: next(codes), lambda: "t")
    assert record_.code != taken and record_.code.startswith("FRESH")


def test_students_names_are_unique_ignoring_case_and_tokens_are_stored_hashed(open_):
    store = open_()
    cls = new_class(store)
    st = store.add_student(cls.id, "Ann", token_hash("secret-token"), None)
    with pytest.raises(NameTaken):
        store.add_student(cls.id, "ANN", token_hash("other"), None)
    assert store.student_by_token(cls.id, token_hash("secret-token")) == st
    assert store.student_by_token(cls.id, token_hash("secret-tokeN")) is None


def test_the_attempt_limit_holds_when_uploads_race_on_two_connections(open_):
    a, b = open_(), open_()
    cls = new_class(a)
    sid = a.add_student(cls.id, "Ann", token_hash(secrets.token_hex()), None).id
    stored, refused = [], []

    def go(store):
        try:
            stored.append(attempt(store, cls, sid, limit=3))
        except AttemptNotStored as e:
            refused.append(e.why)
    threads = [threading.Thread(target=go, args=(s,)) for s in (a, b) * 6]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stored) == 3 and refused == ["limit"] * 9
    assert a.count_attempts(cls.id, sid, "L") == 3


def test_the_same_play_is_stored_once(open_):
    store = open_()
    cls = new_class(store)
    ann = store.add_student(cls.id, "Ann", token_hash("a"), None).id
    bob = store.add_student(cls.id, "Bob", token_hash("b"), None).id
    attempt(store, cls, ann, key="k")
    for sid, mine in [(ann, True), (bob, False)]:
        with pytest.raises(AttemptNotStored) as e:
            attempt(store, cls, sid, key="k")
        assert e.value.why == "duplicate" and e.value.mine is mine


def test_hints_are_used_by_the_next_attempt_on_their_level(open_):
    store = open_()
    cls = new_class(store)
    sid = store.add_student(cls.id, "Ann", token_hash("a"), None).id
    assert [store.add_hint(cls.id, sid, "L", k) for k in range(3)] == [1, 2, 3]
    store.add_hint(cls.id, sid, "M", 0)
    attempt(store, cls, sid, level="L")
    assert store.pending_hints(cls.id, sid, "L") == 0 and store.pending_hints(cls.id, sid, "M") == 1


def test_every_change_moves_the_revision_and_delete_removes_everything(open_):
    store = open_()
    cls = new_class(store)
    revisions = [store.revision(cls.id)]
    sid = store.add_student(cls.id, "Ann", token_hash("a"), None).id
    revisions.append(store.revision(cls.id))
    attempt(store, cls, sid)
    revisions.append(store.revision(cls.id))
    store.set_frozen(cls.id, True, "{}")
    revisions.append(store.revision(cls.id))
    store.set_points_off(cls.id, True)
    revisions.append(store.revision(cls.id))
    assert revisions == sorted(set(revisions))
    store.delete_class(cls.id)
    assert store.revision(cls.id) is None and store.get_class(cls.id) is None
    assert store.students(cls.id) == [] and store.attempts(cls.id) == []


@needs_pg
def test_two_servers_share_one_postgresql_class(tmp_path):
    """A school-wide server: two processes on one database serve the same class; an upload to one is on
    the other's board within 2 s."""
    ch = make_challenge(tmp_path / "c.yaml", levels=("01-carry",))
    with Server(tmp_path / "c.yaml", db_url=PG_URL) as one, \
            Server(tmp_path / "c.yaml", db_url=PG_URL) as two, httpx.Client(timeout=30) as client:
        try:
            assert (one.code, one.token) == (two.code, two.token)
            s = client.post(f"{one.url}/api/join", json={"code": one.code, "name": "Ada"}).json()
            again = client.post(f"{two.url}/api/join", json={"code": two.code, "name": "ada"})
            assert again.status_code == 409  # one class: the name is taken on the other server too
            sent = time.monotonic()
            r = client.post(f"{two.url}/api/attempts", content=record(ch, LEVELS[0], "solution"),
                            headers={"Authorization": f"Bearer {s['token']}"})
            assert r.status_code == 200, r.text

            def on_board():
                rows = client.get(f"{one.url}/api/board").json()["rows"]
                return rows and rows[0]["levels"]
            assert wait_until(on_board, 5)
            assert time.monotonic() - sent < 2.5
        finally:
            client.delete(f"{one.url}/api/teacher/class", headers={"Authorization": f"Bearer {one.token}"})


@needs_pg
def test_a_postgresql_connection_that_broke_is_reopened():
    import psycopg

    store = open_store(db_url=PG_URL)
    try:
        cls = new_class(store)
        with psycopg.connect(PG_URL, autocommit=True) as admin:  # what a database restart does to us
            admin.execute("SELECT pg_terminate_backend(%s)", (store._con.info.backend_pid,))
        with pytest.raises(psycopg.OperationalError):
            store.revision(cls.id)
        assert store.revision(cls.id) == 0
    finally:
        store.close()
