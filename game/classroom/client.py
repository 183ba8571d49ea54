"""The class server's client: every request the game and the command line make to a class server.

One job: turn the HTTP API (CLASSROOM.md, "HTTP API") into method calls that either return the server's
JSON answer or raise :class:`ClassError` with one line a person can read:

  * the server is not there: "cannot reach the class server at http://10.0.0.5:8000 (connection refused)";
  * it does not answer in time: "the class server at … did not answer within 10 s";
  * it refuses (4xx): the server's own one-line reason from its ``{"error": "…"}`` body;
  * it is rate-limited (429) or failing (5xx): said so, and marked ``retriable``.

``ClassError.retriable`` is what the background upload queue (game/classroom/uploads.py) decides on: a
server that is away, slow, busy or failing may accept the same upload later; a refusal (any other 4xx)
never will, so it is shown and not retried.

Every answer is read through a size cap (:data:`MAX_RESPONSE_BYTES`, the CSV export
:data:`MAX_CSV_BYTES`) and JSON through the project's bounded loader, so a hostile or broken server cannot
make the game read without limit. Text from the server is reduced to one printable line before it reaches
an error message. This is the only module of game/classroom that imports httpx (tests/test_layers.py).
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlsplit

import httpx

from .. import safe_io

__all__ = ["MAX_CSV_BYTES", "MAX_REPLAY_BYTES", "MAX_RESPONSE_BYTES", "ClassClient", "ClassError",
           "normalize_url"]

MAX_RESPONSE_BYTES = 1024 * 1024      # a board of 40 students is a few KiB; a roster with attempts more
MAX_CSV_BYTES = 16 * 1024 * 1024      # a school-wide gradebook
MAX_REPLAY_BYTES = 256 * 1024         # the server refuses larger attempt bodies (CLASSROOM.md)
MAX_REASON_CHARS = 200
DEFAULT_TIMEOUT = 10.0


class ClassError(Exception):
    """A request to the class server failed; ``str()`` is one line. ``status`` is the HTTP status (None
    when no answer came); ``retriable`` says whether the same request may succeed later."""

    def __init__(self, message: str, *, status: int | None = None, retriable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retriable = retriable


def one_line(text: object, limit: int = MAX_REASON_CHARS) -> str:
    """Server text as one printable line of at most ``limit`` characters (control characters, line
    breaks and bidi overrides become spaces)."""
    s = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch
                for ch in str(text)[: limit * 4])
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def normalize_url(url: str) -> str:
    """``http://host:port`` from what a person types ("10.0.0.5:8000", "http://host:8000/", "host");
    ClassError for anything that is not an http(s) address."""
    text = str(url).strip()
    if not text:
        raise ClassError("no class server address was given")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ClassError(f"not a class server address: {one_line(url, 80)!r} "
                         "(expected e.g. 192.168.1.20:8000)")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ClassError(f"not a class server address: {one_line(url, 80)!r} (bad port)") from None
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


class ClassClient:
    """Requests to one class server. ``base_url`` as a person types it (see :func:`normalize_url`);
    ``timeout`` in seconds for connecting and for each read. Safe to use from one thread at a time;
    the upload worker makes its own client."""

    def __init__(self, base_url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.base_url = normalize_url(base_url)
        self.timeout = float(timeout)
        self._http = httpx.Client(base_url=self.base_url, timeout=httpx.Timeout(self.timeout),
                                  follow_redirects=False, trust_env=False,
                                  headers={"User-Agent": "gatekeeper-classroom"})

    # -- plumbing ----------------------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ClassClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(self, method: str, path: str, *, token: str | None = None, json: Any = None,
                 content: bytes | None = None, params: dict | None = None,
                 limit: int = MAX_RESPONSE_BYTES) -> tuple[int, bytes, str]:
        """(status, body, content type) of a 2xx answer read through ``limit``; ClassError otherwise."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if content is not None:
            headers["Content-Type"] = "application/json"
        where = self.base_url
        try:
            with self._http.stream(method, path, headers=headers, json=json, content=content,
                                   params=params) as r:
                body = bytearray()
                for chunk in r.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise ClassError(f"the class server at {where} sent an answer larger than "
                                         f"{limit // 1024} KiB; it was not read", status=r.status_code)
                status, kind = r.status_code, r.headers.get("content-type", "")
        except ClassError:
            raise
        except httpx.ConnectTimeout:
            raise ClassError(f"cannot reach the class server at {where} (no answer within "
                             f"{self.timeout:g} s)", retriable=True) from None
        except httpx.TimeoutException:
            raise ClassError(f"the class server at {where} did not answer within {self.timeout:g} s",
                             retriable=True) from None
        except httpx.ConnectError as e:
            why = "connection refused" if "refused" in str(e).lower() else one_line(e, 80) or "no connection"
            raise ClassError(f"cannot reach the class server at {where} ({why})", retriable=True) from None
        except (httpx.TransportError, OSError) as e:  # reset, broken pipe, protocol error
            raise ClassError(f"the connection to the class server at {where} failed "
                             f"({one_line(e, 80) or type(e).__name__})", retriable=True) from None
        if 200 <= status < 300:
            return status, bytes(body), kind
        reason = self._reason(bytes(body))
        if status == 429:
            raise ClassError(f"the class server is busy: {reason or 'too many requests'}; "
                             "try again in a moment",
                             status=status, retriable=True)
        if status >= 500:
            raise ClassError(f"the class server at {where} failed (HTTP {status})"
                             + (f": {reason}" if reason else ""), status=status, retriable=True)
        if 300 <= status < 400:
            raise ClassError(f"the address {where} is not a class server (HTTP {status} redirect)",
                             status=status)
        if not reason:
            reason = {404: f"the address {where} is not a class server (no {path})",
                      401: "not allowed (the token is missing or wrong)",
                      403: "not allowed (the token is missing or wrong)"}.get(
                          status, f"refused (HTTP {status})")
        raise ClassError(reason, status=status)

    @staticmethod
    def _reason(body: bytes) -> str:
        """The ``error`` of a refusal's JSON body, as one line ('' when there is none)."""
        try:
            data = safe_io.loads_json(body, MAX_RESPONSE_BYTES, what="server answer")
        except (TypeError, ValueError):
            return ""
        return one_line(data.get("error", "")) if isinstance(data, dict) else ""

    def _json(self, method: str, path: str, **kw: Any) -> dict:
        _, body, _ = self._request(method, path, **kw)
        try:
            data = safe_io.loads_json(body, MAX_RESPONSE_BYTES, what="server answer")
        except (TypeError, ValueError) as e:
            raise ClassError(f"the class server at {self.base_url} sent an answer that is not JSON "
                             f"({one_line(e, 80)})") from None
        if not isinstance(data, dict):
            raise ClassError(f"the class server at {self.base_url} sent an unexpected answer (not an object)")
        return data

    # -- students ----------------------------------------------------------------------------------------

    def join(self, code: str, name: str, token: str | None = None) -> dict:
        """Join the class with its code as ``name`` (rejoin: pass the token the first join gave) →
        ``{"student_id", "token", "name", "challenge": {"title", "rules", "levels"}}``."""
        code = "".join(str(code).split()).upper()
        answer = self._json("POST", "/api/join", json={"code": code, "name": str(name)}, token=token)
        if not isinstance(answer.get("token"), str) or not answer["token"]:
            raise ClassError(f"the class server at {self.base_url} sent no token when joining")
        return answer

    def upload(self, token: str, replay_bytes: bytes) -> dict:
        """Send one finished attempt (the replay JSON) → ``{"status": "accepted", "attempt_id", "score",
        "stars", "answer", "wins"}``; a refusal raises ClassError with the server's reason."""
        if len(replay_bytes) > MAX_REPLAY_BYTES:
            raise ClassError(f"too large: a replay of {len(replay_bytes) // 1024} KiB (the class server "
                             f"takes at most {MAX_REPLAY_BYTES // 1024} KiB)")
        return self._json("POST", "/api/attempts", token=token, content=bytes(replay_bytes))

    def ask_hint(self, token: str, level_id: str, step: int) -> dict:
        """Ask for a hint at a step (the server counts it) → ``{"allowed": bool, "count": int}``."""
        return self._json("POST", "/api/hints", token=token, json={"level": level_id, "step": int(step)})

    def board(self) -> dict:
        return self._json("GET", "/api/board")

    def challenge(self) -> dict:
        return self._json("GET", "/api/challenge")

    def challenge_file(self, limit: int = 8 * 1024 * 1024) -> bytes:
        """The challenge file itself (its levels and weights embedded), to play it as the server does."""
        return self._request("GET", "/api/challenge.yaml", limit=limit)[1]

    # -- the teacher -------------------------------------------------------------------------------------

    def roster(self, teacher_token: str) -> dict:
        return self._json("GET", "/api/teacher/roster", token=teacher_token)

    def freeze(self, teacher_token: str, frozen: bool = True) -> dict:
        return self._json("POST", "/api/teacher/freeze", token=teacher_token, json={"frozen": bool(frozen)})

    def points(self, teacher_token: str, points_off: bool) -> dict:
        return self._json("POST", "/api/teacher/points", token=teacher_token,
                          json={"points_off": bool(points_off)})

    def rename(self, teacher_token: str, student_id: int, name: str) -> dict:
        return self._json("POST", f"/api/teacher/students/{int(student_id)}/rename", token=teacher_token,
                          json={"name": str(name)})

    def remove(self, teacher_token: str, student_id: int) -> dict:
        return self._json("DELETE", f"/api/teacher/students/{int(student_id)}", token=teacher_token)

    def roster_names(self, teacher_token: str, names: list[str], required: bool = True) -> dict:
        return self._json("POST", "/api/teacher/roster-names", token=teacher_token,
                          json={"required": bool(required), "names": [str(n) for n in names]})

    def export_csv(self, teacher_token: str, long: bool = False) -> str:
        """The gradebook CSV text (wide, or ``long`` = one row per student and level)."""
        _, body, _ = self._request("GET", "/api/teacher/export.csv", token=teacher_token,
                                   params={"long": "1"} if long else None, limit=MAX_CSV_BYTES)
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise ClassError(f"the class server at {self.base_url} sent a CSV that is not UTF-8 "
                             "text") from None

    def delete_class(self, teacher_token: str) -> dict:
        return self._json("DELETE", "/api/teacher/class", token=teacher_token)
