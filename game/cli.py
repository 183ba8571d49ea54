"""The command line: `gatekeeper` / `python main.py`. Every error is one clear line, never a traceback."""

from __future__ import annotations

import argparse
import json
import sys

from lstm_engine import (
    ENGINE_VERSION,
    AddingTask,
    EngineError,
    FirstSymbolTask,
    Model,
    ModelFileError,
    TrainConfig,
    TrainingCancelled,
    load_model,
    save_model,
    train,
)

from .progress_bar import TerminalProgress

TASKS = {"first-symbol": FirstSymbolTask, "adding": AddingTask}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gatekeeper",
        description="Gatekeeper: a game that teaches how an LSTM remembers. With no command, opens the "
                    "game (the desktop window is not built yet; see README.md).")
    p.add_argument("--version", action="version", version=f"gatekeeper, engine {ENGINE_VERSION}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    eng = sub.add_parser("engine", help="the recurrent-network engine: train a demo task, inspect a model")
    esub = eng.add_subparsers(dest="engine_command", metavar="ENGINE_COMMAND", required=True)
    demo = esub.add_parser("demo", help="train a network on a classic task with a progress bar")
    demo.add_argument("--task", choices=sorted(TASKS), default="first-symbol")
    demo.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm")
    demo.add_argument("--hidden", type=int, default=16)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--lengths", default="10,30,100", help="curriculum, e.g. 10,30,100")
    demo.add_argument("--max-steps", type=int, default=2000, help="per attempt")
    demo.add_argument("--restarts", type=int, default=2)
    demo.add_argument("--save", metavar="FILE", help="write the trained model (.npz)")
    demo.add_argument("--json", action="store_true", help="print the report as JSON")
    info = esub.add_parser("info", help="verify a model file and print its metadata")
    info.add_argument("file")

    lv = sub.add_parser("levels", help="level files: validate them, train their networks, check them")
    lsub = lv.add_subparsers(dest="levels_command", metavar="LEVELS_COMMAND", required=True)
    val = lsub.add_parser("validate", help="check level files and packs; every problem as file:line:column")
    val.add_argument("paths", nargs="+", metavar="PATH")
    tr = lsub.add_parser("train", help="train (or load cached) networks for levels, with a progress bar")
    tr.add_argument("levels", nargs="*", metavar="ID|PATH", help="default: every shipped level")
    tr.add_argument("--force", action="store_true", help="retrain even when trained weights exist")
    tr.add_argument("--ship", action="store_true",
                    help="(developers) write the weights into assets/models and its manifest")
    tr.add_argument("--json", action="store_true", help="one JSON object per level")
    ck = lsub.add_parser("check", help="play the model's own gating, the solution and the losing strategies")
    ck.add_argument("levels", nargs="*", metavar="ID|PATH", help="default: every shipped level")
    ck.add_argument("--json", action="store_true", help="one JSON object per level")
    return p


def _demo(args) -> int:
    try:
        lengths = tuple(int(v) for v in args.lengths.split(","))
    except ValueError:
        raise EngineError(f"--lengths must be comma-separated whole numbers, got {args.lengths!r}") from None
    task = TASKS[args.task]()
    model = Model.create(args.cell, task.input_size, args.hidden, task.output_size, seed=args.seed,
                         kind=task.kind, tolerance=task.tolerance)
    config = TrainConfig(seed=args.seed, lengths=lengths, max_steps=args.max_steps, restarts=args.restarts)
    bar = TerminalProgress(f"{args.cell} {args.task}")
    try:
        report = train(model, task, config, progress=bar)
    finally:
        bar.close()
    out = {"task": args.task, "cell": args.cell, **report.to_dict()}
    out.pop("history")
    if args.save:
        out["model_hash"] = save_model(args.save, model, {"task": args.task},
                                       training={"config": config.to_dict(), "report": out})
    if args.json:
        print(json.dumps(out))
    else:
        verdict = "solved" if report.success else "NOT solved"
        print(f"{verdict}: held-out accuracy {report.held_out_accuracy:.1%} at length {report.length}, "
              f"{report.steps} steps, {report.attempts} attempt(s), {report.seconds:.2f} s")
        if args.save:
            print(f"saved {args.save} (hash {out['model_hash'][:12]})")
    return 0 if report.success else 1


def _info(args) -> int:
    model, meta = load_model(args.file)
    print(json.dumps({"file": args.file, "hash": meta["hash"], "engine_version": meta["engine_version"],
                      "config": meta["config"], "parameters": sum(p.size for p in model.params().values()),
                      "training": meta.get("training", {}), "extra": meta.get("extra", {})}, indent=2))
    return 0


def _levels(args) -> int:
    from .levels import catalogue, training
    from .levels.loader import validate_paths

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
            failed |= report is not None and not report.success
            print(json.dumps(row) if args.json else
                  f"{name}: {'trained' if report else 'loaded'} ({where}), held-out {acc:.1%} own, "
                  f"{facc:.1%} intended"
                  + (f", {row['steps']} steps, {row['seconds']:.2f} s" if report else ""))
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


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            parser.print_help()
            print("\nThe game window is not built yet; the commands above are what exists today.")
            return 0
        if args.command == "engine":
            return {"demo": _demo, "info": _info}[args.engine_command](args)
        if args.command == "levels":
            return _levels(args)
    except (EngineError, ModelFileError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except TrainingCancelled:
        print("cancelled", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    return 0
