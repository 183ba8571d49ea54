"""Campaign training benchmark: per level, training CPU seconds (median over runs, one BLAS thread) with the
current code and with a reference commit (the previous recipe) measured in the same run, the speed-up,
and whether both give the same weights bit for bit.

    python benchmarks/bench_levels.py [--runs N] [--reference REV] [--json] [LEVEL ...]
    python benchmarks/bench_levels.py --seeds N [LEVEL ...]      # reliability over N seeds instead

LEVEL: ids or paths (a teacher's level file works too; it is timed with both code bases). The reference
(default: REFERENCE, the commit before the interactive-speed work) is exported with ``git archive`` into
a temporary folder and timed there; each level alternates current and reference runs, each in a fresh
process, so both see the same machine load. Seconds are the training's CPU time (time.process_time; one
thread, so on an idle machine the wall time too): on a shared machine wall time measures the neighbours.
Every run trains with the level's own seed (training.train_level: one seed, as shipped weights are
trained). "learned at" is the step at which the last curriculum length first reached 99%; the steps
after it are the stopping rule's (the anneal, then waiting until the answers are sure).

Targets (issue 15): every campaign level <= 1.0 s median (max <= 1.2 s); a teacher level of up to 150
words <= 3 s; the campaign's whole retrain <= 8 s. Printed, never asserted; docs/levels.md ("Training
speed") quotes the table.
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tarfile  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REFERENCE = "444df68"  # main before the interactive-speed work (issue 15)

# Runs in a fresh interpreter inside a code base (argv: root, level paths...): one training per level.
WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from game.blas import pin_blas
pin_blas()
from game.levels import catalogue, training
from lstm_engine import model_hash
out = []
for _, _, level, _ in catalogue.resolve(sys.argv[2:]):
    cpu = time.process_time()
    model, report = training.train_level(level)
    cpu = time.process_time() - cpu
    # the step at which the last curriculum stage first reached 99% in the kept attempt: the steps after
    # it are the stopping rule's (anneal, then waiting for sure answers)
    last = [h for h in report.history if h[0] == report.attempts - 1 and h[2] == report.length]
    learned = next((h[1] for h in last if h[3] >= 0.99), None)
    out.append({"level": level.id, "seconds": cpu, "wall": report.seconds, "steps": report.steps,
                "learned_at": learned, "attempt_steps": last[-1][1] if last else None,
                "success": report.success, "hash": model_hash(model)})
print(json.dumps(out))
"""


def timed(root: Path, paths: list[str]) -> list[dict]:
    done = subprocess.run([sys.executable, "-c", WORKER, str(root), *paths], capture_output=True, text=True,
                          cwd=root, env={**os.environ, "SDL_VIDEODRIVER": "dummy"})
    if done.returncode:
        raise SystemExit(f"benchmark worker failed in {root}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def export(rev: str, into: Path) -> Path:
    """The reference commit's tree, via git archive (no checkout, no worktree)."""
    archive = into / "ref.tar"
    with open(archive, "wb") as f:
        subprocess.run(["git", "-C", str(ROOT), "archive", rev], stdout=f, check=True)
    with tarfile.open(archive) as t:
        t.extractall(into / "ref", filter="data")
    return into / "ref"


def compare(paths: list[str], runs: int, reference: str) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ref_root = export(reference, Path(tmp))
        for path in paths:
            cur, ref = [], []
            for _ in range(runs):  # alternate, so both code bases see the same load
                cur += timed(ROOT, [path])
                ref += timed(ref_root, [path])
            c, r = statistics.median(x["seconds"] for x in cur), statistics.median(x["seconds"] for x in ref)
            rows.append({"level": cur[0]["level"], "median_s": c, "max_s": max(x["seconds"] for x in cur),
                         "ref_median_s": r, "speedup": r / c, "steps": cur[0]["steps"],
                         "ref_steps": ref[0]["steps"], "success": cur[0]["success"],
                         "learned_at": cur[0]["learned_at"], "attempt_steps": cur[0]["attempt_steps"],
                         "same_weights": {x["hash"] for x in cur} == {x["hash"] for x in ref}})
    return rows


def reliability(level, seeds: int) -> dict:
    from game.levels import training
    runs = [training.train_level(level, seed=level.network.seed + 1000 * k)[1] for k in range(seeds)]
    ok = [r.success and r.held_out_accuracy >= 0.99 and (r.held_out_forced_accuracy or 0) >= 0.99
          for r in runs]
    return {"level": level.id, "median_s": statistics.median(r.seconds for r in runs),
            "solved": sum(ok), "seeds": seeds, "min_held_out": min(r.held_out_accuracy for r in runs)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("levels", nargs="*")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per level and code base (median)")
    ap.add_argument("--reference", default=REFERENCE, help="git revision of the previous recipe")
    ap.add_argument("--seeds", type=int, default=0, help="instead: how many of N seeds solve each level")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from game.levels import catalogue
    found = [(p, level) for _, p, level, _ in catalogue.resolve(args.levels) if level is not None]
    if args.seeds:
        rows = [reliability(level, args.seeds) for _, level in found]
        print(json.dumps(rows) if args.json else "\n".join(
            f"{r['level']:<20} {r['median_s']:>6.2f} s  solved {r['solved']}/{r['seeds']}  "
            f"min held-out {r['min_held_out']:.1%}" for r in rows))
        return 0
    rows = compare([str(p) for p, _ in found], args.runs, args.reference)
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"CPU seconds, one BLAS thread, median of {args.runs} runs; reference = {args.reference}\n")
    print(f"{'level':<20} {'median s':>9} {'max s':>6} {'ref s':>6} {'speed-up':>8} {'steps':>6} "
          f"{'learned at':>10} {'same weights':>12}")
    for r in rows:
        print(f"{r['level']:<20} {r['median_s']:>9.2f} {r['max_s']:>6.2f} {r['ref_median_s']:>6.2f} "
              f"{r['speedup']:>7.2f}x {r['steps']:>6} {str(r['learned_at']):>10} "
              f"{'yes' if r['same_weights'] else 'NO':>12}")
    total, ref_total = sum(r["median_s"] for r in rows), sum(r["ref_median_s"] for r in rows)
    print(f"{'total':<20} {total:>9.2f} {'':>6} {ref_total:>6.2f} {ref_total / total:>7.2f}x")
    slow = [r["level"] for r in rows if r["median_s"] > 1.0 or r["max_s"] > 1.2]
    print(f"\ntargets: <= 1.0 s median, max <= 1.2 s: {'met' if not slow else 'MISSED by ' + ', '.join(slow)}"
          f"; whole retrain <= 8 s: {'met' if total <= 8 else f'MISSED ({total:.1f} s)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
