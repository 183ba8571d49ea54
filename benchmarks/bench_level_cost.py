"""The worst a valid level can cost (game/levels/cost.py caps), measured: validation of a hostile 10 KB
level, scoring a finished sentence at the scoring caps (with today's O(P^2) scoring), one held-out pass
and building one stage's training data at their caps. Each case runs in a fresh process (peak memory
is its own); a campaign level measured in the same run is the reference.

    python benchmarks/bench_level_cost.py [--quick]

Printed, never asserted. docs/levels.md ("How big a level may be") quotes these figures.
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MINIMAL = ROOT / "tests" / "fixtures" / "levels" / "valid" / "minimal.yaml"
COST_BOMB = ROOT / "tests" / "fixtures" / "levels" / "bad" / "cost-bomb.yaml"
FILLER = "It was sunny ."  # 4 words


def synthetic(hidden: int, slots: int, played: int, longest: int | None = None, pool: int = 1024):
    """A valid level (checked against every cap) with about `played` played words and training
    sequences of about `longest` words."""
    import yaml

    from game.levels.loader import parse_level

    class NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data):
            return True

    d = yaml.safe_load(MINIMAL.read_text())
    d["network"] = {"hidden": hidden, "slots": slots, "training": {"pool": pool}}
    fillers = max(0, (played - 9) // 4)
    d["play"] = [d["play"][0]] + [{"filler": FILLER} for _ in range(fillers)] + [d["play"][-1]]
    if longest is not None:
        d["task"]["story"][1] = {"fillers": [(longest - 9) // 4, (longest - 9) // 4]}
    return parse_level(yaml.dump(d, Dumper=NoAliases, sort_keys=False), "bench.yaml", "minimal")


def case(kind: str, args: list) -> dict:
    """Run in this process; returns seconds and peak memory."""
    import numpy as np

    from game.levels import catalogue, cost, training
    from game.levels.generator import LevelTask
    from game.levels.loader import LevelError, load_level
    from game.session import scoring, scripted
    from game.session.session import PlaySession
    from lstm_engine import train

    out: dict = {}
    if kind == "validate":
        t0 = time.perf_counter()
        try:
            load_level(args[0])
            out["result"] = "valid"
        except LevelError as e:
            out["result"] = e.problems[0].message[:70]
        out["seconds"] = time.perf_counter() - t0
    elif kind == "score":
        if args[0] == "campaign":
            level = dict(catalogue.shipped_entries())[args[1]].level
            model = training.cached_model(level)[0]
        else:
            level = synthetic(*args)
            model = training.new_model(level, LevelTask(level))
        s = PlaySession(level, model)
        scripted.play(s, np.full((s.T, 3 * s.S), 0.5))  # every gate value differs from the network's
        c = cost.cost(level)
        t0 = time.perf_counter()
        sc = scoring.score(s)
        out.update(seconds=time.perf_counter() - t0, decisions=len(sc.decisions), played=c.played,
                   work=c.scoring_work)
    elif kind == "held-out":
        level = synthetic(*args)
        model = training.new_model(level, LevelTask(level))
        c = cost.cost(level)
        t0 = time.perf_counter()
        training.held_out_accuracy(level, model)
        out.update(seconds=time.perf_counter() - t0, longest=c.longest, one_pass=c.one_pass)
    elif kind == "train":  # a few steps at the longest length: the cap's worst case, extrapolated
        level = synthetic(*args[:4])
        task = LevelTask(level)
        model = training.new_model(level, task)
        c = cost.cost(level)
        steps = args[4]
        config = training.train_config(level).__class__(**{**training.train_config(level).to_dict(),
                                                            "max_steps": steps, "restarts": 0,
                                                            "lengths": None})
        t0 = time.perf_counter()
        train(model, task, config)
        seconds = time.perf_counter() - t0
        per_step = seconds / steps
        work_per_step = c.training_work / (level.network.training.max_steps
                                           * (level.network.training.restarts + 1))
        out.update(seconds=seconds, steps=steps, at_cap_minutes=cost.MAX_TRAINING_WORK / work_per_step
                   * per_step / 60)
    elif kind == "cancel":  # Esc while training data is built: how long until the job has stopped
        from game.controllers.training_job import TrainingJob

        level = synthetic(*args)
        task = LevelTask(level)

        def build(level, progress):
            task.sample(np.random.default_rng(0), level.network.training.pool, max(task.default_lengths))

        job = TrainingJob(level, ensure=build)
        time.sleep(1.0)
        reports = job.building.done if job.building else 0
        t0 = time.perf_counter()
        job.cancel()
        job.wait(60)
        out.update(seconds=time.perf_counter() - t0, state=job.state, built_in_1s=f"{reports}/"
                   f"{job.building.total if job.building else '?'}")
    elif kind == "data":
        level = synthetic(*args)
        task = LevelTask(level)
        c = cost.cost(level)
        t0 = time.perf_counter()
        task.sample(np.random.default_rng(0), level.network.training.pool, max(task.default_lengths))
        out.update(seconds=time.perf_counter() - t0, longest=c.longest, data_mib=c.training_data / 2**20)
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run(kind: str, args: list) -> dict:
    r = subprocess.run([sys.executable, __file__, "--case", json.dumps([kind, args])], capture_output=True,
                       text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--case")
    p.add_argument("--quick", action="store_true", help="skip the slowest cases")
    a = p.parse_args()
    if a.case:
        kind, args = json.loads(a.case)
        print(json.dumps(case(kind, args)))
        return
    from game.levels import cost

    print(f"caps: longest {cost.MAX_LONGEST}, played {cost.MAX_PLAYED}, scoring work "
          f"{cost.MAX_SCORING_WORK:,.0f} and {cost.MAX_SCORING_MEMORY / 2**20:.0f} MiB, one pass "
          f"{cost.MAX_ONE_PASS:,.0f}, training data {cost.MAX_TRAINING_DATA / 2**20:.0f} MiB, training work "
          f"{cost.MAX_TRAINING_WORK:,.0f}")
    rows = [
        ("validate campaign/10-long-haul (reference)", "validate",
         [str(ROOT / "levels" / "campaign" / "10-long-haul.yaml")]),
        ("validate cost-bomb.yaml (10 KB, refused)", "validate", [str(COST_BOMB)]),
        ("score campaign/10-long-haul (reference)", "score", ["campaign", "campaign/10-long-haul"]),
        ("score 500 words, 16 cells, 1 slot", "score", [16, 1, 500]),
        ("score 240 words, 16 cells, 4 slots", "score", [16, 4, 240]),
        ("score 200 words, 256 cells, 1 slot", "score", [256, 1, 200]),
        ("score 120 words, 64 cells, 8 slots", "score", [64, 8, 120]),
        ("held-out pass 500 words, 16 cells", "held-out", [16, 1, 20, 500]),
        ("held-out pass 124 words, 64 cells", "held-out", [64, 1, 20, 122]),
        ("training data 500 words x 6600 sequences", "data", [16, 1, 20, 500, 6600]),
        ("cancel while building that data (s to stop)", "cancel", [16, 1, 20, 500, 6600]),
        ("train 500 words, 16 cells (50 steps)", "train", [16, 1, 20, 500, 50]),
        ("train 124 words, 64 cells (50 steps)", "train", [64, 1, 20, 122, 50]),
    ]
    if a.quick:
        rows = rows[:4]
    print(f"{'case':<46} {'seconds':>8} {'peak MiB':>9}  details")
    for label, kind, args in rows:
        r = run(kind, args)
        details = {k: (round(v) if isinstance(v, float) else v) for k, v in r.items()
                   if k not in ("seconds", "peak_mib")}
        print(f"{label:<46} {r['seconds']:8.2f} {r['peak_mib']:9.0f}  {details}", flush=True)


if __name__ == "__main__":
    main()
