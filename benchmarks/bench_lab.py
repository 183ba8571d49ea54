"""How long the lab takes on this machine: the default lab set (a tanh RNN, a GRU and an LSTM at lags
5, 10, 20, 50, 100, one seed: `lab run`), the gradient measurement (`lab gradients --distance 100`, which
trains each cell at lag 100), and "run it now" for one cell at one lag. The reference, measured in the
same run, is one LSTM training step at batch 32 and lag 100 (forward + backward + Adam), so the figures
can be compared across machines as "so many reference steps".

    python benchmarks/bench_lab.py [--task adding|carry] [--quick] [--json]

--quick runs lags 5, 10, 20 only. Printed, never asserted; docs/lab.md quotes the figures.
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from game.lab import gradients, runs  # noqa: E402
from game.lab.limits import CELLS, DEFAULT_DISTANCE, DEFAULT_GAPS  # noqa: E402
from lstm_engine import Workspace  # noqa: E402


def reference_step_seconds(repeats: int = 20) -> float:
    """Median seconds of one LSTM training step at batch 32, lag 100 (the lab's longest)."""
    from lstm_engine.optim import Adam

    task = runs.make_task("adding")
    model = runs.build_model("lstm", task, 0)
    batch = task.sample(np.random.default_rng(0), runs.BATCH, 100)
    ws, opt = Workspace(), Adam(model.params())
    times = []
    for _ in range(repeats + 2):
        t0 = time.perf_counter()
        o = model.objective(batch, workspace=ws)
        opt.step(o.grads)
        times.append(time.perf_counter() - t0)
    return float(np.median(times[2:]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", choices=("adding", "carry"), default="adding")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    gaps = (5, 10, 20) if args.quick else DEFAULT_GAPS
    ref = reference_step_seconds()
    rows, start = [], time.perf_counter()
    for gap in gaps:
        for cell in CELLS:
            r, _ = runs.run(cell, args.task, gap, 0)
            rows.append(r)
    run_set = time.perf_counter() - start
    distance = max(gaps) if args.quick else DEFAULT_DISTANCE
    t0 = time.perf_counter()
    task = runs.make_task(args.task)
    for cell in CELLS:
        gradients.profile(runs.build_model(cell, task, 0), task, distance, 0, trained=False)
        _, model = runs.run(cell, args.task, distance, 0)
        gradients.profile(model, task, distance, 0, trained=True)
    grad_set = time.perf_counter() - t0
    out = {"task": args.task, "reference_step_ms": ref * 1e3, "lab_run_seconds": run_set,
           "lab_gradients_seconds": grad_set, "runs": [r.to_dict() for r in rows],
           "live_run_seconds": {f"{r.cell}@{r.gap}": r.seconds for r in rows}}
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"reference: one LSTM training step (batch {runs.BATCH}, lag 100) = {ref * 1e3:.2f} ms")
    print(f"{'cell':5} {'lag':>4} {'steps':>6} {'seconds':>8} {'ref steps':>9} {'accuracy':>8} solved")
    for r in rows:
        print(f"{r.cell:5} {r.gap:4d} {r.steps:6d} {r.seconds:8.2f} {r.seconds / ref:9.0f} {r.accuracy:8.1%} "
              f"{'yes' if r.solved else 'no'}")
    print(f"lab run, {len(rows)} runs (lags {','.join(map(str, gaps))}): {run_set:.1f} s "
          f"= {run_set / ref:.0f} reference steps")
    print(f"lab gradients --distance {distance} (three trainings at lag {distance}): {grad_set:.1f} s")
    print(f"the longest single live run: {max(r.seconds for r in rows):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
