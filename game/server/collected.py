"""Serving the projector page from collected results: ``classroom collect … --serve``.

With no network at all, the teacher still wants the board on the projector. The attempts that
``classroom collect`` verified (game/classroom/collect.py) are put into a class store exactly as the
class server stores uploads (one student per nickname, each attempt with its re-simulated score, its
canonical replay and its hashes), and the ordinary class server (game/server/run.py) serves it: the
projector page, the teacher page with each attempt's comparison and the class view, the CSV export.

The store lives in a fresh temporary folder unless ``data_dir`` is given, and the server listens on
this computer only (127.0.0.1) unless another host is given: the collected class is for the projector,
not for students to join.
"""

from __future__ import annotations

import json
import tempfile

from .state import new_code, new_token
from .store import AttemptNotStored, NameTaken, open_store, token_hash

LOCAL = "127.0.0.1"


def fill_store(store, report, roster: dict[str, str] | None = None) -> tuple[int, int]:
    """Put a CollectReport's students and counted attempts into the store's class for the challenge
    (created if needed). Returns (students, attempts) stored; attempts stored before are skipped."""
    ch = report.challenge
    record, _ = store.open_class(ch.challenge_hash, ch.title, new_code, new_token)
    roster = roster or {}
    existing = {s.name.casefold(): s for s in store.students(record.id)}
    students = stored = 0
    for name in sorted(report.attempts, key=lambda n: (n.casefold(), n)):
        student = existing.get(name.casefold())
        if student is None:
            try:
                student = store.add_student(record.id, name, token_hash(new_token()), roster.get(name))
            except NameTaken:  # cannot happen after the look-up above, unless another process races us
                continue
            existing[name.casefold()] = student
            students += 1
        # in the order they were played, so ties on the board go to whoever reached the score first
        for v in sorted(report.attempts[name], key=lambda a: (a.saved, a.started)):
            result = {k: val for k, val in v.to_dict().items() if k != "replay"}
            try:
                store.add_attempt(record.id, student.id, level_id=v.level_id, score=v.score, stars=v.stars,
                                  wins=v.wins, hints=v.hints, result_json=json.dumps(result),
                                  replay_json=json.dumps(v.replay), level_hash=v.level_hash,
                                  network_hash=v.network_hash, play_key=v.attempt_key, max_attempts=None)
            except AttemptNotStored:  # stored by an earlier collect into the same data folder
                continue
            stored += 1
    return students, stored


def serve_collected(challenge_path, report, roster=None, host: str = LOCAL, port: int = 0, data_dir=None,
                    json_line: bool = False, out=None) -> int:
    """Fill a store with the collected results and serve it until Ctrl+C (see the module docstring)."""
    from .run import serve

    with tempfile.TemporaryDirectory(prefix="gatekeeper-collected-") as tmp:
        folder = data_dir if data_dir is not None else tmp
        store = open_store(folder)
        try:
            fill_store(store, report, roster)
        finally:
            store.close()
        return serve(challenge_path, host, port, folder, None, json_line, discovery=False, workers=1, out=out)
