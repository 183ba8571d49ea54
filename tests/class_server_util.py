"""Helpers for tests and the benchmark that drive a real class server: start `classroom serve --json` in a
subprocess, read its one JSON line, record replays through the game's own session APIs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ["campaign/01-carry", "campaign/06-adding"]


def env() -> dict:
    e = dict(os.environ)
    e.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", OPENBLAS_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    return e


def make_challenge(path, levels=("01-carry", "06-adding"), **rules):
    from game.classroom.challenge import Rules, make_challenge

    return make_challenge("Test class", list(levels), Rules(**rules), path)


class Server:
    """`python main.py classroom serve CHALLENGE --json` on 127.0.0.1, a free port."""

    def __init__(self, challenge_path, data_dir=None, db_url=None, workers=1, timeout=60):
        cmd = [sys.executable, str(ROOT / "main.py"), "classroom", "serve", str(challenge_path),
               "--host", "127.0.0.1", "--port", "0", "--json", "--no-discovery", "--workers", str(workers)]
        if data_dir is not None:
            cmd += ["--data", str(data_dir)]
        if db_url is not None:
            cmd += ["--db", db_url]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(),
                                     cwd=str(ROOT), text=True)
        line = self._first_line(timeout)
        info = json.loads(line)
        assert set(info) == {"code", "url", "token"}, info
        self.code, self.url, self.token = info["code"], info["url"].rstrip("/"), info["token"]

    def _first_line(self, timeout) -> str:
        import selectors

        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            self.kill()
            raise AssertionError("the server printed nothing within the time allowed")
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read()
            raise AssertionError(f"the server stopped: {err}")
        return line

    def children(self) -> list[int]:
        """The server's child processes (the verification workers), from Linux's /proc."""
        try:
            listed = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            return [int(p) for p in listed.split()]
        except OSError:
            return []

    def kill(self) -> None:
        """kill -9: no chance to flush or close anything."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._close_pipes()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe:
                pipe.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def record(challenge, level_id: str, strategy: str = "solution", losing_index: int = 0, *, player="t",
           started: datetime | None = None, gates=None) -> bytes:
    """A finished attempt's replay bytes, played with a strategy (or a (T, 3S) gates array)."""
    from game.session import replay, scripted
    from game.session.session import PlaySession

    level, model = challenge.level(level_id).playable()
    s = PlaySession(level, model)
    scripted.play(s, scripted.strategy_gates(s, strategy, losing_index) if gates is None else gates)
    started = started or datetime.now(timezone.utc)
    r = replay.make(s, level_id, player, started=started.isoformat(timespec="microseconds"))
    return replay.dumps(r, indent=None).encode()


def unique_times(n: int, start: datetime | None = None) -> list[datetime]:
    """Distinct start times: each replay is a different play (the server refuses the same play twice)."""
    start = start or datetime.now(timezone.utc) - timedelta(minutes=5)
    return [start + timedelta(milliseconds=k) for k in range(n)]


def wait_until(predicate, timeout: float, every: float = 0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return predicate()


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
