"""A real class server on localhost for the student-side tests: game/server's app on uvicorn, on a real
port, with its SQLite store in a folder of the test's (so stopping it and starting it again on the same
port and folder resumes the class: the server was only away)."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from game.classroom.challenge import load_challenge
from game.server.app import create_app
from game.server.state import ServerState, new_code, new_token
from game.server.store import open_store
from game.server.verify_pool import VerifyPool


@dataclass
class Running:
    url: str
    port: int
    code: str
    teacher_token: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def class_server(challenge_path: Path, data_dir: Path, port: int | None = None):
    """Serve the challenge until the block ends; yields :class:`Running`."""
    port = port or free_port()
    ch = load_challenge(challenge_path)
    store = open_store(data_dir)
    record, _ = store.open_class(ch.challenge_hash, ch.title, new_code, new_token)
    pool = VerifyPool(challenge_path, ch.challenge_hash, workers=1)
    state = ServerState(store, ch, record, pool,
                        challenge_text=Path(challenge_path).read_text(encoding="utf-8"))
    server = uvicorn.Server(uvicorn.Config(create_app(state), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the class server did not start")
        time.sleep(0.02)
    try:
        yield Running(f"http://127.0.0.1:{port}", port, record.code, record.teacher_token)
    finally:
        server.should_exit = True
        thread.join(10)
        pool.shutdown()
        store.close()
