"""The teacher's side in the game: hosting a class (``classroom serve`` run as a child process, which the
screen stops when it is left) and collecting a folder of offline submissions.

Hosting runs the very command a teacher would type, ``gatekeeper classroom serve CHALLENGE --json``,
so the game and the command line host a class the same way; the child prints exactly one JSON line
``{"code", "url", "token"}`` once it accepts requests (game/server/run.py), read here by a thread: the
screen polls :attr:`ClassHost.state` and never waits. Its error output is kept (bounded) to show why it
did not start. Plain Python: tests drive it without a window.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path

from .. import paths
from ..classroom.client import one_line

STARTING, RUNNING, FAILED, STOPPED = "starting", "running", "failed", "stopped"


def serve_command(challenge_path: str | Path, extra: list[str] | None = None) -> list[str]:
    """The command that hosts a class: this game's own entry point (a bundle or main.py)."""
    frozen = getattr(sys, "frozen", False)  # a PyInstaller bundle: the executable is the game itself
    head = [sys.executable] if frozen else [sys.executable, str(paths.ROOT / "main.py")]
    return head + ["classroom", "serve", str(challenge_path), "--json"] + list(extra or [])


class ClassHost:
    """``classroom serve`` as a child process: :attr:`state`, and once RUNNING :attr:`code`,
    :attr:`url` (the projector page), :attr:`teacher_url`; :attr:`error` when FAILED."""

    def __init__(self, challenge_path: str | Path, extra: list[str] | None = None, env: dict | None = None):
        self.state = STARTING
        self.code = self.url = self.token = ""
        self.error = ""
        self._stderr: deque[str] = deque(maxlen=20)
        try:
            # its own process group: stopping it also stops its verification workers, which hold the
            # same pipes (a worker left behind would keep them open and the class half running)
            group = ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if os.name == "nt"
                     else {"start_new_session": True})
            self.proc = subprocess.Popen(serve_command(challenge_path, extra), stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                         encoding="utf-8", errors="replace", env=env, **group)
        except OSError as e:
            self.proc = None
            self.state, self.error = FAILED, one_line(e)
            return
        threading.Thread(target=self._read_out, daemon=True, name="class-host-out").start()
        threading.Thread(target=self._read_err, daemon=True, name="class-host-err").start()

    @property
    def teacher_url(self) -> str:
        return f"{self.url}/teacher?token={self.token}" if self.url else ""

    def _read_out(self) -> None:
        line = self.proc.stdout.readline(64 * 1024)
        try:
            data = json.loads(line)
            code, url, token = data["code"], data["url"], data["token"]
            if not all(isinstance(v, str) and v for v in (code, url, token)):
                raise ValueError("empty field")
        except (ValueError, KeyError, TypeError):
            self.proc.wait()
            self.state = FAILED if self.state != STOPPED else STOPPED
            self.error = self.last_error() or f"the server stopped (exit status {self.proc.returncode})"
            return
        self.code, self.url, self.token = one_line(code, 20), one_line(url, 200).rstrip("/"), token
        self.state = RUNNING if self.state == STARTING else self.state
        for _ in self.proc.stdout:  # keep the pipe drained while the class runs
            pass

    def _read_err(self) -> None:
        for line in self.proc.stderr:
            if line.strip():
                self._stderr.append(one_line(line, 300))

    def last_error(self) -> str:
        """The server's last error line (``error: …``), or its last line of output."""
        lines = list(self._stderr)
        errors = [ln for ln in lines if ln.startswith("error:")]
        pick = (errors or lines or [""])[-1]
        return pick.removeprefix("error:").strip()

    def poll(self) -> str:
        """The state now (a child that exited while running is FAILED with its reason)."""
        if self.proc is not None and self.state == RUNNING and self.proc.poll() is not None:
            self.state, self.error = FAILED, self.last_error() or f"the server stopped (exit status " \
                                                                  f"{self.proc.returncode})"
        return self.state

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the class server (its data stays: starting it again resumes the class)."""
        if self.proc is None:
            return
        self.state = STOPPED
        self._signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        self._signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)  # workers left over
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        # the reader threads end at end of file, once every process of the group is gone

    def _signal(self, sig) -> None:
        """Signal the server's whole process group (the server and its verification workers)."""
        try:
            if os.name == "nt":
                if self.proc.poll() is None:
                    self.proc.terminate()
            else:
                os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError, OSError):
            pass


def collect_folder(challenge_path: str, folder: str, csv_path: str) -> tuple[list[str], str]:
    """Verify every submission in ``folder`` (cls-core's collect), write the gradebook CSV; returns
    (the report, one line per file and finding; the CSV's path). Blocking: run it in the background."""
    from ..classroom import gradebook
    from ..classroom.challenge import load_challenge
    from ..classroom.collect import collect

    ch = load_challenge(Path(challenge_path).expanduser())
    report = collect(ch, Path(folder).expanduser())
    target = Path(csv_path).expanduser()
    gradebook.write_csv(target, report.rows(), ch.levels)
    prefix = str(Path(folder).expanduser()).rstrip("/\\") + os.sep  # file names are enough on screen
    return [line.replace(prefix, "") for line in report.summary()], str(target)
