"""Cost of one play-screen action against the sentence's length: what the screen recomputes after an
action (game/controllers/play.snapshot_at), from cached per-word states (PlaySession.states), against
the previous way measured in the same run: re-running the whole prefix through the network.

    python benchmarks/bench_play_action.py [--words N ...]

10-long-haul's played sentence with its fillers repeated up to N words (the trained network reads any
length), gated by its own network's gates; the timed action sets a gate at the word before the
question (the prefix before it is unchanged, so the cached path runs one step). Median of 200 actions;
one BLAS thread. Printed, never asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from game.blas import pin_blas  # noqa: E402

pin_blas()

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from game.controllers.play import snapshot_at  # noqa: E402
from game.levels import catalogue, training  # noqa: E402
from game.session.commands import Advance, SetGates  # noqa: E402
from game.session.session import PlaySession, memory_of  # noqa: E402

REPEATS = 200


def long_level(words: int):
    level = catalogue.resolve(["10-long-haul"])[0][2]
    first, fillers, question = level.play[0], level.play[1:-1], level.play[-1]
    per = 4  # words of a filler sentence here
    n = max(1, (words - 6) // per)
    play = [first] + [fillers[k % len(fillers)] for k in range(n)] + [question]
    return level, level.model_copy(update={"play": play})


def previous_snapshot(session: PlaySession, shown: int):
    """What snapshot_at computed before the cache: the whole prefix re-run (plus the same readouts)."""
    trace = session.run(shown + 1)
    memory = memory_of(trace)
    c = memory[-1, 0].copy()
    return (memory[-2, 0].copy(), trace.g[-1, 0].copy(), c, trace.h[-1, 0].copy(),
            [session.memory_says(3, c, slot) for slot in range(session.S)], session.prediction())


def bench(words: int) -> dict:
    shipped, level = long_level(words)
    model = training.cached_model(shipped)[0]
    s = PlaySession(level, model)
    own = s.model_run.gates
    while s.step < s.T - 2:  # the network's own gates up to the word before the question
        s.apply(SetGates(s.step, 0, input=float(own[s.step, 0]), forget=float(own[s.step, 1]),
                         output=float(own[s.step, 2])))
        s.apply(Advance())
    step = s.step
    times = {"cached": [], "re-run": []}
    for k in range(REPEATS):
        for name, fn in (("cached", snapshot_at), ("re-run", previous_snapshot)):
            s.apply(SetGates(step, 0, input=float(k % 2)))
            t0 = time.perf_counter()
            fn(s, step)
            times[name].append(time.perf_counter() - t0)
    same = np.array_equal(snapshot_at(s, step).c, previous_snapshot(s, step)[2])
    return {"words": s.T, **{n: 1000 * statistics.median(v) for n, v in times.items()}, "same": same}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, nargs="*", default=[30, 118, 500, 1000])
    args = ap.parse_args(argv)
    print(f"{'words':>6} {'cached ms':>10} {'re-run ms':>10} {'speed-up':>8}  same memory")
    for w in args.words:
        r = bench(w)
        ratio = r["re-run"] / r["cached"]
        print(f"{r['words']:>6} {r['cached']:>10.3f} {r['re-run']:>10.3f} {ratio:>7.1f}x  "
              f"{'yes' if r['same'] else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
