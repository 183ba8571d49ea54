"""The class server's HTTP API (CLASSROOM.md), a Starlette app: ``create_app(state)``.

Every answer is JSON; every error is ``{"error": "one line"}`` with a 4xx status (429 when
rate-limited, with Retry-After; 410 once the class's data is deleted). The order of the checks on an
upload is cheapest first, so a flood of junk never reaches a worker:

    rate (per address) → student token → rate (per student) → body ≤ 256 KiB → JSON depth →
    level in the challenge → time window → attempts left → re-simulation in the pool →
    stored (attempts re-checked in the same transaction) → answered.

The score in an upload is never read: the answer carries the server's re-simulated score. Tokens are
compared in constant time (teacher) or looked up by their SHA-256 (students); no path in the file
system ever comes from a request (the challenge file is the one the teacher started the server with).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import sys
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timezone

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ..text_safety import text_problem
from . import nicknames
from .limits import MAX_REPLAY_BYTES, BodyRefused, parse_json, read_body, read_json_object, retry_after
from .state import ServerState, normalise_code
from .store import AttemptNotStored, NameTaken, token_hash

MAX_NAME = 24
KEEPALIVE = 15.0  # seconds between comments on an idle event stream (proxies drop silent connections)


def error(status: int, message: str, **extra) -> JSONResponse:
    headers = extra.pop("headers", None)
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def too_many(wait: float) -> JSONResponse:
    return error(429, f"too many requests: try again in {retry_after(wait)} s",
                 headers={"Retry-After": retry_after(wait)})


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return None


def clean_name(value) -> str:
    """A nickname as shown: 1..MAX_NAME characters, spaces collapsed, drawable (text_safety rule 1)."""
    if not isinstance(value, str):
        raise BodyRefused(400, "name: must be text")
    name = " ".join(value.split())
    if not name:
        raise BodyRefused(400, "name: must not be empty")
    if len(name) > MAX_NAME:
        raise BodyRefused(400, f"name: at most {MAX_NAME} characters")
    problem = text_problem(name)
    if problem:
        raise BodyRefused(400, f"name: {problem}")
    return name


def play_key(replay: dict) -> str:
    """The identity of one play: level, start time and history (not the player's name or the score)."""
    key = {k: replay.get(k) for k in ("level_id", "level_hash", "started", "history")}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


def create_app(state: ServerState) -> Starlette:
    store = state.store
    challenge = state.challenge
    rules = challenge.rules

    def thread(fn, *args, **kwargs):
        return run_in_threadpool(fn, *args, **kwargs)

    def is_teacher(request: Request) -> bool:
        given = bearer(request) or request.query_params.get("token") or ""
        return hmac.compare_digest(given.encode("utf-8", "surrogatepass"),
                                   state.teacher_token.encode("utf-8"))

    def teacher_refusal(request: Request) -> Response | None:
        if is_teacher(request):
            return None
        wait = state.teacher_fail_limit.take(client_address(request))
        if wait:
            return too_many(wait)
        return error(401, "this needs the teacher's token")

    async def student_of(request: Request):
        token = bearer(request)
        if not token:
            return None
        return await thread(store.student_by_token, state.class_id, token_hash(token))

    def challenge_json() -> dict:
        return {"title": challenge.title, "rules": rules.to_dict(), "levels": state.levels,
                "challenge_hash": challenge.challenge_hash}

    # -- students -------------------------------------------------------------------------------------------
    async def join(request: Request) -> Response:
        wait = state.join_limit.take(client_address(request))
        if wait:
            return too_many(wait)
        data = await read_json_object(request)
        code = data.get("code")
        if not isinstance(code, str) or not hmac.compare_digest(normalise_code(code).encode(),
                                                                state.code.encode()):
            return error(403, "wrong class code")
        token = bearer(request) or data.get("token")
        if isinstance(token, str) and token:
            known = await thread(store.student_by_token, state.class_id, token_hash(token))
            if known is not None:
                return JSONResponse({"student_id": known.id, "token": token, "name": known.name,
                                     "challenge": challenge_json()})
        name = clean_name(data.get("name"))
        record = state.record
        roster_id = None
        if record.roster_required:
            entry = next((e for e in record.roster if e["name"].casefold() == name.casefold()), None)
            if entry is None:
                return error(403, f"'{name}' is not on this class's roster: use the name your teacher gave")
            name, roster_id = entry["name"], entry.get("id")
        token = state_new_token()
        try:
            student = await thread(store.add_student, state.class_id, name, token_hash(token), roster_id)
        except NameTaken:
            return error(409, f"the nickname '{name}' is taken: pick another")
        state.hub.poke()
        return JSONResponse({"student_id": student.id, "token": token, "name": student.name,
                             "challenge": challenge_json()})

    async def suggest_names(request: Request) -> Response:
        taken = [s.name for s in await thread(store.students, state.class_id)]
        return JSONResponse({"names": nicknames.suggest(taken)})

    async def accepted_again(stored) -> Response:
        """The answer of the upload that stored ``stored``, sent again (same attempt id and score)."""
        v = json.loads(stored.result_json)
        revision = await thread(store.revision, state.class_id)
        return JSONResponse({"status": "accepted", "attempt_id": stored.id, "score": stored.score,
                             "stars": stored.stars, "answer": v.get("answer"), "wins": stored.wins,
                             "hints": stored.hints, "revision": revision, "again": True})

    async def upload(request: Request) -> Response:
        received = datetime.now(timezone.utc)
        student = await student_of(request)
        if student is None:
            return error(401, "not a student of this class: join first (unknown or removed token)")
        wait = state.upload_limit.take(student.id)
        if wait:
            return too_many(wait)
        body = await read_body(request, MAX_REPLAY_BYTES)
        data = parse_json(body, MAX_REPLAY_BYTES, what="replay")
        if not isinstance(data, dict):
            return error(400, "malformed replay: not a JSON object")
        level_id = data.get("level_id")
        level = challenge.level(level_id) if isinstance(level_id, str) else None
        if level is None:
            shown = level_id if isinstance(level_id, str) else "?"
            return error(422, f"level {shown[:80]!r} is not in this challenge")
        # A retry of an attempt already stored (its answer was lost on the way back) gets the original
        # result, before the window and attempt-limit checks that could now refuse it; a copy sent by
        # another student is refused.
        from ..classroom.verify import AttemptRefused, attempt_key, parse_replay
        try:
            key = attempt_key(parse_replay(body))
        except AttemptRefused:
            key = None  # verification below says what is wrong with it
        if key is not None:
            stored = await thread(store.attempt_by_key, state.class_id, key)
            if stored is not None:
                if stored.student_id != student.id:
                    return error(409, "another student already handed in this very attempt")
                return await accepted_again(stored)
        window = rules.window_problem(received)
        if window:
            return error(403, window)
        limit = rules.attempts_per_level
        if limit is not None:
            used = await thread(store.count_attempts, state.class_id, student.id, level.id)
            if used >= limit:
                return error(409, f"no attempts left on '{level.title}' (at most {limit})")
        if state.verify_pool.pending >= state.max_pending:
            return error(503, "the server is busy verifying: try again in a minute",
                         headers={"Retry-After": "30"})
        hints = await thread(store.pending_hints, state.class_id, student.id, level.id)
        try:
            v = await state.verify_pool.verify(body, received, hints)
        except AttemptRefused as e:
            return error(422, e.reason)
        except BrokenProcessPool:
            return error(503, "a verification worker stopped: send the attempt again",
                         headers={"Retry-After": "2"})
        # Keep the class nickname, not the name the student's game recorded (it may be a real name):
        # the data kept is the minimum.
        replay = {**v.pop("replay"), "player": student.name}
        v["player"] = student.name
        try:
            attempt_id, revision = await thread(
                store.add_attempt, state.class_id, student.id, level_id=level.id, score=v["score"],
                stars=v["stars"], wins=v["wins"], hints=v["hints"],
                result_json=json.dumps(v, separators=(",", ":")),
                replay_json=json.dumps(replay, separators=(",", ":")), level_hash=level.level_hash,
                network_hash=level.network_hash, play_key=v.get("attempt_key") or play_key(replay),
                max_attempts=limit)
        except AttemptNotStored as e:
            if e.why == "limit":
                return error(409, f"no attempts left on '{level.title}' (at most {limit})")
            if e.why == "gone":
                return error(401, "not a student of this class any more")
            stored = await thread(store.attempt_by_key, state.class_id, v.get("attempt_key") or "")
            if e.mine and stored is not None:  # the same retry raced the first upload
                return await accepted_again(stored)
            return error(409, "this attempt was already handed in" if e.mine
                         else "another student already handed in this very attempt")
        state.hub.poke()
        return JSONResponse({"status": "accepted", "attempt_id": attempt_id, "score": v["score"],
                             "stars": v["stars"], "answer": v["answer"], "wins": v["wins"],
                             "hints": v["hints"], "revision": revision})

    async def hint(request: Request) -> Response:
        student = await student_of(request)
        if student is None:
            return error(401, "not a student of this class: join first (unknown or removed token)")
        wait = state.hint_limit.take(student.id)
        if wait:
            return too_many(wait)
        data = await read_json_object(request)
        level_id, step = data.get("level"), data.get("step")
        level = challenge.level(level_id) if isinstance(level_id, str) else None
        if level is None:
            return error(422, "level: not a level of this challenge")
        if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step <= 10_000:
            return error(400, "step: must be a whole number from 0")
        if not rules.hints_allowed:
            count = await thread(store.pending_hints, state.class_id, student.id, level.id)
            return JSONResponse({"allowed": False, "count": count,
                                 "error": "hints are not allowed in this challenge"}, status_code=403)
        count = await thread(store.add_hint, state.class_id, student.id, level.id, step)
        return JSONResponse({"allowed": True, "count": count})

    async def get_challenge(request: Request) -> Response:
        return JSONResponse(challenge_json())

    async def get_challenge_yaml(request: Request) -> Response:
        return Response(state.challenge_text, media_type="application/yaml",
                        headers={"Content-Disposition": 'attachment; filename="challenge.yaml"'})

    async def board(request: Request) -> Response:
        return JSONResponse(await state.board(teacher=is_teacher(request)))

    async def board_stream(request: Request) -> Response:
        teacher = is_teacher(request)
        hub = state.hub
        await hub.refresh()

        async def events():
            last_text, version = None, -1
            while True:
                if state.deleted:
                    yield "event: deleted\ndata: {}\n\n"
                    return
                text = hub.live_text if teacher else hub.public_text
                if text != last_text:
                    last_text = text
                    yield f"event: board\ndata: {text}\n\n"
                newer = await hub.wait_newer(version, KEEPALIVE)
                if newer == version:
                    yield ": keep-alive\n\n"
                version = newer

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    # -- teacher --------------------------------------------------------------------------------------------
    def teacher_only(handler):
        async def guarded(request: Request) -> Response:
            refusal = teacher_refusal(request)
            if refusal is not None:
                return refusal
            return await handler(request)
        return guarded

    async def roster(request: Request) -> Response:
        students = await thread(store.students, state.class_id)
        attempts = await thread(store.attempts, state.class_id)
        by_student: dict[int, list] = {}
        for a in attempts:
            by_student.setdefault(a.student_id, []).append(
                {"id": a.id, "level": a.level_id, "score": a.score, "stars": a.stars, "wins": a.wins,
                 "hints": a.hints, "verified_at": a.verified_at})
        record = state.record
        return JSONResponse({
            "code": state.code, "frozen": record.frozen, "points_off": record.points_off,
            "roster_required": record.roster_required, "roster": record.roster,
            "students": [{"id": s.id, "name": s.name, "roster_id": s.roster_id, "joined_at": s.joined_at,
                          "attempts": by_student.get(s.id, [])} for s in students]})

    async def freeze(request: Request) -> Response:
        data = await read_json_object(request)
        frozen = data.get("frozen")
        if not isinstance(frozen, bool):
            return error(400, "frozen: must be true or false")
        snapshot = None
        if frozen:  # the attempts on the board now (state.py: frozen_rows)
            rows = await thread(store.board_rows, state.class_id)
            snapshot = json.dumps([list(r) for r in rows], separators=(",", ":"))
        await thread(store.set_frozen, state.class_id, frozen, snapshot)
        await state.hub.refresh()
        return JSONResponse({"frozen": frozen})

    async def points(request: Request) -> Response:
        data = await read_json_object(request)
        off = data.get("points_off")
        if not isinstance(off, bool):
            return error(400, "points_off: must be true or false")
        await thread(store.set_points_off, state.class_id, off)
        await state.hub.refresh()
        return JSONResponse({"points_off": off})

    def student_id_of(request: Request) -> int:
        try:
            return int(request.path_params["student_id"])
        except (KeyError, ValueError):
            raise BodyRefused(400, "student id: must be a number") from None

    async def rename(request: Request) -> Response:
        sid = student_id_of(request)
        name = clean_name((await read_json_object(request)).get("name"))
        try:
            found = await thread(store.rename, state.class_id, sid, name)
        except NameTaken:
            return error(409, f"the nickname '{name}' is taken")
        if not found:
            return error(404, "no such student")
        await state.hub.refresh()
        return JSONResponse({"id": sid, "name": name})

    async def remove(request: Request) -> Response:
        sid = student_id_of(request)
        if not await thread(store.remove, state.class_id, sid):
            return error(404, "no such student")
        await state.hub.refresh()
        return JSONResponse({"removed": sid})

    async def roster_names(request: Request) -> Response:
        data = await read_json_object(request, 256 * 1024)
        required, names = data.get("required"), data.get("names", [])
        if not isinstance(required, bool):
            return error(400, "required: must be true or false")
        if not isinstance(names, list) or len(names) > 1000:
            return error(400, "names: a list of at most 1000 names")
        roster, seen = [], set()
        for k, entry in enumerate(names, 1):
            raw_id = None
            if isinstance(entry, dict):
                entry, raw_id = entry.get("name"), entry.get("id")
            try:
                name = clean_name(entry)
            except BodyRefused as e:
                return error(400, f"names[{k}]: {e.reason}")
            if name.casefold() in seen:
                return error(400, f"names[{k}]: '{name}' is on the roster twice")
            seen.add(name.casefold())
            if raw_id is not None and not (isinstance(raw_id, (str, int)) and len(str(raw_id)) <= 64):
                return error(400, f"names[{k}].id: text of at most 64 characters")
            roster.append({"name": name, "id": None if raw_id is None else str(raw_id)})
        await thread(store.set_roster, state.class_id, required, roster)
        await state.hub.refresh()
        return JSONResponse({"required": required, "names": len(roster)})

    async def export_csv(request: Request) -> Response:
        long = request.query_params.get("long") in ("1", "true", "yes")
        # A browser following the teacher page's link (it asks for HTML first) gets a byte-order mark, so
        # a spreadsheet opening the download reads accented nicknames right; scripts get plain UTF-8.
        bom = "text/html" in request.headers.get("accept", "")
        text = ("\ufeff" if bom else "") + await thread(gradebook_csv, state, long)
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="gradebook.csv"'})

    async def delete_class(request: Request) -> Response:
        await thread(store.delete_class, state.class_id)
        state.deleted = True
        await state.hub.refresh()
        return JSONResponse({"deleted": True})

    def state_new_token() -> str:
        from .state import new_token
        return new_token()

    routes = [
        Route("/api/join", join, methods=["POST"]),
        Route("/api/nicknames", suggest_names, methods=["GET"]),
        Route("/api/attempts", upload, methods=["POST"]),
        Route("/api/hints", hint, methods=["POST"]),
        Route("/api/challenge", get_challenge, methods=["GET"]),
        Route("/api/challenge.yaml", get_challenge_yaml, methods=["GET"]),
        Route("/api/board", board, methods=["GET"]),
        Route("/api/board/stream", board_stream, methods=["GET"]),
        Route("/api/teacher/roster", teacher_only(roster), methods=["GET"]),
        Route("/api/teacher/freeze", teacher_only(freeze), methods=["POST"]),
        Route("/api/teacher/points", teacher_only(points), methods=["POST"]),
        Route("/api/teacher/students/{student_id}/rename", teacher_only(rename), methods=["POST"]),
        Route("/api/teacher/students/{student_id}", teacher_only(remove), methods=["DELETE"]),
        Route("/api/teacher/roster-names", teacher_only(roster_names), methods=["POST"]),
        Route("/api/teacher/export.csv", teacher_only(export_csv), methods=["GET"]),
        Route("/api/teacher/class", teacher_only(delete_class), methods=["DELETE"]),
    ]
    routes += page_routes(state)

    async def body_refused(request: Request, exc: BodyRefused) -> Response:
        return error(exc.status, exc.reason)

    async def server_error(request: Request, exc: Exception) -> Response:
        print(f"error: {request.method} {request.url.path}: {type(exc).__name__}: {exc}", file=sys.stderr,
              flush=True)
        return error(500, f"the server failed on this request ({type(exc).__name__}); it goes on running")

    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error(exc.status_code, exc.detail or "error", headers=getattr(exc, "headers", None))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await state.hub.refresh()
        task = asyncio.create_task(state.hub.run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(Guard, state=state)],
                    exception_handlers={BodyRefused: body_refused, HTTPException: http_error,
                                        Exception: server_error})
    app.state.server = state
    return app


class Guard:
    """Pure ASGI middleware (streams pass through untouched): the per-address rate, and 410 once the
    class's data is deleted."""

    def __init__(self, app, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            client = scope.get("client")
            wait = self.state.request_limit.take(client[0] if client else "?")
            refusal = None
            if wait:
                refusal = too_many(wait)
            elif self.state.deleted:
                refusal = error(410, "this class's data was deleted: the teacher can start a new class")
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


def page_routes(state) -> list:
    """The projector and teacher pages (game/server/pages.py, cls-web's part), when present."""
    try:
        from . import pages
    except ImportError:
        return []
    return list(pages.routes(state))


def gradebook_csv(state: ServerState, long: bool) -> str:
    """The gradebook (game/classroom/gradebook.py's format) of the class as it is stored."""
    from ..classroom import gradebook

    rows = gradebook_rows(state.store.students(state.class_id), state.store.attempts(state.class_id))
    return gradebook.csv_text(rows, state.levels, long=long)


def gradebook_rows(students, attempts) -> list[dict]:
    """Per student: the best score per level (ties: the first verified), its stars and time, the
    attempts per level and in all."""
    by_student: dict[int, list] = {}
    for a in attempts:
        by_student.setdefault(a.student_id, []).append(a)
    rows = []
    for s in students:
        levels: dict[str, dict] = {}
        mine = by_student.get(s.id, [])
        for a in mine:
            r = levels.setdefault(a.level_id,
                                  {"score": None, "stars": None, "attempts": 0, "verified_at": ""})
            r["attempts"] += 1
            if r["score"] is None or a.score > r["score"] or (a.score == r["score"] and a.verified_at <
                                                              r["verified_at"]):
                r.update(score=a.score, stars=a.stars, verified_at=a.verified_at)
        rows.append({"name": s.name, "roster_id": s.roster_id or "", "attempts": len(mine), "levels": levels})
    return rows
