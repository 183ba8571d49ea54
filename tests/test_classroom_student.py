"""The student's side against a real class server on localhost (tests/class_server.py; no mocked
transport): joining and rejoining, uploads accepted with the server's score or refused with its reason,
hints the server counts, teacher calls, the upload queue surviving a closed game and a server that was
away, and the `classroom submit` / `classroom export` commands."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from class_server import class_server
from classroom_fixtures import as_bytes, make, played

from game.classroom.challenge import Rules
from game.classroom.client import ClassClient, ClassError
from game.classroom.student import join_class
from game.classroom.uploads import RetryPolicy, UploadQueue
from game.progress import ProgressStore

LEVEL = "campaign/01-carry"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("challenge")
    return make(folder, levels=[LEVEL], rules=Rules(attempts_per_level=3))


@pytest.fixture(scope="module")
def server(made, tmp_path_factory):
    with class_server(made[0], tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEKEEPER_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_join_rejoin_and_a_wrong_code(server):
    with ClassClient(server.url) as c:
        first = c.join(server.code.lower(), "Calm Otter 12")
        assert first["name"] == "Calm Otter 12" and first["challenge"]["levels"][0]["id"] == LEVEL
        again = c.join(server.code, "Calm Otter 12", token=first["token"])
        assert again["student_id"] == first["student_id"]
        with pytest.raises(ClassError) as taken:
            c.join(server.code, "Calm Otter 12")
        assert "taken" in str(taken.value) and taken.value.status == 409 and not taken.value.retriable
        with pytest.raises(ClassError, match="wrong class code"):
            c.join("QQQQQQ", "Someone")


def test_an_upload_is_verified_with_the_servers_own_score(server, made):
    _, ch = made
    with ClassClient(server.url) as c:
        token = c.join(server.code, "Swift Heron 40")["token"]
        attempt = played(ch, LEVEL, player="Swift Heron 40")
        attempt["score"] = {**attempt["score"], "total": 100.0}    # a forged stored score is never used
        answer = c.upload(token, as_bytes(attempt))
        honest = played(ch, LEVEL, "solution", player="x")["score"]["total"]
        assert answer["status"] == "accepted" and answer["score"] == pytest.approx(honest, abs=0.05)
        with pytest.raises(ClassError) as err:
            c.upload(token, b'{"level_id": "nope"}')
        assert str(err.value) == "level 'nope' is not in this challenge" and err.value.status == 422
        with pytest.raises(ClassError, match="join first") as stranger:
            c.upload("not-a-token", as_bytes(attempt))
        assert stranger.value.status == 401


def test_hints_are_counted_by_the_server(server):
    with ClassClient(server.url) as c:
        token = c.join(server.code, "Lucky Newt 77")["token"]
        assert c.ask_hint(token, LEVEL, 0) == {"allowed": True, "count": 1}
        assert c.ask_hint(token, LEVEL, 2)["count"] == 2


def test_teacher_calls_need_the_teacher_token(server):
    with ClassClient(server.url) as c:
        c.join(server.code, "Quiet Owl 33")
        names = [s["name"] for s in c.roster(server.teacher_token)["students"]]
        assert "Quiet Owl 33" in names
        with pytest.raises(ClassError) as err:
            c.roster("wrong")
        assert err.value.status in (401, 403) and "\n" not in str(err.value)
        text = c.export_csv(server.teacher_token, long=True)
        assert next(csv.reader(io.StringIO(text))) == ["name", "level", "best_score", "stars", "attempts",
                                                       "verified_at"]


def test_the_game_joins_and_its_queue_uploads_in_the_background(server, made, data):
    _, ch = made
    with ProgressStore(data / "progress.sqlite3") as store:
        q = UploadQueue(store)
        cls = join_class(store, server.url, server.code, "Merry Robin 21", queue=q)
        assert cls.challenge.challenge_hash == ch.challenge_hash and cls.online
        assert (data / "challenges").is_dir(), "the class's challenge file is kept for offline play"
        q.start()
        try:
            upload = cls.submit(LEVEL, json.dumps(played(ch, LEVEL, player="Merry Robin 21", hints=2)))
            news = []
            for _ in range(400):
                news += cls.poll()
                if any(n.upload_id == upload for n in news):
                    break
                time.sleep(0.05)
        finally:
            q.stop()
        final = [n for n in news if n.upload_id == upload][-1:]
        assert final, f"no answer about the upload: {news}"
        final = final[0]
        assert final.kind == "accepted" and final.score is not None
        assert store.upload_status(upload)["state"] == "accepted"
        assert cls.attempts_left(store, LEVEL) == 2
        # rejoining (the game restarted) uses the kept token: the same student, no "name taken"
        again = join_class(store, server.url, server.code, "Merry Robin 21")
        assert again.token == cls.token


def test_a_queued_attempt_survives_a_closed_game_and_an_absent_server(made, tmp_path, data):
    """The server is away when the attempt is played; the game closes; the server comes back; the
    game opens again and the attempt uploads."""
    from class_server import free_port

    path, ch = made
    port, server_data = free_port(), tmp_path / "server"
    with class_server(path, server_data, port) as s:
        with ProgressStore(data / "progress.sqlite3") as store:
            cls = join_class(store, s.url, s.code, "Bold Lynx 58")
            code = s.code
    with ProgressStore(data / "progress.sqlite3") as store:   # played while the server is away
        q = UploadQueue(store, policy=RetryPolicy(first=0.1), client_factory=lambda u: ClassClient(u, 2.0))
        upload = q.enqueue(cls.membership_id, LEVEL, json.dumps(played(ch, LEVEL, player="Bold Lynx 58")))
        assert q.run_once(now=0.0) == pytest.approx(0.1)
        assert [n.kind for n in q.updates()] == ["waiting"]
    with class_server(path, server_data, port) as s, ProgressStore(data / "progress.sqlite3") as store:
        assert s.code == code, "the restarted server resumes the class"
        assert [p["id"] for p in store.pending_uploads()] == [upload]
        q = UploadQueue(store)
        q.run_once(now=0.0)
        assert [(n.upload_id, n.kind) for n in q.updates()] == [(upload, "accepted")]
        assert store.pending_uploads() == []


def test_a_refusal_is_final_and_keeps_the_servers_reason(made, tmp_path, data):
    path, ch = make(tmp_path / "one", levels=[LEVEL], rules=Rules(attempts_per_level=1), name="one.yaml")
    with class_server(path, tmp_path / "server") as s, ProgressStore(data / "progress.sqlite3") as store:
        q = UploadQueue(store)
        cls = join_class(store, s.url, s.code, "Kind Seal 90", queue=q)
        first = cls.submit(LEVEL, json.dumps(played(ch, LEVEL, player="Kind Seal 90")))
        second = cls.submit(LEVEL, json.dumps(played(ch, LEVEL, "model", player="Kind Seal 90")))
        q.run_once(now=0.0)
        assert store.upload_status(first)["state"] == "accepted"
        refused = store.upload_status(second)
        assert refused["state"] == "refused" and refused["reason"].startswith("no attempts left")
        assert store.pending_uploads() == [], "a refusal is never retried"


# -- the command line -------------------------------------------------------------------------------------

def test_submit_prints_one_line_per_file_and_exits_1_on_a_refusal(server, made, tmp_path, data, capsys):
    from game.cli import main

    _, ch = made
    good = tmp_path / "good.json"
    good.write_bytes(as_bytes(played(ch, LEVEL, player="Sunny Gecko 15", hints=3)))  # a play of its own
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps({**played(ch, LEVEL), "level_id": "campaign/02-keep"}))
    missing = tmp_path / "missing.json"
    code = main(["classroom", "submit", server.url, "--code", server.code, "--name", "Sunny Gecko 15",
                 str(good), str(foreign), str(missing)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0] == f"joined {server.url} as Sunny Gecko 15"
    assert out[1].startswith(f"{good}: accepted: score ") and "stars" in out[1]
    assert out[2] == f"{foreign}: refused: level 'campaign/02-keep' is not in this challenge"
    assert out[3].startswith(f"{missing}: refused: ") and len(out) == 4
    # rejoining as the same name works (the token was kept); all accepted: exit 0
    # the very same attempt again (its answer lost): the result stored the first time, said so
    assert main(["classroom", "submit", server.url, "--code", server.code, "--name", "Sunny Gecko 15",
                 str(good)]) == 0
    again = capsys.readouterr().out.splitlines()[1]
    assert again.split(" (handed in before")[0] == out[1] and again.endswith("(handed in before: the result "
                                                                             "stored then)")
    other = tmp_path / "other.json"
    other.write_bytes(as_bytes(played(ch, LEVEL, "model", player="Sunny Gecko 15")))
    assert main(["classroom", "submit", server.url, "--code", server.code, "--name", "Sunny Gecko 15",
                 str(other)]) == 0


def test_submit_to_no_server_is_one_line_and_exit_2(tmp_path, data, capsys):
    from class_server import free_port

    from game.cli import main

    port = free_port()
    f = tmp_path / "a.json"
    f.write_text("{}")
    assert main(["classroom", "submit", f"127.0.0.1:{port}", "--code", "ABCDEF", "--name", "X", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: could not join: cannot reach the class server at http://127.0.0.1:{port} " \
                  "(connection refused)"


def test_export_writes_the_gradebook_csv(server, made, tmp_path, data, capsys):
    from game.cli import main

    _, ch = made
    with ClassClient(server.url) as c:
        token = c.join(server.code, "Witty Puffin 64")["token"]
        c.upload(token, as_bytes(played(ch, LEVEL, player="Witty Puffin 64", hints=1)))  # its own play
    out = tmp_path / "grades" / "week3.csv"
    assert main(["classroom", "export", server.url, "--token", server.teacher_token, "--csv", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    mine = next(r for r in rows if r["name"] == "Witty Puffin 64")
    assert float(mine[f"{LEVEL} score"]) > 0
    assert main(["classroom", "export", server.url, "--token", server.teacher_token, "--csv", str(out),
                 "--long"]) == 0
    long = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["level"] for r in long if r["name"] == "Witty Puffin 64"} == {LEVEL}
    wrong = ["classroom", "export", server.url, "--token", "wrong", "--csv", str(tmp_path / "x.csv")]
    assert main(wrong) == 2
    assert not (tmp_path / "x.csv").exists()
    capsys.readouterr()


def test_a_retry_after_a_lost_answer_shows_the_original_result_not_a_refusal(made, tmp_path, data):
    """The server stored the attempt but its answer never reached the game (Wi-Fi dropped): the queue's
    retry of the same attempt ends accepted with the original score — even on the last attempt allowed —
    and a classmate's copy is still refused."""
    import httpx

    path, ch = make(tmp_path / "one", levels=[LEVEL], rules=Rules(attempts_per_level=1), name="one.yaml")
    with class_server(path, tmp_path / "server") as s, ProgressStore(data / "progress.sqlite3") as store:
        q = UploadQueue(store)
        cls = join_class(store, s.url, s.code, "Kind Seal 91", queue=q)
        text = json.dumps(played(ch, LEVEL, player="Kind Seal 91"))
        upload = cls.submit(LEVEL, text)
        # the first send reached the server; its answer was lost (the queue still holds the upload)
        first = httpx.post(f"{s.url}/api/attempts", content=text.encode(), timeout=30,
                           headers={"Authorization": f"Bearer {cls.token}"})
        assert first.status_code == 200 and store.upload_status(upload)["state"] == "queued"
        q.run_once(now=0.0)
        status = store.upload_status(upload)
        assert status["state"] == "accepted", status
        assert status["score"] == first.json()["score"] and status["stars"] == first.json()["stars"]
        other = join_class(store, s.url, s.code, "Calm Otter 12", queue=q)
        copy = other.submit(LEVEL, text)
        q.run_once(now=0.0)
        refused = store.upload_status(copy)
        assert refused["state"] == "refused" and "another student" in refused["reason"]
