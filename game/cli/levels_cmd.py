"""`gatekeeper levels list|validate|train|check`."""

from __future__ import annotations

import json
import sys

from ..progress_bar import TerminalProgress


def verdict_word(o, expect: str) -> str:
    """WINS / loses clearly / loses narrowly: a losing strategy must lose clearly (docs/scoring.md)."""
    if o.wins:
        return "WINS" if expect == "win" else "WINS (should lose)"
    return "loses clearly" if o.clear_loss else "loses NARROWLY (not clearly)"


def _numbers(o) -> str:
    if o.top:  # word levels: p(right) against the gating's own uninformed baseline
        return f"p(right)={o.probability:.2f} baseline={o.baseline:.2f}"
    return f"within tolerance={'yes' if o.probability else 'no '} guess error={o.baseline:.3f}"


def outcome_json(o, expect: str) -> dict:
    return {"answer": o.predicted, "p_right": o.probability, "baseline": o.baseline, "on_top": o.on_top,
            "wins": o.wins, "confident": o.confident, "clear_loss": o.clear_loss,
            "verdict": verdict_word(o, expect), "reason": o.reason}


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

    if args.levels_command == "list":
        return list_levels(catalogue.shipped_entries(), args.json)
    if args.levels_command == "new":
        return new_level(args)
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
                or (acc if facc is None else facc) < training.PLAYABLE_ACCURACY  # None: a plain RNN
            print(json.dumps(row) if args.json else
                  f"{name}: {where if report else 'loaded (' + where + ')'}, held-out {acc:.1%} own, "
                  + (f"{facc:.1%} intended" if facc is not None else "no intended gating (a plain RNN)")
                  + (f", {row['steps']} steps, {row['seconds']:.2f} s" if report else ""))
        elif args.seeds is not None:
            failed |= not check_seeds(name, level, args.seeds, args.json)
        else:
            model, _, _ = training.ensure_model(level, TerminalProgress(name))
            c = training.check_level(level, model)
            failed |= not c.playable
            rows = [("model", c.own)] + ([("solution", c.solution)] if level.solution is not None else [])
            rows += [(f"losing: {n}", o) for n, o in c.losing]  # a plain RNN level has neither
            if args.json:
                print(json.dumps({"level": name, "playable": c.playable, "problems": c.problems(),
                                  "held_out": c.held_out, "held_out_forced": c.held_out_forced,
                                  "model": outcome_json(c.own, "win"),
                                  "solution": None if c.solution is None else outcome_json(c.solution, "win"),
                                  "losing": {n: outcome_json(o, "lose") for n, o in c.losing}}))
                continue
            print(f"{name}: {'playable' if c.playable else 'NOT PLAYABLE'} "
                  f"(held-out {c.held_out:.1%} own, {c.held_out_forced:.1%} intended)")
            for label, o in rows:
                expect = "lose" if label.startswith("losing") else "win"
                print(f"  {label:<40} answers {o.predicted!s:<12} {_numbers(o)}  {verdict_word(o, expect)}")
                print(f"  {'':<40} {o.reason}")
            for problem in c.problems():
                print(f"  problem: {problem}")
    return 1 if failed else 0


def list_levels(entries, as_json: bool) -> int:
    """The shipped levels in play order: the id to give other commands (and --level), and the title."""
    width = max((len(name) for name, _ in entries), default=0)
    for name, entry in entries:
        title = entry.level.title if entry.level is not None else None
        if as_json:
            print(json.dumps({"level": name, "title": title, "ok": title is not None}))
        else:
            shown = title if title is not None else "(does not load: see levels validate)"
            print(f"{name:<{width}}  {shown}")
    return 0 if all(e.level is not None for _, e in entries) else 1


def new_level(args) -> int:
    """`levels new --list` prints the studio's pattern names; `--pattern NAME -o FILE` writes that
    pattern's example level (atomically; a special file as the target is refused)."""
    from ..atomic import write_text
    from ..studio import patterns

    if args.list:
        print("\n".join(patterns.names()))
        return 0
    if args.pattern is None or args.output is None:
        print("error: give --list, or --pattern NAME and -o FILE", file=sys.stderr)
        return 2
    if args.pattern not in patterns.BY_NAME:
        print(f"error: no pattern '{args.pattern}' (one of: {', '.join(patterns.names())})", file=sys.stderr)
        return 2
    from pathlib import Path

    p = patterns.get(args.pattern)  # the id is the file's name, as the loader requires
    write_text(args.output, patterns.render(p, {**p.example, "id": Path(args.output).stem}))
    print(f"wrote {args.output}: the '{args.pattern}' pattern's example level")
    return 0
