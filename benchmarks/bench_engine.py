"""Engine benchmark: the NumPy engine against PyTorch in the same run, one BLAS thread, alternating.

    python benchmarks/bench_engine.py [--json] [--quick]

Train step = forward + backward through time with a Linear + softmax cross-entropy head at every
step (and, in a second column, + an Adam step), the training loop's own code path (Model.objective).
Ratios are torch time / engine time, so > 1 means the engine is faster. Torch is optional: without
it the engine figures are printed alone. Targets (issue 2) are checked and printed, never asserted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from game.blas import pin_blas  # noqa: E402

pin_blas()  # one BLAS thread, before NumPy loads, as in every entry point (game/blas.py)

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from france_task import FranceTask  # noqa: E402

from lstm_engine import Batch, Model, TrainConfig, Workspace, train  # noqa: E402
from lstm_engine.optim import Adam  # noqa: E402

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # the parity extra is optional
    torch = None

SHAPES = [(32, 12, 16, 16), (64, 50, 32, 32), (128, 100, 32, 64)]  # batch, steps, inputs, hidden
CLASSES = 16


def alternate(fns: dict, rounds: int, inner: int) -> dict[str, float]:
    """Median seconds per call of each function, measured in interleaved rounds."""
    for f in fns.values():
        f()
    times = {n: [] for n in fns}
    for _ in range(rounds):
        for n, f in fns.items():
            t = time.perf_counter()
            for _ in range(inner):
                f()
            times[n].append((time.perf_counter() - t) / inner)
    return {n: statistics.median(v) for n, v in times.items()}


def engine_train_step(B, T, I, H, dtype, with_opt):
    rng = np.random.default_rng(0)
    model = Model.create("lstm", I, H, CLASSES, dtype=dtype)
    batch = Batch(rng.standard_normal((T, B, I)).astype(dtype), rng.integers(0, CLASSES, (T, B)),
                  np.ones((T, B), bool))
    ws, opt = Workspace(), Adam(model.params())

    def step():
        o = model.objective(batch, workspace=ws)
        if with_opt:
            opt.step(o.grads)
    return step


def torch_train_step(B, T, I, H, dtype, with_opt):
    tdt = {"float64": torch.float64, "float32": torch.float32}[dtype]
    torch.manual_seed(0)
    lstm, head = torch.nn.LSTM(I, H).to(tdt), torch.nn.Linear(H, CLASSES).to(tdt)
    x = torch.randn(T, B, I, dtype=tdt)
    y = torch.randint(0, CLASSES, (T * B,))
    opt = torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()))
    loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")

    def step():
        opt.zero_grad(set_to_none=True)
        out, _ = lstm(x)
        (loss_fn(head(out.reshape(T * B, H)), y) / B).backward()
        if with_opt:
            opt.step()
    return step


def bench_train(quick: bool) -> list[dict]:
    rows = []
    for B, T, I, H in SHAPES:
        for dtype in ("float64", "float32"):
            for with_opt in (False, True):
                fns = {"engine": engine_train_step(B, T, I, H, dtype, with_opt)}
                if torch is not None:
                    fns["torch"] = torch_train_step(B, T, I, H, dtype, with_opt)
                big = B * T * H > 200_000
                r = alternate(fns, rounds=5 if quick else 15, inner=1 if big else 5)
                rows.append({"what": "train step" + (" + Adam" if with_opt else ""), "shape": [B, T, I, H],
                             "dtype": dtype, **{f"{k}_ms": v * 1e3 for k, v in r.items()}})
    return rows


def bench_sentence(quick: bool) -> list[dict]:
    """One sentence forward (1, 12, 16, 8) and one interactive step (B=1, H=16)."""
    rows = []
    rng = np.random.default_rng(0)
    model = Model.create("lstm", 16, 8, CLASSES)
    ids = rng.integers(0, 16, (12, 1))
    fns = {"engine": lambda: model.cell.forward(ids)}
    if torch is not None:
        tl = torch.nn.LSTM(16, 8).double()
        xt = torch.nn.functional.one_hot(torch.tensor(ids), 16).double()

        def tf():
            with torch.no_grad():
                tl(xt)
        fns["torch"] = tf
    r = alternate(fns, rounds=7 if quick else 21, inner=200)
    rows.append({"what": "one sentence forward", "shape": [1, 12, 16, 8], "dtype": "float64",
                 **{f"{k}_ms": v * 1e3 for k, v in r.items()}})

    cell = Model.create("lstm", 16, 16, CLASSES).cell
    stepper = cell.stepper()
    h, c = np.zeros((1, 16)), np.zeros((1, 16))
    fns = {"engine": lambda: stepper.step(3, h, c)}
    if torch is not None:
        tc = torch.nn.LSTMCell(16, 16).double()
        xt1, ht, ct = torch.zeros(1, 16, dtype=torch.float64), torch.zeros(1, 16, dtype=torch.float64), \
            torch.zeros(1, 16, dtype=torch.float64)

        def ts():
            with torch.no_grad():
                tc(xt1, (ht, ct))
        fns["torch"] = ts
    r = alternate(fns, rounds=7 if quick else 21, inner=2000)
    rows.append({"what": "interactive step", "shape": [1, 1, 16, 16], "dtype": "float64",
                 **{f"{k}_ms": v * 1e3 for k, v in r.items()}})
    return rows


def bench_france(seeds=5) -> dict:
    task = FranceTask()
    secs, ok = [], 0
    for seed in range(seeds):
        m = Model.create("lstm", task.input_size, 16, task.output_size, slots=1, seed=seed)
        r = train(m, task, TrainConfig(seed=seed, target_accuracy=1.0, advance_accuracy=1.0))
        secs.append(r.seconds)
        ok += r.success and r.held_out_accuracy == 1.0
    return {"what": "France task to 100% held-out", "seeds": seeds, "solved": ok,
            "median_s": statistics.median(secs), "max_s": max(secs)}


def targets(rows: list[dict], france: dict) -> list[tuple[str, bool | None]]:
    def ratio(what, shape, dtype):
        r = next(x for x in rows if x["what"] == what and x["shape"] == shape and x["dtype"] == dtype)
        return r["torch_ms"] / r["engine_ms"] if "torch_ms" in r else None

    out = []
    for shape in SHAPES:
        q = ratio("train step", list(shape), "float64")
        out.append((f"float64 {shape}: engine >= 1.2x faster than torch", None if q is None else q >= 1.2))
    q = ratio("train step", list(SHAPES[0]), "float32")
    out.append((f"float32 {SHAPES[0]}: engine at least as fast as torch", None if q is None else q >= 1.0))
    step = next(x for x in rows if x["what"] == "interactive step")["engine_ms"] * 1e3
    out.append((f"interactive step < 25 us (measured {step:.1f} us)", step < 25))
    all_solved = france["solved"] == france["seeds"]
    out.append((f"France task median < 1 s, all seeds solved (measured {france['median_s']:.2f} s, "
                f"{france['solved']}/{france['seeds']})", france["median_s"] < 1.0 and all_solved))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    ap.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = ap.parse_args(argv)
    rows = bench_train(args.quick) + bench_sentence(args.quick)
    france = bench_france(2 if args.quick else 5)
    checks = targets(rows, france)
    env = {"numpy": np.__version__, "torch": None if torch is None else torch.__version__,
           "cpu_count": os.cpu_count(), "blas_threads": 1}
    if args.json:
        print(json.dumps({"env": env, "rows": rows, "france": france,
                          "targets": [{"target": t, "met": m} for t, m in checks]}))
        return 0
    print(f"numpy {env['numpy']}, torch {env['torch']}, one BLAS thread; medians, alternating rounds")
    print(f"{'what':<22} {'(B, T, I, H)':<18} {'dtype':<8} {'engine':>10} {'torch':>10} {'torch/engine':>12}")
    for r in rows:
        t, e = r.get("torch_ms"), r["engine_ms"]
        unit, u = (1e3, "us") if r["what"] == "interactive step" else (1.0, "ms")
        tcol = "-" if t is None else f"{t * unit:7.3f} {u}"
        qcol = "-" if t is None else f"{t / e:.2f}x"
        print(f"{r['what']:<22} {str(tuple(r['shape'])):<18} {r['dtype']:<8} {e * unit:>7.3f} {u} "
              f"{tcol:>10} {qcol:>12}")
    print(f"\n{france['what']}: {france['solved']}/{france['seeds']} seeds, "
          f"median {france['median_s']:.2f} s, max {france['max_s']:.2f} s")
    print("\ntargets:")
    for t, met in checks:
        print(f"  [{'n/a' if met is None else ('met' if met else 'MISSED')}] {t}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
