"""`gatekeeper replay record|verify|show|open`."""

from __future__ import annotations

import sys

from ..progress_bar import TerminalProgress
from .errors import ReplayArgumentError


def _stars(n: int) -> str:
    return "*" * n + "." * (3 - n)


def run(args) -> int:
    from ..levels import catalogue, refs, training
    from ..session import replay, scripted
    from ..session.session import PlaySession

    if args.replay_command == "record":
        name, path, level, error = catalogue.resolve([args.level])[0]
        if level is None:
            print(str(error), file=sys.stderr)
            return 1
        shipped = {n for n, _ in catalogue.shipped_entries()}
        source = None
        if name not in shipped and not name.startswith(refs.USER):  # your own level: found again by path
            name, source = refs.file_ref(path), path.resolve()
        model, _, _ = training.ensure_model(level, TerminalProgress(name))
        session = PlaySession(level, model)
        if args.strategy == "losing" and not 0 <= args.losing_index < len(level.losing):
            raise ReplayArgumentError(f"--losing-index must be 0..{len(level.losing) - 1} for {name}")
        scripted.play(session, scripted.strategy_gates(session, args.strategy, args.losing_index))
        r = replay.make(session, name, args.player, source=source)
        replay.save(args.output, r)
        sc = r.score
        print(f"{args.output}: {name}, {args.strategy}: answers {sc['answer']!r}, score {sc['total']}, "
              f"stars {_stars(sc['stars'])}")
        return 0
    if args.replay_command == "open":
        v = replay.verify(args.file, level_file=args.level)
        if args.screenshot:
            from ..ui.launch import headless_env

            headless_env()
        from ..ui.launch import LaunchError, open_replay

        try:
            open_replay(v, args.level, args.screenshot)
        except LaunchError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        return 0
    if args.replay_command == "verify":
        failed = False
        for f in args.files:
            try:
                v = replay.verify(f, level_file=args.level)
            except replay.ReplayError as e:
                print(f"{f}: REJECTED: {e}")
                failed = True
                continue
            s = v.score
            stored = "stored score matches" if v.stored_matches else "stored score DIFFERS (ignored)"
            hints = (f"; hints {s.hints} (self-reported: replays are not signed)"
                     if v.hints_self_reported else "")
            print(f"{f}: {v.level}, player {v.player!r}: answers {s.answer!r}, score {s.total}, "
                  f"stars {_stars(s.stars)}; {stored}{hints}")
        return 1 if failed else 0
    v = replay.verify(args.file, level_file=args.level)
    s, sess = v.score, v.session
    S = sess.S
    crit = {(d.step, d.gate, d.slot) for d in s.critical}
    print(f"{v.level}, player {v.player!r}. Gates are input/forget/output per slot; "
          f"'!' marks a critical decision.")
    print(f"{'step':>4}  {'word':<12} {'player':<{12 * S}} {'model':<{12 * S}}")
    for t, word in enumerate(sess.sequence.words):
        cells = []
        for table in (sess.state.gates, sess.model_run.gates):
            parts = []
            for slot in range(S):
                vals = [table[t, g * S + slot] for g in range(3)]
                mark = "!" if table is sess.state.gates and any(
                    (t, gate, slot) in crit for gate in ("input", "forget", "output")) else " "
                parts.append(" ".join(f"{x:.1f}" for x in vals) + mark)
            cells.append("  ".join(parts))
        print(f"{t:>4}  {word:<12} {cells[0]:<{12 * S}} {cells[1]:<{12 * S}}")
    print(f"\nanswer {s.answer!r} (right: {sess.sequence.answer!r}), p(right) {s.p_right:.2f}, "
          f"agreement {s.agreement:.2f}, hints {s.hints}, score {s.total}, stars {_stars(s.stars)}")
    for d in s.critical:
        print(f"  critical: step {d.step} '{d.word}' {d.gate} gate of slot {d.slot + 1}: you {d.player:.2f}, "
              f"model {d.model:.2f}; with the model's value the answer would be {d.answer_if_swapped!r}")
    return 0
