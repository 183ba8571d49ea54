"""`gatekeeper engine demo|info`: the engine on a classic task, and model files."""

from __future__ import annotations

import json

from lstm_engine import (
    AddingTask,
    EngineError,
    FirstSymbolTask,
    Model,
    TrainConfig,
    load_model,
    save_model,
    train,
)

from ..progress_bar import TerminalProgress

TASKS = {"first-symbol": FirstSymbolTask, "adding": AddingTask}


def demo(args) -> int:
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


def info(args) -> int:
    model, meta = load_model(args.file)
    print(json.dumps({"file": args.file, "hash": meta["hash"], "engine_version": meta["engine_version"],
                      "config": meta["config"], "parameters": sum(p.size for p in model.params().values()),
                      "training": meta.get("training", {}), "extra": meta.get("extra", {})}, indent=2))
    return 0
