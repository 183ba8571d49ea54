"""Campaign training benchmark: per level, training seconds (median of the first 3 seeds, one core)
and held-out accuracy over 5 seeds (both the network's own run and the intended gating).

    python benchmarks/bench_levels.py [--json] [--seeds N] [LEVEL ...]

Targets (issue 3): every level under 2 s median; 5 of 5 seeds at >= 99%. Printed, never asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from game.blas import pin_blas  # noqa: E402

pin_blas()  # one BLAS thread, before NumPy loads, as in every entry point (game/blas.py)

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402

from game.levels import catalogue, training  # noqa: E402


def bench(level, seeds: int) -> dict:
    runs = []
    for k in range(seeds):
        model, report = training.train_level(level, seed=level.network.seed + 1000 * k)
        runs.append(report)
    ok = [r.success and r.held_out_accuracy >= 0.99 and (r.held_out_forced_accuracy or 0) >= 0.99
          for r in runs]
    return {"level": level.id, "median_s": statistics.median(r.seconds for r in runs[:3]),
            "max_s": max(r.seconds for r in runs), "solved": sum(ok), "seeds": seeds,
            "min_held_out": min(r.held_out_accuracy for r in runs),
            "min_held_out_forced": min(r.held_out_forced_accuracy or 0 for r in runs),
            "median_steps": statistics.median(r.steps for r in runs), "attempts": [r.attempts for r in runs]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("levels", nargs="*")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    found = catalogue.resolve(args.levels)
    rows = [bench(level, args.seeds) for _, _, level, _ in found if level is not None]
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{'level':<20} {'median s':>9} {'max s':>7} {'steps':>6} {'solved':>7} {'held-out own':>13} "
          f"{'intended':>9}  attempts")
    for r in rows:
        print(f"{r['level']:<20} {r['median_s']:>9.2f} {r['max_s']:>7.2f} {r['median_steps']:>6.0f} "
              f"{r['solved']:>4}/{r['seeds']:<2} {r['min_held_out']:>12.1%} "
              f"{r['min_held_out_forced']:>9.1%}  {r['attempts']}")
    slow = [r["level"] for r in rows if r["median_s"] >= 2.0]
    unsolved = [r["level"] for r in rows if r["solved"] < r["seeds"]]
    print(f"\ntargets: under 2 s median: {'met' if not slow else 'MISSED for ' + ', '.join(slow)}; "
          f"all seeds >= 99%: {'met' if not unsolved else 'MISSED for ' + ', '.join(unsolved)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
