"""Offline collect benchmark: a class's folder of submissions verified by re-simulation, one process.

    python benchmarks/bench_collect.py [--students 40] [--attempts 10] [--json]

A challenge of three shipped levels (a word level, a two-slot level, a number level); each student hands
in one submission with ``--attempts`` real attempts (the network's own gating, the solution, the losing
strategies, with random gate noise so no two are alike). Printed: the time to load the challenge, to
collect the folder (read + verify every attempt + keep the best), per attempt, and, measured in the same
run on the same attempts, the game's own ``replay verify`` path (game/session/replay.verify, which finds
the shipped level and loads its network from assets/models) as the reference. Figures are printed,
never asserted.
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from game.classroom.challenge import Rules, load_challenge, make_challenge  # noqa: E402
from game.classroom.collect import collect  # noqa: E402
from game.classroom.submission import write_submission  # noqa: E402
from game.session import replay, scripted  # noqa: E402
from game.session.session import PlaySession  # noqa: E402

LEVELS = ["01-carry", "08-two-slots", "13-sensor-log"]


def attempt(ch, level_id: str, rng: np.random.Generator, player: str) -> dict:
    cl = ch.level(level_id)
    level, model = cl.playable()
    s = PlaySession(level, model)
    strategy = ["model", "solution", "losing"][int(rng.integers(3))]
    gates = scripted.strategy_gates(s, strategy, 0)
    gates = np.clip(gates + rng.normal(0, 0.05, gates.shape), 0.0, 1.0).round(2)
    scripted.play(s, gates)
    return json.loads(replay.dumps(replay.make(s, cl.id, player)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--attempts", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_challenge("Bench", LEVELS, Rules(), tmp / "c.yaml")
        t0 = time.perf_counter()
        ch = load_challenge(tmp / "c.yaml")
        load_s = time.perf_counter() - t0
        ids = [lv.id for lv in ch.levels]
        replays = []
        for k in range(args.students):
            mine = [attempt(ch, ids[int(rng.integers(len(ids)))], rng, f"s{k}") for _ in range(args.attempts)]
            write_submission(tmp / "in", f"student-{k}", ch, mine)
            replays += mine
        n = len(replays)
        t0 = time.perf_counter()
        report = collect(ch, tmp / "in")
        collect_s = time.perf_counter() - t0
        counted = sum(len(a) for a in report.attempts.values())
        files = []
        for k, r in enumerate(replays):
            f = tmp / "ref" / f"{k}.json"
            f.parent.mkdir(exist_ok=True)
            f.write_text(json.dumps(r), encoding="utf-8")
            files.append(f)
        t0 = time.perf_counter()
        for f in files:
            replay.verify(f)
        ref_s = time.perf_counter() - t0
    out = {"students": args.students, "attempts": n, "counted": counted, "challenge_load_s": round(load_s, 3),
           "collect_s": round(collect_s, 3), "collect_ms_per_attempt": round(1000 * collect_s / n, 2),
           "replay_verify_s": round(ref_s, 3), "replay_verify_ms_per_attempt": round(1000 * ref_s / n, 2)}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"challenge of {len(LEVELS)} levels loaded in {load_s * 1000:.0f} ms")
        print(f"collect: {args.students} students x {args.attempts} attempts = {n} attempts "
              f"({counted} counted) in {collect_s:.2f} s = {1000 * collect_s / n:.1f} ms per attempt")
        print(f"reference, replay verify on the same attempts: {ref_s:.2f} s = {1000 * ref_s / n:.1f} ms per "
              f"attempt (collect / reference = {collect_s / ref_s:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
