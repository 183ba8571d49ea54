"""`gatekeeper classroom serve CHALLENGE.yaml`: run a class server (game/server/run.py)."""

from __future__ import annotations

import sys


def add_serve_parser(csub) -> None:
    from ..server.run import DEFAULT_HOST, DEFAULT_PORT

    sv = csub.add_parser(
        "serve", help="host a class on this network: join code, projector page, teacher page",
        description="Host a class: students join with the address and the join code; the projector page "
                    "shows the live board; the teacher page (with the token) runs the class. The same "
                    "command with the same data folder resumes the class (same code, token and board).")
    sv.add_argument("challenge", metavar="CHALLENGE.yaml")
    sv.add_argument("--host", default=DEFAULT_HOST,
                    help=f"the address to listen on (default {DEFAULT_HOST}: every network of this computer, "
                         "so the class's PCs can reach it; 127.0.0.1: this computer only)")
    sv.add_argument("--port", type=int, default=DEFAULT_PORT,
                    help=f"default {DEFAULT_PORT}; 0: any free port")
    sv.add_argument("--data", metavar="DIR", help="where the class's database lives (default: the game's "
                    "user data folder)")
    sv.add_argument("--db", metavar="URL", help="a PostgreSQL database instead (postgresql://...): several "
                    "servers may share it (needs the postgres extra)")
    sv.add_argument("--json", action="store_true",
                    help='print one JSON line {"code", "url", "token"} once the server accepts requests')
    sv.add_argument("--no-discovery", action="store_true", help="do not advertise the class on the LAN")
    sv.add_argument("--workers", type=int, default=None, metavar="N",
                    help="verification processes (default: one per CPU core)")


def run_serve(args) -> int:
    from ..server.run import ServeError, serve

    if not 0 <= args.port <= 65535:
        print(f"error: --port must be 0..65535, got {args.port}", file=sys.stderr)
        return 2
    if args.workers is not None and not 1 <= args.workers <= 64:
        print(f"error: --workers must be 1..64, got {args.workers}", file=sys.stderr)
        return 2
    try:
        return serve(args.challenge, args.host, args.port, args.data, args.db, args.json,
                     discovery=not args.no_discovery, workers=args.workers)
    except ServeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
