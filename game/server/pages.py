"""The class server's web pages: the projector page (``/``), the teacher page (``/teacher?token=…``), their
static files, and the two teacher routes that need the game's drawing and analysis: the class view of a
level and an attempt's comparison as PNG.

The pages are fixed files (game/server/static/): nothing a client sent is ever put into HTML by the
server. The pages' scripts fetch JSON and build the page with ``textContent`` / DOM nodes only (never
``innerHTML``), so a nickname like ``<img src=x onerror=…>`` shows as text. A strict
Content-Security-Policy (scripts, styles and images from this server only, no inline script) is a second
line of defence, and the teacher page is sent with ``Referrer-Policy: no-referrer`` and ``no-store`` so
its token does not leak through links or caches. No CDN, no external fonts: labs often have no internet.

The class view re-simulates attempts (game/classroom/class_view.py) and the PNG draws with pygame
(game/ui/compare_png.py, imported only when a teacher opens an attempt); both run in a worker thread so
the event loop keeps serving the board.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import OrderedDict
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..classroom.class_view import class_view

STATIC = Path(__file__).resolve().parent / "static"
PNG_CACHE = 64  # comparison pictures kept (≈100 KB each)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def teacher_token_of(request: Request) -> str:
    """The token a request carries: ``Authorization: Bearer …`` or ``?token=`` (pages, downloads, images)."""
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.query_params.get("token", "")


def is_teacher(state, request: Request) -> bool:
    given = teacher_token_of(request)
    return bool(given) and secrets.compare_digest(given.encode("utf-8", "surrogatepass"),
                                                  str(state.teacher_token).encode("utf-8"))


def refusal(state, request: Request) -> Response | None:
    """None for the teacher; else 401 (or 429 after too many wrong tokens from one address, like the API)."""
    if is_teacher(state, request):
        return None
    limit = getattr(state, "teacher_fail_limit", None)
    wait = limit.take(request.client.host if request.client else "?") if limit is not None else 0
    if wait:
        return JSONResponse({"error": f"too many requests: try again in {wait:.0f} s"}, status_code=429,
                            headers={"Retry-After": str(max(1, round(wait)))})
    return _error(401, "this needs the teacher's token")


def _class_id(state):
    cls = getattr(state, "cls", None)
    return getattr(state, "class_id", None) if cls is None else cls.id


def _level(state, level_id: str):
    return next((lv for lv in state.challenge.levels if lv.id == level_id), None)


def _stored(a, name: str = "?") -> dict:
    """A stored attempt as class_view / compare_png read it: the canonical replay, and the student's class
    nickname as the player (never the replay's own player name, which may be a real name)."""
    return {"id": a.id, "student_id": a.student_id, "score": a.score, "replay": json.loads(a.replay_json),
            "player": name}


def best_per_student(attempts) -> list:
    """Each student's best attempt (the earliest of equal scores): nobody counts more than once."""
    best: dict = {}
    for a in sorted(attempts, key=lambda a: a.id):
        if a.student_id not in best or a.score > best[a.student_id].score:
            best[a.student_id] = a
    return list(best.values())


class Pages:
    def __init__(self, state):
        self.state = state
        self._pngs: OrderedDict = OrderedDict()
        self._views: dict = {}
        self._lock = threading.Lock()

    # -- pages ----------------------------------------------------------------------------------------
    async def projector(self, request: Request) -> Response:
        return FileResponse(STATIC / "projector.html", headers=SECURITY_HEADERS)

    async def teacher(self, request: Request) -> Response:
        denied = refusal(self.state, request)
        if denied is not None:
            status = denied.status_code
            return FileResponse(STATIC / "denied.html", status_code=status, headers=SECURITY_HEADERS)
        return FileResponse(STATIC / "teacher.html", headers=SECURITY_HEADERS)

    async def projector_info(self, request: Request) -> Response:
        """What the projector shows besides the board: the join code and the address students type."""
        st = self.state
        url = getattr(st, "public_url", None) or getattr(st, "url", None) or str(request.base_url)
        return JSONResponse({"title": st.challenge.title, "code": st.code, "address": url.rstrip("/")},
                            headers={"Cache-Control": "no-store"})

    # -- teacher analysis -----------------------------------------------------------------------------
    async def class_view(self, request: Request) -> Response:
        denied = refusal(self.state, request)
        if denied is not None:
            return denied
        level_id = request.path_params["level_id"]
        level = _level(self.state, level_id)
        if level is None:
            return _error(404, f"level {level_id} is not in this challenge")
        cid = _class_id(self.state)

        def compute():
            attempts = [a for a in self.state.store.attempts(cid) if a.level_id == level_id]
            chosen = best_per_student(attempts)
            key = (level_id, tuple(sorted(a.id for a in chosen)))
            with self._lock:
                if key in self._views:
                    return self._views[key]
            view = class_view(level, [_stored(a) for a in chosen])
            with self._lock:
                self._views = {k: v for k, v in self._views.items() if k[0] != level_id}
                self._views[key] = view
            return view

        return JSONResponse(await run_in_threadpool(compute), headers={"Cache-Control": "no-store"})

    async def comparison(self, request: Request) -> Response:
        denied = refusal(self.state, request)
        if denied is not None:
            return denied
        try:
            attempt_id = int(request.path_params["attempt_id"])
        except ValueError:
            return _error(404, "no such attempt")
        cid = _class_id(self.state)

        def draw():
            with self._lock:
                if attempt_id in self._pngs:
                    self._pngs.move_to_end(attempt_id)
                    return self._pngs[attempt_id]
            a = self.state.store.attempt(cid, attempt_id)
            if a is None:
                return None
            level = _level(self.state, a.level_id)
            if level is None:
                return None
            names = {s.id: s.name for s in self.state.store.students(cid)}
            from ..ui.compare_png import comparison_png  # pygame: only when a teacher opens an attempt

            png = comparison_png(level, _stored(a, names.get(a.student_id, "?")))
            with self._lock:
                self._pngs[attempt_id] = png
                while len(self._pngs) > PNG_CACHE:
                    self._pngs.popitem(last=False)
            return png

        try:
            png = await run_in_threadpool(draw)
        except ValueError as e:
            return _error(422, f"attempt {attempt_id} cannot be drawn: {e}")
        if png is None:
            return _error(404, "no such attempt")
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store",
                                                              "X-Content-Type-Options": "nosniff"})


def routes(state) -> list:
    """The pages' routes, for create_app (game/server/app.py)."""
    p = Pages(state)
    return [
        Route("/", p.projector, methods=["GET"]),
        Route("/teacher", p.teacher, methods=["GET"]),
        Route("/api/projector", p.projector_info, methods=["GET"]),
        Route("/api/teacher/class-view/{level_id:path}", p.class_view, methods=["GET"]),
        Route("/api/teacher/attempts/{attempt_id}/comparison.png", p.comparison, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
