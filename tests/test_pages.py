"""The class server's pages (game/server/pages.py) on a real HTTP server on localhost: the pages and their
static files (no CDN, strict CSP), the teacher's token, the class view and the comparison PNG of stored
attempts. The store and board here are small stand-ins; tests/test_browser.py drives the real server."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from dataclasses import dataclass
from types import SimpleNamespace

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from test_class_view import Level, attempt, network

from game.server.pages import STATIC, best_per_student, routes
from game.session.gates import GATES
from game.ui.compare_png import comparison_png

LEVEL = "campaign/01-carry"
TOKEN = "teacher-secret-token"
SERVER_ROWS: list = []


@dataclass(frozen=True)
class Stored:
    id: int
    student_id: int
    level_id: str
    score: float
    replay_json: str


class Store:
    def __init__(self, rows):
        self.rows = rows

    def attempts(self, class_id, student_id=None):
        assert class_id == 7
        return list(self.rows)

    def students(self, class_id):
        return [SimpleNamespace(id=i, name=f"nick{i}") for i in (1, 2, 3)]

    def attempt(self, class_id, attempt_id):
        return next((a for a in self.rows if a.id == attempt_id), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    net = network(LEVEL)
    wiped = net.copy()
    wiped[7, GATES.index("forget")] = 0.0
    rows = []
    for i, (student, gates) in enumerate([(1, wiped), (1, net), (2, wiped), (3, wiped)]):
        a = attempt(LEVEL, gates, f"s{student}")
        rows.append(Stored(i + 1, student, LEVEL, 100.0 if gates is net else 10.0, json.dumps(a.replay)))
    SERVER_ROWS[:] = rows
    challenge = SimpleNamespace(title="Week 3", levels=[Level(LEVEL)])
    state = SimpleNamespace(store=Store(rows), challenge=challenge,
                            teacher_token=TOKEN, code="ABC234", class_id=7, url="http://192.0.2.5:8000")
    port = free_port()
    config = uvicorn.Config(Starlette(routes=routes(state)), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


def test_the_projector_page_and_its_files_are_served_with_a_strict_policy(server):
    r = httpx.get(server + "/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
    for src in re.findall(r'(?:src|href)="([^"]+)"', r.text):
        assert src.startswith("/static/"), src  # nothing from elsewhere: labs have no internet
        assert httpx.get(server + src).status_code == 200
    info = httpx.get(server + "/api/projector").json()
    assert info == {"title": "Week 3", "code": "ABC234", "address": "http://192.0.2.5:8000"}


def test_no_page_loads_anything_from_another_host_or_writes_html_from_strings():
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text), path.name
        assert "@import" not in text and "url(" not in text, path.name
        if path.suffix == ".js":  # text goes in as text nodes only: a nickname can never become markup
            markup = r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\("
            assert not re.search(markup, text), path.name


def test_the_teacher_page_needs_the_token(server):
    assert httpx.get(server + "/teacher").status_code == 401
    assert httpx.get(server + "/teacher", params={"token": "wrong"}).status_code == 401
    ok = httpx.get(server + "/teacher", params={"token": TOKEN})
    assert ok.status_code == 200 and "Class view" in ok.text
    assert ok.headers["referrer-policy"] == "no-referrer" and ok.headers["cache-control"] == "no-store"
    for path in (f"/api/teacher/class-view/{LEVEL}", "/api/teacher/attempts/1/comparison.png"):
        denied = httpx.get(server + path)
        assert denied.status_code == 401 and denied.json() == {"error": "this needs the teacher's token"}


def test_the_class_view_counts_each_students_best_attempt_once(server):
    r = httpx.get(server + f"/api/teacher/class-view/{LEVEL}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200
    view = r.json()
    # student 1's best is the network's own run; students 2 and 3 wiped the memory at word 8
    assert view["attempts"] == 3 and view["most_wrong"] == [7]
    forget = next(g for g in view["steps"][7]["gates"] if g["gate"] == "forget")
    assert forget["counts"][0] == 2 and sum(forget["counts"]) == 3
    missing = httpx.get(server + "/api/teacher/class-view/campaign/99-nope", params={"token": TOKEN})
    assert missing.status_code == 404 and "not in this challenge" in missing.json()["error"]


def test_an_attempt_opens_as_the_games_comparison_png(server):
    r = httpx.get(server + "/api/teacher/attempts/3/comparison.png", params={"token": TOKEN})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content[:8] == b"\x89PNG\r\n\x1a\n" and len(r.content) > 10_000
    def get(n):
        return httpx.get(server + f"/api/teacher/attempts/{n}/comparison.png", params={"token": TOKEN})

    assert get(3).content == r.content
    # drawn with the student's class nickname, never the replay's own player name (it may be a real name)
    replay = json.loads(SERVER_ROWS[2].replay_json)
    assert replay["player"] == "s2"
    assert comparison_png(Level(LEVEL), {"replay": replay, "player": "nick2"}) == r.content
    assert get(99).status_code == 404 and get("x").status_code == 404


def test_best_per_student_keeps_the_earliest_of_equal_scores():
    rows = [Stored(1, 1, LEVEL, 50.0, ""), Stored(2, 1, LEVEL, 50.0, ""), Stored(3, 2, LEVEL, 10.0, ""),
            Stored(4, 2, LEVEL, 60.0, "")]
    assert sorted(a.id for a in best_per_student(rows)) == [1, 4]


def test_the_server_loads_pygame_only_when_a_teacher_opens_an_attempt():
    """game/server/ draws through game/ui/compare_png.py, imported inside the PNG route only: starting a
    class server (e.g. on a headless school server) never loads pygame or the game's screens."""
    import subprocess
    import sys

    from game import paths

    probe = ("import sys, game.server.app, game.server.pages, game.server.run; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygame', 'pygame_gui') "
             "or m.startswith('game.ui')))")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=paths.ROOT,
                       timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stderr + r.stdout
