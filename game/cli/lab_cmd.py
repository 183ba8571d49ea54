"""`gatekeeper lab run|gradients|ship`: a tanh RNN, a GRU and an LSTM side by side on one memory task.

``lab run`` prints one row per (cell, lag, seed): cell, task, gap, seed, accuracy, solved, seconds (JSON
lines with --json, with the hidden size, parameter count and steps too). ``lab gradients`` prints the
gradient norm reaching each distance, at initialisation and after training at that lag: cell, distance,
norm, trained. ``lab ship`` (developers) writes both for each task into assets/lab/results.json with the
commands that print them again. Every number is range-checked before anything trains (game/lab/limits.py),
and a bad one is a line naming the option and its range.
"""

from __future__ import annotations

import json
import sys
import time

from lstm_engine import EngineError

from ..lab import gradients, results, runs
from ..lab.limits import (
    CELLS,
    DEFAULT_DISTANCE,
    DEFAULT_GAPS,
    DISTANCE_RANGE,
    GAP_RANGE,
    MAX_GAPS,
    SEED_RANGE,
    SEEDS_RANGE,
    TASKS,
)
from ..progress_bar import TerminalProgress


def _in_range(option: str, value: int, lo_hi: tuple[int, int]) -> int:
    lo, hi = lo_hi
    if not lo <= value <= hi:
        raise EngineError(f"--{option} must be from {lo} to {hi}, got {value}")
    return value


def parse_cells(text: str) -> tuple[str, ...]:
    cells = tuple(c.strip().lower() for c in text.split(","))
    bad = [c for c in cells if c not in CELLS]
    if bad or not cells:
        raise EngineError(f"--cells must be a comma-separated list of {', '.join(CELLS)}, got {text[:40]!r}")
    return tuple(dict.fromkeys(cells))  # each once, in the order given


def parse_gaps(text: str) -> tuple[int, ...]:
    try:
        gaps = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise EngineError(f"--gaps must be comma-separated whole numbers, got {text[:40]!r}") from None
    if len(gaps) > MAX_GAPS:
        raise EngineError(f"--gaps has at most {MAX_GAPS} lags, got {len(gaps)}")
    return tuple(dict.fromkeys(_in_range("gaps", g, GAP_RANGE) for g in gaps))


def _bar(label: str):
    bar = TerminalProgress(label)

    def report(p):
        return bar(runs.BudgetProgress.of(p))
    return bar, report


def run_rows(task: str, cells, gaps, seeds: int, quiet: bool = False):
    """Yield a RunResult per (gap, cell, seed), with a progress bar on stderr."""
    total, k = len(cells) * len(gaps) * seeds, 0
    for gap in gaps:
        for cell in cells:
            for seed in range(seeds):
                k += 1
                bar, report = _bar(f"{cell} {task} lag {gap} seed {seed} ({k}/{total})")
                try:
                    result, _ = runs.run(cell, task, gap, seed, progress=None if quiet else report)
                finally:
                    bar.close()
                yield result


def gradient_rows(task: str, cells, distance: int, seed: int = 0, quiet: bool = False):
    """Yield GradientPoints per cell: at initialisation, then after training at lag ``distance``."""
    task_obj = runs.make_task(task)
    for cell in cells:
        model = runs.build_model(cell, task_obj, seed)
        yield from gradients.profile(model, task_obj, distance, seed, trained=False)
        bar, report = _bar(f"{cell} {task} lag {distance} seed {seed}")
        try:
            _, model = runs.run(cell, task, distance, seed, progress=None if quiet else report)
        finally:
            bar.close()
        yield from gradients.profile(model, task_obj, distance, seed, trained=True)


def run(args) -> int:
    return {"run": run_cmd, "gradients": gradients_cmd, "ship": ship_cmd}[args.lab_command](args)


def run_cmd(args) -> int:
    cells, gaps = parse_cells(args.cells), parse_gaps(args.gaps)
    seeds = _in_range("seeds", args.seeds, SEEDS_RANGE)
    if not args.json:
        print(f"{'cell':5} {'task':7} {'gap':>4} {'seed':>4} {'accuracy':>8} {'solved':>6} {'seconds':>8}")
    for r in run_rows(args.task, cells, gaps, seeds):
        if args.json:
            print(json.dumps(r.to_dict()), flush=True)
        else:
            solved = "yes" if r.solved else "no"
            print(f"{r.cell:5} {r.task:7} {r.gap:4d} {r.seed:4d} {r.accuracy:8.1%} {solved:>6} "
                  f"{r.seconds:8.2f}", flush=True)
    return 0


def gradients_cmd(args) -> int:
    cells = parse_cells(args.cells)
    distance = _in_range("distance", args.distance, DISTANCE_RANGE)
    seed = _in_range("seed", args.seed, SEED_RANGE)
    if not args.json:
        print(f"{'cell':5} {'distance':>8} {'norm':>10} trained")
    for g in gradient_rows(args.task, cells, distance, seed):
        if args.json:
            print(json.dumps(g.to_dict()), flush=True)
        else:
            print(f"{g.cell:5} {g.distance:8d} {g.norm:10.3e} {'yes' if g.trained else 'no'}", flush=True)
    return 0


def ship_commands(task: str) -> dict[str, str]:
    """The exact commands whose output the shipped results are."""
    gaps = ",".join(map(str, DEFAULT_GAPS))
    return {"runs": f"python main.py lab run --task {task} --cells {','.join(CELLS)} --gaps {gaps} "
                    "--seeds 1 --json",
            "gradients": f"python main.py lab gradients --task {task} --cells {','.join(CELLS)} "
                         f"--distance {DEFAULT_DISTANCE} --json"}


def ship_cmd(args) -> int:
    """(developers) Run the shipped commands for every task and write assets/lab/results.json."""
    from ..paths import ROOT

    if not (ROOT / "pyproject.toml").is_file():
        raise OSError("lab ship writes the source checkout's assets/lab: run it from a checkout")
    target = ROOT / "assets" / "lab" / "results.json"
    start = time.perf_counter()
    shipped = {}
    for task in TASKS:
        rows = list(run_rows(task, CELLS, DEFAULT_GAPS, 1))
        grads = list(gradient_rows(task, CELLS, DEFAULT_DISTANCE, 0))
        shipped[task] = results.TaskResults(task, ship_commands(task), tuple(rows), tuple(grads))
    results.save(target, shipped)
    print(f"wrote {target} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0
