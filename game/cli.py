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
