"""`gatekeeper classroom …`: classroom challenges (docs/classroom.md).

Each subcommand adds its parser in ``add_parser`` and its runner in ``RUNNERS`` (other subcommands of the
classroom helpers go here too, so game/cli/__init__.py needs only the one hook).

    classroom new --title T --levels ID,ID,... -o CHALLENGE.yaml [--attempts N] [--no-hints] [--practice]
                  [--opens TIME] [--closes TIME] [--time-limit S]
    classroom collect CHALLENGE.yaml FOLDER --csv FILE [--long] [--roster ROSTER.csv] [--json]
                      [--serve [--host H] [--port P] [--data DIR]]
    classroom serve CHALLENGE.yaml [--host H] [--port P] [--data DIR] [--db URL] [--json]   (cls-server)
    classroom submit URL --code CODE --name NAME REPLAY.json ...      (game/cli/class_client_cmd.py)
    classroom export URL --token TEACHER_TOKEN --csv FILE [--long]
"""

from __future__ import annotations

import json
import sys

from . import class_client_cmd
from .classroom_serve import add_serve_parser, run_serve
from .errors import ReplayArgumentError


def add_parser(sub) -> None:
    cp = sub.add_parser("classroom", help="classroom challenges: make one, collect offline submissions",
                        description="Classroom challenges (docs/classroom.md).")
    csub = cp.add_subparsers(dest="classroom_command", metavar="CLASSROOM_COMMAND", required=True)

    new = csub.add_parser(
        "new", help="make a challenge file: levels with their trained networks inside, and rules",
        description="Make a challenge file for a class. The levels (shipped ids or your own level files) "
                    "and their trained networks are embedded, so every machine plays the same level and "
                    "none has to train.")
    new.add_argument("--title", required=True, help="the challenge's title (1 to 80 characters)")
    new.add_argument("--levels", required=True, metavar="ID,ID,...",
                     help="shipped level ids (01-carry or campaign/01-carry) or level files, comma-separated")
    new.add_argument("-o", "--output", required=True, metavar="CHALLENGE.yaml")
    new.add_argument("--attempts", type=int, metavar="N", help="attempts per level (default: unlimited)")
    new.add_argument("--no-hints", action="store_true", help="hints are not allowed")
    new.add_argument("--practice", action="store_true", help="practice mode: no points, no board")
    new.add_argument("--opens", metavar="TIME", help="opens at this time, e.g. 2026-12-01T09:00:00+01:00")
    new.add_argument("--closes", metavar="TIME", help="closes at this time (with its time zone)")
    new.add_argument("--time-limit", type=int, metavar="SECONDS", help="time limit per attempt in seconds")

    col = csub.add_parser(
        "collect", help="verify a folder of offline submissions and write the gradebook CSV",
        description="Verify every attempt of every submission file (*.json) in FOLDER by re-simulation, "
                    "keep each student's best, report per file what was refused or flagged and why, and "
                    "write the CSV.")
    col.add_argument("challenge", metavar="CHALLENGE.yaml")
    col.add_argument("folder", metavar="FOLDER")
    col.add_argument("--csv", required=True, metavar="FILE", help="the gradebook CSV to write")
    col.add_argument("--long", action="store_true",
                     help="one row per student and level: name,level,best_score,stars,attempts,verified_at")
    col.add_argument("--roster", metavar="ROSTER.csv",
                     help="a CSV with columns name,roster_id: fills the roster_id column (stays on your "
                          "machine)")
    col.add_argument("--json", action="store_true",
                     help="print the findings and the board as one JSON object (with --serve, then the "
                          "server's JSON line)")
    col.add_argument("--serve", action="store_true",
                     help="then serve the projector and teacher pages from the collected results, on this "
                          "computer only unless --host says otherwise, until Ctrl+C")
    col.add_argument("--host", default="127.0.0.1", help="with --serve: the address to listen on "
                     "(default 127.0.0.1)")
    col.add_argument("--port", type=int, default=0, help="with --serve: the port (default 0: any free one)")
    col.add_argument("--data", metavar="DIR", help="with --serve: keep the collected class in this folder "
                     "(default: a temporary one, removed on exit)")
    add_serve_parser(csub)
    class_client_cmd.add_parsers(csub)  # submit, export (cls-game)

def _rules(args):
    from ..classroom.challenge import Rules, parse_time

    def when(option, text):
        if text is None:
            return None
        try:
            return parse_time(text)
        except ValueError as e:
            raise ReplayArgumentError(f"{option}: {e}") from None

    opens, closes = when("--opens", args.opens), when("--closes", args.closes)
    if opens is not None and closes is not None and closes <= opens:
        raise ReplayArgumentError("--closes must come after --opens")
    if args.attempts is not None and not 1 <= args.attempts <= 1000:
        raise ReplayArgumentError(f"--attempts must be 1..1000, got {args.attempts}")
    if args.time_limit is not None and not 10 <= args.time_limit <= 24 * 3600:
        raise ReplayArgumentError(f"--time-limit must be 10..86400 seconds, got {args.time_limit}")
    return Rules(opens, closes, args.attempts, not args.no_hints, args.practice, args.time_limit)


def run_new(args) -> int:
    from ..classroom.challenge import TITLE_MAX, ChallengeError, make_challenge
    from ..levels.loader import LevelError
    from ..progress_bar import TerminalProgress
    from ..text_safety import text_problem

    title = args.title.strip()
    if not 0 < len(title) <= TITLE_MAX or "\n" in title:
        raise ReplayArgumentError(f"--title must be one line of 1 to {TITLE_MAX} characters")
    if text_problem(title):
        raise ReplayArgumentError(f"--title {text_problem(title)}")
    refs = [r.strip() for r in args.levels.split(",") if r.strip()]
    if not refs:
        raise ReplayArgumentError("--levels names no level")
    rules = _rules(args)
    try:
        ch = make_challenge(title, refs, rules, args.output, TerminalProgress("training"))
    except (ChallengeError, LevelError) as e:
        print(str(e), file=sys.stderr)
        return 1
    print(f"{args.output}: {ch.title!r}, {len(ch.levels)} levels ({', '.join(lv.id for lv in ch.levels)}), "
          f"challenge {ch.short_hash}")
    return 0


def _roster(path) -> dict[str, str]:
    """name -> roster_id from a small CSV (bounded read; header name,roster_id)."""
    import csv
    import io

    from .. import safe_io

    text = safe_io.read_text(path, 1024 * 1024, what="roster file")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"name", "roster_id"} <= set(reader.fieldnames):
        raise ReplayArgumentError(f"{path}: a roster needs the columns name,roster_id")
    return {row["name"].strip(): (row["roster_id"] or "").strip() for row in reader if row.get("name")}


def run_collect(args) -> int:
    from ..classroom import gradebook
    from ..classroom.challenge import ChallengeError, load_challenge
    from ..classroom.collect import collect

    try:
        ch = load_challenge(args.challenge)
    except ChallengeError as e:
        print(str(e), file=sys.stderr)
        return 1
    roster = _roster(args.roster) if args.roster else {}
    if args.serve and not 0 <= args.port <= 65535:
        raise ReplayArgumentError(f"--port must be 0..65535, got {args.port}")
    try:
        report = collect(ch, args.folder)
    except (NotADirectoryError, ValueError) as e:
        raise ReplayArgumentError(str(e)) from None
    gradebook.write_csv(args.csv, report.rows(roster), ch.levels, long=args.long)
    if args.json:
        print(json.dumps({"challenge": ch.short_hash, "csv": args.csv,
                          "files": [{"file": r.file, "nickname": r.nickname, "attempts": r.attempts,
                                     "counted": r.counted,
                                     "findings": [{"kind": f.kind, "attempt": f.attempt, "message": f.message}
                                                  for f in r.findings]} for r in report.files],
                          "board": report.board()}))
    else:
        print("\n".join(report.summary()))
        print(f"wrote {args.csv}")
    if args.serve:
        from ..server.collected import serve_collected
        from ..server.run import ServeError

        sys.stdout.flush()
        try:
            return serve_collected(args.challenge, report, roster, args.host, args.port, args.data, args.json)
        except ServeError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 0
    return 0


RUNNERS = {"new": run_new, "collect": run_collect, "serve": run_serve, **class_client_cmd.RUNNERS}


def run(args) -> int:
    return RUNNERS[args.classroom_command](args)
