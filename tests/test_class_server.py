"""The class server (issue 13), driven for real: `python main.py classroom serve --json` in a subprocess on
localhost, real HTTP clients (httpx), no mocked transport. Replays are played through the game's own
session APIs on the challenge's embedded levels.

One server serves most tests (module fixture); rules that change the server (attempt limits, no hints,
a closed window) and kill -9 get their own. Students are fresh per test, so tests do not depend on
each other's order."""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from class_server_util import LEVELS, Server, alive, make_challenge, record, unique_times, wait_until

CARRY, ADDING = LEVELS
_names = itertools.count(1)


@pytest.fixture(scope="module")
def challenge(tmp_path_factory):
    path = tmp_path_factory.mktemp("challenge") / "class.yaml"
    return path, make_challenge(path)


@pytest.fixture(scope="module")
def server(challenge, tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    with Server(challenge[0], data_dir=data) as s:
        s.data_dir = data
        yield s


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def times():
    return iter(unique_times(10_000))


def join(client, code, name=None):
    r = client.post("/api/join", json={"code": code, "name": name or f"Student {next(_names)}"})
    assert r.status_code == 200, r.text
    return r.json()


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def upload(client, token, data: bytes):
    return client.post("/api/attempts", content=data, headers=auth(token))


def teacher(server):
    return {"Authorization": f"Bearer {server.token}"}


def board_row(client, name, **params):
    board = client.get("/api/board", params=params).json()
    return next((r for r in board["rows"] if r["name"] == name), None), board


# -- joining ------------------------------------------------------------------------------------------------
def test_the_json_line_gives_a_six_character_code_without_look_alikes(server):
    assert len(server.code) == 6
    assert not set(server.code) & set("0O1IL2Z5S8BUVD"), server.code
    assert len(server.token) >= 32


def test_join_gives_a_token_and_the_challenge_and_rejoining_with_it_is_the_same_student(client, server):
    s = join(client, server.code.lower())  # the code is read whatever the case
    assert s["challenge"]["title"] == "Test class"
    assert [lv["id"] for lv in s["challenge"]["levels"]] == LEVELS
    again = client.post("/api/join", json={"code": server.code, "name": s["name"]}, headers=auth(s["token"]))
    assert again.status_code == 200
    assert (again.json()["student_id"], again.json()["token"]) == (s["student_id"], s["token"])
    taken = client.post("/api/join", json={"code": server.code, "name": s["name"].upper()})
    assert taken.status_code == 409 and "taken" in taken.json()["error"]


def test_a_wrong_code_or_a_bad_name_is_refused_in_one_line(client, server):
    wrong = "A" * 6 if server.code != "A" * 6 else "C" * 6
    r = client.post("/api/join", json={"code": wrong, "name": "Eve"})
    assert r.status_code == 403 and r.json() == {"error": "wrong class code"}
    for bad in ["", "   ", "x" * 25, "a\x1bb", 7]:
        r = client.post("/api/join", json={"code": server.code, "name": bad})
        assert r.status_code == 400 and "\n" not in r.json()["error"], (bad, r.text)


def test_nicknames_offered_are_friendly_and_free(client, server):
    s = join(client, server.code)
    names = client.get("/api/nicknames").json()["names"]
    assert len(names) == 6 and len(set(names)) == 6
    assert s["name"] not in names and all(len(n.split()) == 2 for n in names)


# -- uploads ------------------------------------------------------------------------------------------------
def test_an_upload_is_verified_and_reaches_the_board(client, server, challenge, times):
    s = join(client, server.code)
    r = upload(client, s["token"], record(challenge[1], CARRY, "solution", started=next(times)))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "accepted" and body["score"] == 100.0 and body["stars"] == 3 and body["wins"]
    row, _ = board_row(client, s["name"])
    assert row["levels"][CARRY] == {"score": 100.0, "stars": 3} and row["total"] == 100.0
    assert set(row) >= {"name", "levels", "total", "reached_at"} and "roster_id" not in row


def test_only_the_class_nickname_is_kept_not_the_name_the_game_recorded(client, server, challenge, times):
    s = join(client, server.code)
    data = record(challenge[1], CARRY, "solution", player="Jane Q. Realname", started=next(times))
    r = upload(client, s["token"], data)
    assert r.status_code == 200
    with sqlite3.connect(f"file:{server.data_dir / 'classroom.sqlite3'}?mode=ro", uri=True) as db:
        replay, result = db.execute("SELECT replay_json, result_json FROM attempts WHERE id = ?",
                                    (r.json()["attempt_id"],)).fetchone()
    assert json.loads(replay)["player"] == s["name"] and json.loads(result)["player"] == s["name"]
    assert "Realname" not in replay + result


def test_a_stored_score_in_the_upload_is_never_used(client, server, challenge, times):
    s = join(client, server.code)
    data = json.loads(record(challenge[1], CARRY, "losing", started=next(times)))
    data["score"]["total"], data["score"]["stars"] = 100.0, 3  # the forgery
    r = upload(client, s["token"], json.dumps(data).encode())
    assert r.status_code == 200, r.text
    assert r.json()["score"] < 50 and r.json()["stars"] < 3 and not r.json()["wins"]
    row, _ = board_row(client, s["name"])
    assert row["total"] == r.json()["score"]


def test_edited_gates_with_the_old_hashes_are_scored_as_played(client, server, challenge, times):
    """A winning file whose gates were edited to a losing gating, keeping its hashes and its claimed
    100: the server re-simulates the edited gates and scores what they earn."""
    s = join(client, server.code)
    won = json.loads(record(challenge[1], CARRY, "solution", started=next(times)))
    lost = json.loads(record(challenge[1], CARRY, "losing", started=next(times)))
    assert won["score"]["total"] == 100.0 and (won["level_hash"], won["model_hash"]) == (
        lost["level_hash"], lost["model_hash"])
    edited = {**won, "history": lost["history"]}
    r = upload(client, s["token"], json.dumps(edited).encode())
    assert r.status_code == 200, r.text
    assert r.json()["score"] == lost["score"]["total"] and not r.json()["wins"]


@pytest.mark.parametrize("field,value,reason", [
    ("level_hash", "0" * 64, "level hash does not match"),
    ("model_hash", "f" * 64, "network hash does not match"),
    ("level_id", "campaign/12-finale", "is not in this challenge"),
])
def test_a_foreign_level_or_network_is_refused(client, server, challenge, times, field, value, reason):
    s = join(client, server.code)
    data = json.loads(record(challenge[1], CARRY, "solution", started=next(times)))
    data[field] = value
    r = upload(client, s["token"], json.dumps(data).encode())
    assert r.status_code == 422 and reason in r.json()["error"], r.text
    row, _ = board_row(client, s["name"])
    assert row["levels"] == {}


def test_a_replay_of_a_level_outside_the_challenge_is_refused(client, server, tmp_path, times):
    other = make_challenge(tmp_path / "other.yaml", levels=("02-keep",))
    s = join(client, server.code)
    r = upload(client, s["token"], record(other, "campaign/02-keep", "solution", started=next(times)))
    assert r.status_code == 422 and "not in this challenge" in r.json()["error"]


def test_tokens_another_students_copy_and_the_same_attempt_twice(client, server, challenge, times):
    a, b = join(client, server.code), join(client, server.code)
    data = record(challenge[1], CARRY, "solution", started=next(times))
    for token in ["", "made-up-token", a["token"] + "x"]:
        r = client.post("/api/attempts", content=data, headers=auth(token) if token else {})
        assert r.status_code == 401 and "join" in r.json()["error"]
    first = upload(client, a["token"], data)
    assert first.status_code == 200
    # The answer got lost and the game sends it again: the original result, not a refusal or a new attempt.
    again = upload(client, a["token"], data)
    assert again.status_code == 200, again.text
    assert again.json()["attempt_id"] == first.json()["attempt_id"]
    assert (again.json()["score"], again.json()["stars"]) == (first.json()["score"], first.json()["stars"])
    assert board_row(client, a["name"])[0]["attempts"] == 1
    copied = json.loads(data)
    copied["player"] = b["name"]  # a classmate's file, with the name changed
    r = upload(client, b["token"], json.dumps(copied).encode())
    assert r.status_code == 409 and "another student" in r.json()["error"]


def test_oversize_deep_and_malformed_bodies_are_refused_before_parsing(client, server):
    s = join(client, server.code)
    big = b'{"pad": "' + b"x" * (300 * 1024) + b'"}'
    r = upload(client, s["token"], big)
    assert r.status_code == 413 and "too large" in r.json()["error"]
    deep = b"[" * 5000 + b"]" * 5000
    r = upload(client, s["token"], deep)
    assert r.status_code == 400 and "deep" in r.json()["error"]
    for junk in [b"", b"not json", b"\xff\xfe", b"[1, 2]", b'{"level_id": 7}']:
        r = upload(client, s["token"], junk)
        assert 400 <= r.status_code < 500 and "\n" not in r.json()["error"], (junk, r.text)
    r = client.post("/api/join", content=b'{"code": "' + b"x" * 20000 + b'"}')
    assert r.status_code == 413
    r = client.post("/api/join", content=b"[" * 1000 + b"]" * 1000)
    assert r.status_code == 400


def test_uploads_are_rate_limited_with_429(client, server):
    s = join(client, server.code)
    codes = [upload(client, s["token"], b"{}").status_code for _ in range(16)]
    assert 429 in codes and codes[0] != 429
    r = upload(client, s["token"], b"{}")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1 and "too many" in r.json()["error"]


# -- hints ------------------------------------------------------------------------------------------------
def test_hints_are_counted_by_the_server_and_charged(client, server, challenge, times):
    s = join(client, server.code)
    for k in (1, 2):
        r = client.post("/api/hints", json={"level": CARRY, "step": k}, headers=auth(s["token"]))
        assert r.json() == {"allowed": True, "count": k}
    r = upload(client, s["token"], record(challenge[1], CARRY, "solution", started=next(times)))
    assert r.status_code == 200 and r.json()["hints"] == 2 and r.json()["score"] < 100.0
    assert client.post("/api/hints", json={"level": CARRY, "step": 0}, headers=auth(s["token"])).json()[
        "count"] == 1  # the next attempt starts from zero


# -- board, events, freeze, points-off ----------------------------------------------------------------------
def test_the_board_ranks_ties_by_who_reached_the_score_first(client, server, challenge, times):
    first, second = join(client, server.code), join(client, server.code)
    for s in (first, second):
        assert upload(client, s["token"], record(challenge[1], ADDING, "solution",
                                                 started=next(times))).status_code == 200
    rows = client.get("/api/board").json()["rows"]
    names = [r["name"] for r in rows]
    assert names.index(first["name"]) < names.index(second["name"])
    totals = [r["total"] for r in rows]
    assert totals == sorted(totals, reverse=True)


def test_the_event_stream_sends_a_change_within_two_seconds(client, server, challenge, times):
    s = join(client, server.code)
    seen, ready = [], threading.Event()

    def listen():
        with httpx.Client(base_url=server.url, timeout=10) as c, c.stream("GET", "/api/board/stream") as r:
            event = None
            for line in r.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "board":
                    board = json.loads(line[6:])
                    seen.append((time.monotonic(), board))
                    ready.set()
                    if any(row["name"] == s["name"] and row["levels"] for row in board["rows"]):
                        return

    t = threading.Thread(target=listen, daemon=True)
    t.start()
    assert ready.wait(10)
    sent = time.monotonic()
    r = upload(client, s["token"], record(challenge[1], CARRY, "solution", started=next(times)))
    assert r.status_code == 200
    t.join(10)
    arrived = next(at for at, b in seen
                   if any(row["name"] == s["name"] and row["levels"] for row in b["rows"]))
    assert arrived - sent < 2.0


def test_freeze_shows_the_frozen_board_to_everyone_but_the_teacher(client, server, challenge, times):
    s = join(client, server.code)
    assert client.post("/api/teacher/freeze", json={"frozen": True}).status_code in (401, 429)
    try:
        assert client.post("/api/teacher/freeze", json={"frozen": True},
                           headers=teacher(server)).json() == {"frozen": True}
        r = upload(client, s["token"], record(challenge[1], CARRY, "solution", started=next(times)))
        assert r.status_code == 200  # still verified and kept
        row, board = board_row(client, s["name"])
        assert board["frozen"] and (row is None or not row["levels"])
        row, board = board_row(client, s["name"], token=server.token)
        assert row["levels"][CARRY]["score"] == 100.0
        # the teacher renames or removes a nickname, or turns points off: the frozen board follows
        other = join(client, server.code)
        client.post("/api/teacher/freeze", json={"frozen": False}, headers=teacher(server))
        upload(client, other["token"], record(challenge[1], CARRY, "losing", started=next(times)))
        client.post("/api/teacher/freeze", json={"frozen": True}, headers=teacher(server))
        new = f"Renamed {next(_names)}"
        client.post(f"/api/teacher/students/{other['student_id']}/rename", json={"name": new},
                    headers=teacher(server))
        row, board = board_row(client, new)
        assert board["frozen"] and row is not None and row["levels"][CARRY]["stars"] == 0
        try:
            client.post("/api/teacher/points", json={"points_off": True}, headers=teacher(server))
            assert board_row(client, new)[0]["total"] is None
        finally:
            client.post("/api/teacher/points", json={"points_off": False}, headers=teacher(server))
        client.delete(f"/api/teacher/students/{other['student_id']}", headers=teacher(server))
        assert board_row(client, new)[0] is None
    finally:
        client.post("/api/teacher/freeze", json={"frozen": False}, headers=teacher(server))
    row, board = board_row(client, s["name"])
    assert not board["frozen"] and row["levels"][CARRY]["score"] == 100.0


def test_points_off_hides_scores_and_ranks(client, server, challenge, times):
    s = join(client, server.code)
    upload(client, s["token"], record(challenge[1], CARRY, "solution", started=next(times)))
    try:
        client.post("/api/teacher/points", json={"points_off": True}, headers=teacher(server))
        row, board = board_row(client, s["name"])
        assert board["points_off"] and row["total"] is None and row["levels"][CARRY] == {"score": None,
                                                                                          "stars": 3}
        names = [r["name"].casefold() for r in board["rows"]]
        assert names == sorted(names)
    finally:
        client.post("/api/teacher/points", json={"points_off": False}, headers=teacher(server))


# -- teacher ------------------------------------------------------------------------------------------------
def test_teacher_routes_need_the_token(client, server):
    for method, path in [("GET", "/api/teacher/roster"), ("POST", "/api/teacher/points"),
                         ("GET", "/api/teacher/export.csv"), ("DELETE", "/api/teacher/class"),
                         ("DELETE", "/api/teacher/students/1"), ("POST", "/api/teacher/roster-names")]:
        for headers in [{}, auth("wrong"), auth(server.token[:-1])]:
            r = client.request(method, path, headers=headers, json={})
            assert r.status_code in (401, 429), (path, r.text)
    assert client.get("/api/teacher/roster", params={"token": server.token}).status_code == 200


def test_rename_and_remove(client, server, challenge, times):
    s = join(client, server.code)
    upload(client, s["token"], record(challenge[1], CARRY, "solution", started=next(times)))
    new = f"Renamed {next(_names)}"
    r = client.post(f"/api/teacher/students/{s['student_id']}/rename", json={"name": new},
                    headers=teacher(server))
    assert r.status_code == 200
    assert board_row(client, new)[0] is not None and board_row(client, s["name"])[0] is None
    r = client.delete(f"/api/teacher/students/{s['student_id']}", headers=teacher(server))
    assert r.status_code == 200 and board_row(client, new)[0] is None
    r = upload(client, s["token"], record(challenge[1], CARRY, "solution", started=next(times)))
    assert r.status_code == 401
    r = client.delete(f"/api/teacher/students/{s['student_id']}", headers=teacher(server))
    assert r.status_code == 404


def test_the_roster_keeps_real_ids_on_the_teachers_side(client, server):
    r = client.post("/api/teacher/roster-names", headers=teacher(server),
                    json={"required": True, "names": [{"name": "Robin Hood", "id": "S-0042"}, "Maid Marian"]})
    assert r.status_code == 200, r.text
    try:
        refused = client.post("/api/join", json={"code": server.code, "name": "Sheriff"})
        assert refused.status_code == 403 and "roster" in refused.json()["error"]
        ok = client.post("/api/join", json={"code": server.code, "name": "robin hood"})
        assert ok.status_code == 200 and ok.json()["name"] == "Robin Hood"
        roster = client.get("/api/teacher/roster", headers=teacher(server)).json()
        assert {"name": "Robin Hood", "roster_id": "S-0042"}.items() <= next(
            st for st in roster["students"] if st["name"] == "Robin Hood").items()
        assert "S-0042" not in client.get("/api/board").text
    finally:
        client.post("/api/teacher/roster-names", headers=teacher(server),
                    json={"required": False, "names": []})


def test_the_challenge_is_offered_for_download(client, challenge):
    assert client.get("/api/challenge").json()["levels"] == [{"id": i, "title": t} for i, t in
                                                             [(CARRY, "Carry the clue"),
                                                              (ADDING, "The belt adds up")]]
    assert client.get("/api/challenge.yaml").text == challenge[0].read_text(encoding="utf-8")


def test_unknown_routes_and_methods_answer_json(client):
    r = client.get("/api/nothing")
    assert r.status_code == 404 and "error" in r.json()
    r = client.get("/api/attempts")
    assert r.status_code == 405 and "error" in r.json()


# -- rules: attempts, hints forbidden, time window ----------------------------------------------------------
def test_attempts_per_level_and_forbidden_hints(tmp_path):
    ch = make_challenge(tmp_path / "c.yaml", levels=("01-carry",), attempts_per_level=2, hints_allowed=False)
    times = iter(unique_times(10))
    with Server(tmp_path / "c.yaml", data_dir=tmp_path / "data") as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        s = join(client, server.code)
        r = client.post("/api/hints", json={"level": CARRY, "step": 1}, headers=auth(s["token"]))
        assert r.status_code == 403 and r.json()["allowed"] is False and "not allowed" in r.json()["error"]
        for _ in range(2):
            last = record(ch, CARRY, "losing", started=next(times))
            r = upload(client, s["token"], last)
            assert r.status_code == 200
        # Resending the last attempt (its answer lost) still gets its result, though none are left.
        again = upload(client, s["token"], last)
        assert again.status_code == 200 and again.json()["attempt_id"] == r.json()["attempt_id"]
        r = upload(client, s["token"], record(ch, CARRY, "solution", started=next(times)))
        assert r.status_code == 409 and "no attempts left" in r.json()["error"]
        assert board_row(client, s["name"])[0]["attempts"] == 2


def test_outside_the_time_window_is_refused(tmp_path):
    closed = datetime.now(timezone.utc) - timedelta(hours=1)
    ch = make_challenge(tmp_path / "c.yaml", levels=("01-carry",), closes_at=closed)
    with Server(tmp_path / "c.yaml", data_dir=tmp_path / "data") as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        s = join(client, server.code)
        r = upload(client, s["token"], record(ch, CARRY, "solution"))
        assert r.status_code == 403 and "closed" in r.json()["error"]


# -- nothing lost -------------------------------------------------------------------------------------------
def test_kill_9_loses_no_accepted_attempt_and_restart_resumes_the_class(tmp_path):
    ch = make_challenge(tmp_path / "c.yaml", levels=("01-carry",))
    data = tmp_path / "data"
    times = iter(unique_times(20))
    first = Server(tmp_path / "c.yaml", data_dir=data)
    try:
        with httpx.Client(base_url=first.url, timeout=30) as client:
            s = join(client, first.code, "Ada")
            accepted = [upload(client, s["token"], record(ch, CARRY, strategy, started=next(times)))
                        for strategy in ("losing", "solution", "losing")]
            assert [r.status_code for r in accepted] == [200, 200, 200]
            board_before = client.get("/api/board").json()
        workers = first.children()
        assert workers
    finally:
        first.kill()  # right after the last answer: no graceful shutdown
    assert wait_until(lambda: not any(alive(p) for p in workers), 10), "workers outlived a killed server"
    with Server(tmp_path / "c.yaml", data_dir=data) as second, \
            httpx.Client(base_url=second.url, timeout=30) as client:
        assert (second.code, second.token) == (first.code, first.token)
        board_after = client.get("/api/board").json()
        assert board_after["rows"] == board_before["rows"]
        assert board_after["rows"][0]["attempts"] == 3
        roster = client.get("/api/teacher/roster", headers=teacher(second)).json()
        assert sorted(a["id"] for a in roster["students"][0]["attempts"]) == sorted(
            r.json()["attempt_id"] for r in accepted)
        r = upload(client, s["token"], record(ch, CARRY, "solution", started=next(times)))
        assert r.status_code == 200  # the student's token still works


def test_delete_the_class_data(tmp_path):
    make_challenge(tmp_path / "c.yaml", levels=("01-carry",))
    with Server(tmp_path / "c.yaml", data_dir=tmp_path / "data") as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        workers = server.children()
        join(client, server.code, "Ada")
        r = client.delete("/api/teacher/class", headers=teacher(server))
        assert r.status_code == 200 and r.json() == {"deleted": True}
        r = client.get("/api/board")
        assert r.status_code == 410 and "deleted" in r.json()["error"]
    # SIGTERM: a clean stop, workers included (and multiprocessing's resource tracker, a moment later)
    assert server.proc.returncode == 0 and workers
    assert wait_until(lambda: not any(alive(p) for p in workers), 10)
    with Server(tmp_path / "c.yaml", data_dir=tmp_path / "data") as again, \
            httpx.Client(base_url=again.url, timeout=30) as client:
        assert again.code != server.code or again.token != server.token
        assert client.get("/api/board").json()["rows"] == []


def test_the_csv_export_is_the_gradebook_with_the_best_scores(client, server, challenge, times):
    s = join(client, server.code, f"=cmd {next(_names)}")  # a formula-looking nickname
    for strategy in ("losing", "solution", "losing"):
        upload(client, s["token"], record(challenge[1], CARRY, strategy, started=next(times)))
    wide = client.get("/api/teacher/export.csv", headers=teacher(server))
    assert wide.status_code == 200 and wide.headers["content-type"].startswith("text/csv")
    assert not wide.text.startswith("\ufeff")  # a script gets plain UTF-8
    lines = wide.text.splitlines()
    assert lines[0] == f"name,roster_id,{CARRY} score,{CARRY} stars,{ADDING} score,{ADDING} stars,attempts"
    assert f"'{s['name']},,100.0,3,,,3" in lines
    long = client.get("/api/teacher/export.csv", params={"long": 1, "token": server.token},
                      headers={"Accept": "text/html,*/*;q=0.8"}).text  # as the teacher page's link
    assert long.startswith("\ufeff")  # a download a spreadsheet opens with accents right
    rows = [line.split(",") for line in long[1:].splitlines()]
    assert rows[0] == ["name", "level", "best_score", "stars", "attempts", "verified_at"]
    mine = [r for r in rows if r[0] == f"'{s['name']}"]
    assert [r[1:5] for r in mine] == [[CARRY, "100.0", "3", "3"], [ADDING, "", "", "0"]]
