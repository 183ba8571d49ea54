"""`gatekeeper classroom ...`: classroom challenges (issue 13)."""

from __future__ import annotations

from .classroom_serve import add_serve_parser, run_serve


def add_parser(sub) -> None:
    cl = sub.add_parser("classroom", help="classroom challenges: host a class, collect, export")
    csub = cl.add_subparsers(dest="classroom_command", metavar="CLASSROOM_COMMAND", required=True)
    add_serve_parser(csub)


def run(args) -> int:
    if args.classroom_command == "serve":
        return run_serve(args)
    raise AssertionError(args.classroom_command)
