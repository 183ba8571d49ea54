"""`gatekeeper classroom submit|export`: a student's uploads and the teacher's gradebook, from a script.

    classroom submit URL --code CODE --name NAME REPLAY.json ...
        Join the class as NAME (or rejoin: the token from an earlier join is kept in the progress
        store), upload each replay, print one line per file: accepted with the server's re-simulated
        score, or the server's reason. Exit 1 if any file was refused, 0 if all were accepted, 2 if
        the server could not be reached or the class not joined.
    classroom export URL --token TEACHER_TOKEN --csv FILE [--long]
        Write the gradebook CSV (atomically).

Hooked into game/cli/classroom_cmd.py (``add_parsers`` and ``RUNNERS``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import ReplayArgumentError

# The parsers are built for every command line (`--help` included), so this module imports only the
# standard library at first; the client, the progress store and the rest load when a command runs.


def add_parsers(csub) -> None:
    sub = csub.add_parser(
        "submit", help="join a class as NAME and upload replays; one line per file",
        description="Join the class at URL with its code as NAME (or rejoin as the same student) and upload "
                    "each replay. Prints, per file, the server's re-simulated score or its reason for "
                    "refusing. Exit status 1 if any file was refused.")
    sub.add_argument("url", metavar="URL", help="the class server's address, e.g. 192.168.1.20:8000")
    sub.add_argument("--code", required=True, help="the join code on the projector")
    sub.add_argument("--name", required=True, help="the nickname to join as")
    sub.add_argument("--timeout", type=float, default=30.0, metavar="S",
                     help="seconds to wait for each answer (default 30)")
    sub.add_argument("files", nargs="+", metavar="REPLAY.json")
    exp = csub.add_parser(
        "export", help="download the class's gradebook CSV (teacher token)",
        description="Write the class's gradebook as CSV: one row per student (name, roster id, per level "
                    "best score and stars, attempts), or with --long one row per student and level.")
    exp.add_argument("url", metavar="URL")
    exp.add_argument("--token", required=True, help="the teacher token (from `classroom serve`)")
    exp.add_argument("--csv", required=True, metavar="FILE", help="the CSV file to write")
    exp.add_argument("--long", action="store_true",
                     help="one row per student and level: name,level,best_score,stars,attempts,verified_at")


def _known_token(url: str, code: str, name: str):
    """(the progress store or None, the token of an earlier join as NAME or None)."""
    from ..progress import ProgressStore, StoreError

    try:
        store = ProgressStore()
        token = next((m["token"] for m in store.memberships()
                      if m["server"] == url and m["code"] == code and m["nickname"] == name), None)
        return store, token
    except (StoreError, OSError):
        return None, None


def submit(args) -> int:
    from .. import safe_io
    from ..classroom.client import MAX_REPLAY_BYTES, ClassClient, ClassError, one_line
    from ..progress import StoreError, normalize_name

    try:
        name = normalize_name(args.name)
    except StoreError as e:
        raise ReplayArgumentError(f"--name: {e}") from None
    if not 0 < args.timeout <= 600:
        raise ReplayArgumentError(f"--timeout must be 0..600 seconds, got {args.timeout:g}")
    code = "".join(args.code.split()).upper()
    try:
        client = ClassClient(args.url, timeout=args.timeout)
    except ClassError as e:
        raise ReplayArgumentError(str(e)) from None
    store, token = _known_token(client.base_url, code, name)
    refused = 0
    try:
        try:
            joined = client.join(code, name, token=token)
        except ClassError as e:
            print(f"error: could not join: {e}", file=sys.stderr)
            return 2
        if store is not None:
            try:
                store.save_membership(client.base_url, code, joined.get("name") or name, joined["token"],
                                      str(joined.get("challenge", {}).get("title", ""))[:300])
            except (StoreError, AttributeError):
                pass  # rejoining later is a convenience
        print(f"joined {client.base_url} as {one_line(joined.get('name') or name, 40)}")
        for file in args.files:
            try:
                data = safe_io.read_bytes(Path(file), MAX_REPLAY_BYTES, what="replay file")
            except OSError as e:  # missing, unreadable, a FIFO, too large (safe_io.FileRefused)
                print(f"{file}: refused: {one_line(e)}")
                refused += 1
                continue
            try:
                answer = client.upload(joined["token"], data)
            except ClassError as e:
                if e.retriable:
                    print(f"error: {file}: {e}", file=sys.stderr)
                    return 2
                print(f"{file}: refused: {e}")
                refused += 1
                continue
            score, stars = answer.get("score"), answer.get("stars")
            print(f"{file}: accepted: score {score} ({stars} stars), answer "
                  f"{one_line(answer.get('answer'), 40)}" + ("" if answer.get("wins") else " (not a win)")
                  + (" (handed in before: the result stored then)" if answer.get("again") else ""))
    finally:
        client.close()
        if store is not None:
            store.close()
    return 1 if refused else 0


def export(args) -> int:
    from ..atomic import write_text
    from ..classroom.client import ClassClient, ClassError

    try:
        client = ClassClient(args.url, timeout=60.0)
    except ClassError as e:
        raise ReplayArgumentError(str(e)) from None
    try:
        text = client.export_csv(args.token, long=args.long)
    except ClassError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        client.close()
    write_text(Path(args.csv), text)
    rows = max(0, len(text.splitlines()) - 1)
    print(f"wrote {args.csv} ({rows} row{'s' if rows != 1 else ''})")
    return 0


RUNNERS = {"submit": submit, "export": export}
