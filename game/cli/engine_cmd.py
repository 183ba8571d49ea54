"""`gatekeeper engine demo|info`: the engine on a classic task, and model files.

Every number of ``engine demo`` has a range (LIMITS), checked before anything is built or trained, and
a value outside it is one line naming the option and its range: ``--hidden 100000`` would ask for
gigabytes, ``--lengths 100000000`` for a sequence that never ends, ``--seed -1`` is not a seed.
"""

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
from ..safe_io import check_write_target
from .limits import DEMO_LIMITS, MAX_LENGTHS

TASKS = {"first-symbol": FirstSymbolTask, "adding": AddingTask}

#: option -> (least, most): the ranges `engine demo` accepts (its --help states them)
LIMITS = DEMO_LIMITS


def _check(option: str, value: int) -> int:
    lo, hi = LIMITS[option]
    if not lo <= value <= hi:
        raise EngineError(f"--{option.replace('_', '-')} must be from {lo} to {hi}, got {value}")
    return value


def parse_lengths(text: str) -> tuple[int, ...]:
    try:
        lengths = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise EngineError(f"--lengths must be comma-separated whole numbers, got {text[:40]!r}") from None
    if len(lengths) > MAX_LENGTHS:
        raise EngineError(f"--lengths has at most {MAX_LENGTHS} stages, got {len(lengths)}")
    return tuple(_check("lengths", n) for n in lengths)


def demo(args) -> int:
    lengths = parse_lengths(args.lengths)
    for option in ("hidden", "seed", "max_steps", "restarts"):
        _check(option, getattr(args, option))
    if args.save:
        check_write_target(args.save)  # before training, not after
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
