"""What a client may send: bounded bodies, bounded JSON, and a rate per client.

Bodies are read from the stream up to a cap (a Content-Length over the cap is refused before anything
is read), and JSON is parsed only after its nesting depth is counted (game/safe_io.loads_json), so a
hostile body costs at most the cap in memory and never a RecursionError.

Rates are token buckets: a bucket holds up to ``burst`` tokens and gains ``rate`` per second; each
request takes one, and a request finding the bucket empty is answered 429 with how long to wait.
Buckets live in the server process (several processes sharing PostgreSQL each keep their own).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from .. import safe_io

MAX_REPLAY_BYTES = 256 * 1024   # CLASSROOM.md: an upload is at most 256 KiB
MAX_SMALL_BYTES = 16 * 1024     # every other JSON body (join, hints, teacher commands)
MAX_DEPTH = 32                  # a replay nests 3 levels deep; nothing we read needs more than a few


class BodyRefused(Exception):
    """A body we will not read: (HTTP status, one-line reason)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_body(request, max_bytes: int) -> bytes:
    """The request body, at most max_bytes; BodyRefused(413) beyond, without reading the rest."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > max_bytes:
                raise BodyRefused(413, f"too large: the body has {int(declared)} bytes; at most {max_bytes}")
        except ValueError:
            raise BodyRefused(400, "malformed: bad Content-Length") from None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise BodyRefused(413, f"too large: at most {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(body: bytes, max_bytes: int, what: str = "body") -> object:
    """JSON within the size and depth caps; BodyRefused(400 or 413) with a one-line reason."""
    try:
        return safe_io.loads_json(body, max_bytes, MAX_DEPTH, what=what)
    except safe_io.JSONRefused as e:
        status = 413 if "too big" in str(e) else 400
        return _raise(status, f"malformed: {e}")


def _raise(status: int, reason: str):
    raise BodyRefused(status, reason)


async def read_json_object(request, max_bytes: int = MAX_SMALL_BYTES) -> dict:
    data = parse_json(await read_body(request, max_bytes), max_bytes)
    if not isinstance(data, dict):
        raise BodyRefused(400, "malformed: the body must be a JSON object")
    return data


@dataclass
class Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    """Token buckets by key; ``take(key)`` is 0 if allowed, else the seconds to wait."""

    burst: float
    rate: float
    max_keys: int = 10_000
    _buckets: dict = field(default_factory=dict)

    def take(self, key, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        b = self._buckets.get(key)
        if b is None:
            if len(self._buckets) >= self.max_keys:  # forget full buckets first: they are the default state
                self._buckets = {k: v for k, v in self._buckets.items()
                                 if v.tokens + (now - v.at) * self.rate < self.burst}
            b = self._buckets[key] = Bucket(self.burst, now)
        b.tokens = min(self.burst, b.tokens + (now - b.at) * self.rate)
        b.at = now
        if b.tokens >= 1:
            b.tokens -= 1
            return 0.0
        return (1 - b.tokens) / self.rate


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
