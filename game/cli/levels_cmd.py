"""`gatekeeper levels validate|train|check`."""

from __future__ import annotations

import json
import sys

from ..progress_bar import TerminalProgress


def check_seeds(name, level, n: int, as_json: bool) -> bool:
    """`levels check --seeds N`: train N seeds (progress on stderr), print the table; True when the level
    is playable on at least 4 of 5 of them (80%)."""
    from ..levels import diagnosis, training

    seeds = training.seed_sequence(level, n)
    checks = []
    for k, seed in enumerate(seeds):
        bar = TerminalProgress(f"{name} seed {seed} ({k + 1}/{n})")
        try:
            model, _ = training.train_level(level, bar, seed)
        finally:
            bar.close()
        checks.append(training.check_level(level, model))
    report = diagnosis.seeds_report(level, name, seeds, checks)
    print(json.dumps(report.to_dict()) if as_json else "\n".join(report.lines()), flush=True)
    return report.count >= 0.8 * n


def run(args) -> int:
    from ..levels import catalogue, training
    from ..levels.loader import validate_paths

    if getattr(args, "seeds", None) is not None and not 1 <= args.seeds <= 100:
        print("error: --seeds must be from 1 to 100", file=sys.stderr)
        return 2

    if args.levels_command == "validate":
        code, lines = validate_paths(args.paths)
        print("\n".join(lines))
        return code
    try:
        found = catalogue.resolve(args.levels)
    except catalogue.UnknownLevel as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    failed = False
    for name, _path, level, error in found:
        if error is not None:
            print(str(error), file=sys.stderr)
            failed = True
            continue
        if args.levels_command == "train":
            bar = TerminalProgress(name)
            try:
                model, report, where = training.ensure_model(level, bar, force=args.force, ship=args.ship)
            finally:
                bar.close()
            acc, facc = (report.held_out_accuracy, report.held_out_forced_accuracy) if report else \
                training.held_out_accuracy(level, model)
            row = {"level": name, "trained": report is not None, "where": where,
                   "held_out_accuracy": acc, "held_out_forced_accuracy": facc,
                   "seconds": report.seconds if report else 0.0, "steps": report.steps if report else 0,
                   "attempts": report.attempts if report else 0}
            failed |= (report is not None and not report.success) or acc < training.PLAYABLE_ACCURACY \
                or (facc or 0.0) < training.PLAYABLE_ACCURACY
            print(json.dumps(row) if args.json else
                  f"{name}: {where if report else 'loaded (' + where + ')'}, held-out {acc:.1%} own, "
                  f"{facc:.1%} intended"
                  + (f", {row['steps']} steps, {row['seconds']:.2f} s" if report else ""))
        elif args.seeds is not None:
            failed |= not check_seeds(name, level, args.seeds, args.json)
        else:
            model, _, _ = training.ensure_model(level, TerminalProgress(name))
            c = training.check_level(level, model)
            failed |= not c.playable
            if args.json:
                def outcome(o):
                    return {"answer": o.predicted, "p_right": o.probability, "wins": o.wins}
                print(json.dumps({"level": name, "playable": c.playable, "problems": c.problems(),
                                  "held_out": c.held_out, "held_out_forced": c.held_out_forced,
                                  "model": outcome(c.own), "solution": outcome(c.solution),
                                  "losing": {n: outcome(o) for n, o in c.losing}}))
                continue
            print(f"{name}: {'playable' if c.playable else 'NOT PLAYABLE'} "
                  f"(held-out {c.held_out:.1%} own, {c.held_out_forced:.1%} intended)")
            for label, o in [("model's own gating", c.own), ("solution", c.solution)] + \
                    [(f"losing: {n}", o) for n, o in c.losing]:
                print(f"  {label:<40} answers {o.predicted!s:<12} p(right)={o.probability:.2f} "
                      f"{'WINS' if o.wins else 'loses'}")
            for problem in c.problems():
                print(f"  problem: {problem}")
    return 1 if failed else 0
