"""Running a class: ``serve(challenge_path, host, port, data_dir, db_url, json_line)``.

Order of events: load the challenge → open the store and the class (the same challenge in the same store
resumes its class: same code, same teacher token, same board) → start and warm up the verification
workers → bind the socket → uvicorn serves → once it accepts requests, print the join code and the
URLs (with ``json_line``: exactly one JSON line ``{"code", "url", "token"}`` on stdout) → advertise on
the LAN (best effort) → until Ctrl+C (or SIGTERM).

Host: by default every interface (0.0.0.0), because students' PCs must reach the teacher's; a teacher
who only wants this machine passes ``--host 127.0.0.1``. The URLs printed use the machine's LAN address.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import sys
import threading
from pathlib import Path

from .. import safe_io

DEFAULT_HOST = "0.0.0.0"
DEFAULT_PORT = 8470


class ServeError(Exception):
    """The class cannot be started (one line)."""


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets that say
    # they are TCP; with proto 0 every small answer waited ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        why = "the port is in use (try --port)" if e.errno in (98, 48, 10048) else e.strerror or str(e)
        raise ServeError(f"cannot listen on {host}:{port}: {why}") from None
    sock.listen(512)
    sock.set_inheritable(True)
    return sock


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, except that after a graceful shutdown on Ctrl+C or SIGTERM it returns instead
        of raising the signal again (which would end the process before the verification workers are
        stopped and the store is closed)."""

        @contextlib.contextmanager
        def capture_signals(self):
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            original = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)

    return Server


def _Server(config):
    return _server_class()(config)


def public_host(host: str) -> str:
    """The host to put in the URLs people type."""
    if host in ("0.0.0.0", "::", ""):
        from .discovery import lan_address
        return lan_address() or "127.0.0.1"
    return host


def serve(challenge_path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, data_dir=None,
          db_url: str | None = None, json_line: bool = False, discovery: bool = True,
          workers: int | None = None, out=None) -> int:
    out = out or sys.stdout
    import uvicorn

    from ..classroom.challenge import ChallengeError, load_challenge
    from .app import create_app
    from .state import ServerState, new_code, new_token
    from .store import StoreError, open_store
    from .verify_pool import VerifyPool

    def say(text: str) -> None:
        if not json_line:
            print(text, file=out, flush=True)

    path = Path(challenge_path)
    try:
        challenge = load_challenge(path)
        text = safe_io.read_bytes(path, 64 * 1024 * 1024, what="challenge file").decode("utf-8", "replace")
    except ChallengeError as e:
        raise ServeError(str(e)) from None
    except safe_io.FileRefused as e:
        raise ServeError(str(e)) from None
    try:
        store = open_store(data_dir, db_url)
        record, created = store.open_class(challenge.challenge_hash, challenge.title, new_code, new_token)
    except StoreError as e:
        raise ServeError(str(e)) from None
    sock = _bind(host, port)
    pool = VerifyPool(path.resolve(), challenge.challenge_hash, workers)
    advertiser = None
    try:
        say(f"Starting the class \"{challenge.title}\" ({'new' if created else 'resumed'}): loading the "
            f"levels in {pool.workers} verification worker(s)...")
        try:
            pool.warm_up()
        except Exception as e:
            raise ServeError(f"the verification workers did not start ({type(e).__name__}: {e})") from None
        state = ServerState(store, challenge, record, pool, challenge_text=text)
        app = create_app(state)
        port = sock.getsockname()[1]
        url = f"http://{public_host(host)}:{port}/"
        state.url = url  # the address the projector page shows students (pages.py), whatever the page's own
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                                timeout_graceful_shutdown=2, timeout_keep_alive=30)
        server = _Server(config)

        async def main() -> None:
            task = asyncio.create_task(server.serve(sockets=[sock]))
            while not server.started and not task.done():
                await asyncio.sleep(0.02)
            if server.started:
                if json_line:
                    print(json.dumps({"code": record.code, "url": url, "token": record.teacher_token}),
                          file=out, flush=True)
                else:
                    teacher = f"{url}teacher?token={record.teacher_token}"
                    say(f"\nThe class is open. Join code: {record.code}\n"
                        f"  Projector page (show it to the class): {url}\n"
                        f"  Teacher page (keep it to yourself):    {teacher}\n"
                        f"Students: Join a class in the game, with this address and the code.\n"
                        f"Stop with Ctrl+C; the same command resumes this class.")
            await task

        if discovery and host not in ("127.0.0.1", "localhost", "::1"):
            from .discovery import Advertiser
            advertiser = Advertiser(challenge.title, public_host(host), port,
                                    log=lambda m: print(m, file=sys.stderr, flush=True))
            advertiser.start()
        asyncio.run(main())
    finally:
        if advertiser is not None:
            advertiser.close()
        pool.shutdown()
        store.close()
        sock.close()
    if state.deleted:
        say("The class's data was deleted.")
    return 0
