"""`gatekeeper replay record|verify|show|open`."""

from __future__ import annotations

import json
import sys

from ..progress_bar import TerminalProgress
from .errors import ReplayArgumentError


def _stars(n: int) -> str:
    return "*" * n + "." * (3 - n)


def _print_resemblance(session) -> None:
    """After a loss, the level's losing strategy the gating resembles most (as the results screen says)."""
    from ..session.resemblance import closest_strategy

    score = session.result()
    if score.correct and score.confident:
        return
    r = closest_strategy(session.level, session.sequence, session.state.gates)
    if r is not None:
        print(f"  looks most like the level's losing strategy {r.name!r}"
              + (f": {r.explanation}" if r.explanation else ""))


def _against(s) -> str:
    """p(right) against the uninformed baseline (number levels: the error against a guess's)."""
    if s.error is None:
        return f"p(right) {s.p_right:.2f} (baseline {s.baseline:.2f})"
    return f"off by {s.error:.3f} (with other stars {s.tracking:.3f}; a guess {s.baseline:.3f})"


def verification_json(v) -> dict:
    """One verified replay as the JSON object `replay verify --json` prints (docs/scoring.md)."""
    s = v.score
    return {"file": v.file, "valid": True, "level": v.level, "player": v.player, "answer": s.answer,
            "right_answer": v.session.sequence.answer, "p_right": round(s.p_right, 6),
            "baseline": round(s.baseline, 6), "baseline_units": "probability" if s.error is None else "error",
            "on_top": s.on_top, "wins": s.correct,
            "confident": s.confident, "stars": s.stars, "score": s.total, "reason": s.reason,
            "parts": s.parts(), "stored_score_matches": v.stored_matches,
            "hints": s.hints, "hints_self_reported": v.hints_self_reported,
            "relabelled_slots": None if s.relabelled is None else [k + 1 for k in s.relabelled],
            **({} if s.error is None else
               {"error": round(s.error, 6), "tracking_error": round(s.tracking, 6)}),
            "critical": [{"word": d.word, "n": d.step + 1, "gate": d.gate, "slot": d.slot + 1,
                          "player": d.player, "model": d.model, "cost": round(d.cost, 6),
                          "answer_if_swapped": d.answer_if_swapped} for d in s.critical]}


def run(args) -> int:
    from ..levels import catalogue, refs, training
    from ..levels.loader import LevelError, load_gating
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
        gating = None
        if args.gating is not None:  # checked before any training: a typo costs no time
            try:
                gating = load_gating(args.gating, level)
            except LevelError as e:
                print(str(e), file=sys.stderr)
                return 1
        if args.strategy == "losing" and not 1 <= args.losing_index <= len(level.losing):
            raise ReplayArgumentError(f"--losing-index must be 1..{len(level.losing)} for {name}")
        model, _, _ = training.ensure_model(level, TerminalProgress(name))
        session = PlaySession(level, model)
        if gating is not None:
            gates, label = scripted.gating_gates(session, gating), f"gating {args.gating}"
        else:
            gates = scripted.strategy_gates(session, args.strategy, args.losing_index - 1)
            label = args.strategy
        scripted.play(session, gates)
        r = replay.make(session, name, args.player, source=source)
        replay.save(args.output, r)
        sc = r.score
        print(f"{args.output}: {name}, {label}: answers {sc['answer']!r}, score {sc['total']}, "
              f"stars {_stars(sc['stars'])}")
        _print_resemblance(session)
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
                print(json.dumps({"file": str(f), "valid": False, "error": str(e)}) if args.json
                      else f"{f}: REJECTED: {e}")
                failed = True
                continue
            s = v.score
            if args.json:
                print(json.dumps(verification_json(v)))
                continue
            stored = "stored score matches" if v.stored_matches else "stored score DIFFERS (ignored)"
            hints = (f"; hints {s.hints} (self-reported: replays are not signed)"
                     if v.hints_self_reported else "")
            print(f"{f}: {v.level}, player {v.player!r}: answers {s.answer!r}, {_against(s)}, "
                  f"score {s.total:.1f}, stars {_stars(s.stars)}; {stored}{hints}")
            print(f"  {s.reason}")
        return 1 if failed else 0
    v = replay.verify(args.file, level_file=args.level)
    s, sess = v.score, v.session
    S = sess.S
    crit = {(d.step, d.gate, d.slot) for d in s.critical}
    shown = sess.shown_gates  # in reading order: LSTM forget/input/output, GRU update/reset
    column = {name: k for k, name in enumerate(sess.gates)}  # where each is in the gating table
    # people read gates in the forward pass's order (forget, input, output); the engine's columns are
    # [i | f | o] (column says where each one is; a GRU's are update, reset)
    gates = f"gates are {'/'.join(shown)} per slot" if shown else "the network has no gates"
    print(f"{v.level}, player {v.player!r}. Words are counted from 1; {gates}; "
          f"'!' marks a critical decision.")
    print(f"{'word':>4}  {'':<12} {'player':<{12 * S}} {'model':<{12 * S}}")
    for t, word in enumerate(sess.sequence.words):
        cells = []
        for table in (sess.state.gates, sess.model_run.gates):
            parts = []
            for slot in range(S):
                vals = [table[t, column[g] * S + slot] for g in shown]
                mark = "!" if table is sess.state.gates and any(
                    (t, gate, slot) in crit for gate in shown) else " "
                parts.append(" ".join(f"{x:.1f}" for x in vals) + mark)
            cells.append("  ".join(parts))
        print(f"{t + 1:>4}  {word:<12} {cells[0]:<{12 * S}} {cells[1]:<{12 * S}}")
    print(f"\nanswer {s.answer!r} (right: {sess.sequence.answer!r}), {_against(s)}, "
          f"agreement {s.agreement:.2f}, hints {s.hints}, score {s.total:.1f}, "
          f"stars {_stars(s.stars)}")
    print(f"  {s.reason}")
    _print_resemblance(sess)
    for d in s.critical:
        print(f"  critical: word {d.step + 1} '{d.word}' {d.gate} gate of slot {d.slot + 1}: you "
              f"{d.player:.2f}, model {d.model:.2f}; with the model's value the answer would be "
              f"{d.answer_if_swapped!r}")
    return 0
