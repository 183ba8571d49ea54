"""Startup and idle benchmark: `--help`, cold start to the first drawn frame, level select reopening, and
the CPU a still screen costs, each printed beside a reference measured in the same run.

    python benchmarks/bench_startup.py [--runs N] [--idle-seconds S]

- `--help` (`python main.py --help`, spawn to exit) against `python -c pass` and `python -c "import numpy"`:
  the interpreter alone, and what `--help` would pay if it loaded the engine.
- cold start: `python main.py` as a player starts it (empty per-user folders: the title screen), from
  spawning the process to the end of its first drawn frame (flipped), against a bare pygame program that
  opens a window of the same size and flips one filled frame.
- level select: opening it again (new scene, its rows, its first frame) against opening it the first
  time in the process (every level file parsed and checked); and the first opening after one second on
  the title, by which time the game's loop has parsed the levels in the background.
- a still screen: the real frame loop (`App.run`) on the title, level select and a play screen waiting for
  the player, for S seconds each: CPU time of the process over wall time (100% = one core), against the
  same loop drawing every frame (what the loop did before it waited for input).

Targets: `--help` <= 0.3 s, cold start <= 1.0 s, level select again <= 30 ms, a still screen <= 5% of a
core. Printed, never asserted. Video: SDL's dummy driver unless DISPLAY is set and --display is given
(then a real window: flips cost what they cost on a desktop). One BLAS thread; per-user data and cache in a
temporary directory.
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
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MAIN = str(ROOT / "main.py")
HELP_S, START_S, SELECT_MS, IDLE_PCT = 0.3, 1.0, 30.0, 5.0
SIZE = (1280, 720)

# A cold start of the real game: main.py as a player runs it; the first frame is flipped, timed, and ends it.
GAME_CHILD = f"""\
import json, sys, time
sys.path.insert(0, {str(ROOT)!r})
sys.argv = [{MAIN!r}]
import runpy
import game.ui.app as A
frame = A.App.frame
def first_frame(self, events, dt):
    frame(self, events, dt)
    import pygame
    pygame.display.flip()
    print(json.dumps({{"frame_at": time.time(), "scene": self.stack.top.name}}), flush=True)
    self.running = False
A.App.frame = first_frame
try:
    runpy.run_path({MAIN!r}, run_name="__main__")
except SystemExit:
    pass
"""

# The reference: the least a pygame game pays to show a frame.
BARE_CHILD = f"""\
import json, time
import pygame
pygame.display.init()
screen = pygame.display.set_mode({SIZE!r})
screen.fill((18, 20, 27))
pygame.display.flip()
print(json.dumps({{"frame_at": time.time()}}), flush=True)
pygame.quit()
"""

# A still screen in the real loop for a few seconds; prints the process's CPU share.
IDLE_CHILD = """\
import json, sys, time
sys.path.insert(0, {root!r})
from game.blas import pin_blas
pin_blas()
import pygame
from game.ui.app import App
from game.ui.screens.title import TitleScene
app = App(size={size!r})
app.set_player("bench")
app.stack.push(TitleScene(app))
if {screen!r} == "level_select":
    from game.ui.screens.level_select import LevelSelectScene
    app.stack.push(LevelSelectScene(app))
elif {screen!r} == "play":
    from game.levels.training import ensure_model
    from game.ui.launch import level_row
    from game.ui.screens.play import PlayScene
    row = level_row("01-carry")
    app.stack.push(PlayScene(app, row, ensure_model(row.level)[0]))
for _ in range(10):  # settle: first frames, caches
    app.frame([], 1 / 60)
    pygame.display.flip()
app.prefetch_levels().join()  # run() does it once after its first frame: a one-off, not a still screen's cost
if {always!r}:
    app.moving = lambda: True
close, app.close = app.close, lambda: None
pygame.time.set_timer(pygame.QUIT, int({seconds!r} * 1000), loops=1)
frames, c0, w0 = app.frames, time.process_time(), time.perf_counter()
app.run()
c1, w1 = time.process_time(), time.perf_counter()
print(json.dumps({{"cpu": (c1 - c0) / (w1 - w0), "fps": (app.frames - frames) / (w1 - w0)}}))
close()
"""


def spawn_seconds(args: list[str], env: dict, runs: int) -> float:
    """Median wall time of a whole process, spawn to exit."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(args, env=env, cwd=str(ROOT), capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def spawn_to_frame(code: str, env: dict, runs: int) -> tuple[float, float]:
    """Median and max, over fresh processes, from spawning to the child's first flipped frame."""
    times = []
    for _ in range(runs):
        w0 = time.time()
        proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(ROOT), capture_output=True,
                              text=True)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if proc.returncode != 0 or not lines:
            raise SystemExit(f"cold start failed:\n{proc.stderr[-3000:]}")
        times.append(json.loads(lines[-1])["frame_at"] - w0)
    return statistics.median(times), max(times)


def level_select(env: dict, reopen: int, prefetch: bool = False) -> tuple[float, float]:
    """(first opening, median of the reopenings) in ms, in one process, each to the end of its first frame.
    With ``prefetch``, the first opening comes after one second on the title, as in the game, whose loop
    parses the shipped levels in the background after its first frame (App.prefetch_levels)."""
    code = f"""\
import json, sys, time
sys.path.insert(0, {str(ROOT)!r})
from game.blas import pin_blas
pin_blas()
import pygame
from game.ui.app import App
from game.ui.screens.title import TitleScene
from game.ui.screens.level_select import LevelSelectScene
app = App(size={SIZE!r})
app.set_player("bench")
app.stack.push(TitleScene(app))
app.frame([], 1 / 60)
if {prefetch!r}:
    app.prefetch_levels()
    time.sleep(1.0)
times = []
for _ in range({reopen + 1}):
    t0 = time.perf_counter()
    app.stack.push(LevelSelectScene(app))
    app.frame([], 1 / 60)
    pygame.display.flip()
    times.append(time.perf_counter() - t0)
    app.stack.pop()
print(json.dumps(times))
app.close()
"""
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(ROOT), capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise SystemExit(f"level select failed:\n{proc.stderr[-3000:]}")
    times = json.loads(proc.stdout.splitlines()[-1])
    return 1000 * times[0], 1000 * statistics.median(times[1:])


def idle(screen: str, always: bool, seconds: float, env: dict) -> dict:
    code = IDLE_CHILD.format(root=str(ROOT), size=SIZE, screen=screen, always=always, seconds=seconds)
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(ROOT), capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise SystemExit(f"idle {screen} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="fresh processes per spawn figure (5)")
    ap.add_argument("--idle-seconds", type=float, default=5.0, help="per still screen (5)")
    ap.add_argument("--display", action="store_true", help="a real window on $DISPLAY, not the dummy driver")
    args = ap.parse_args(argv)

    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEKEEPER_")}
    env.update(SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    if args.display and env.get("DISPLAY"):
        env.pop("SDL_VIDEODRIVER", None)
    else:
        env["SDL_VIDEODRIVER"] = "dummy"
    driver = "dummy" if env.get("SDL_VIDEODRIVER") == "dummy" else f"a real window on {env['DISPLAY']}"
    with tempfile.TemporaryDirectory(prefix="gatekeeper-bench-start-") as tmp:
        env["GATEKEEPER_DATA_DIR"] = str(Path(tmp) / "data")
        env["GATEKEEPER_CACHE_DIR"] = str(Path(tmp) / "cache")
        py = sys.executable
        passed = spawn_seconds([py, "-c", "pass"], env, args.runs)
        numpy = spawn_seconds([py, "-c", "import numpy"], env, args.runs)
        helped = spawn_seconds([py, MAIN, "--help"], env, args.runs)
        bare, bare_max = spawn_to_frame(BARE_CHILD, env, args.runs)
        game, game_max = spawn_to_frame(GAME_CHILD, env, args.runs)
        first, again = level_select(env, reopen=10)
        prefetched, _ = level_select(env, reopen=1, prefetch=True)
        still = {(s, a): idle(s, a, args.idle_seconds, env) for s in ("title", "level_select", "play")
                 for a in (False, True)}

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, video: {driver}; medians of {args.runs} "
          f"fresh processes")
    print(f"{'figure':<34} {'measured':>10} {'reference':>10} {'ratio':>6}  reference; target")
    print(f"{'--help (spawn to exit)':<34} {helped:>9.3f}s {passed:>9.3f}s {helped / passed:>5.1f}x  "
          f"python -c pass (import numpy: {numpy:.3f} s); <= {HELP_S} s {verdict(helped <= HELP_S)}")
    print(f"{'cold start to first frame':<34} {game:>9.3f}s {bare:>9.3f}s {game / bare:>5.1f}x  bare pygame "
          f"window + one flip; <= {START_S} s {verdict(game <= START_S)} (max {game_max:.3f}, "
          f"reference max {bare_max:.3f})")
    print(f"{'level select, opened again':<34} {again:>8.1f}ms {first:>8.1f}ms {again / first:>5.2f}x  "
          f"the first opening; <= {SELECT_MS:g} ms {verdict(again <= SELECT_MS)}")
    print(f"{'level select, first, after 1 s':<34} {prefetched:>8.1f}ms {first:>8.1f}ms "
          f"{prefetched / first:>5.2f}x  the first opening at once (the levels parsed in the background "
          f"meanwhile)")
    for screen in ("title", "level_select", "play"):
        s, a = still[(screen, False)], still[(screen, True)]
        print(f"{'still ' + screen + ' (% of a core)':<34} {100 * s['cpu']:>9.1f}% {100 * a['cpu']:>9.1f}% "
              f"{s['cpu'] / a['cpu']:>5.2f}x  drawing every frame ({s['fps']:.1f} vs {a['fps']:.0f} "
              f"frames/s); "
              f"<= {IDLE_PCT:g}% {verdict(100 * s['cpu'] <= IDLE_PCT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
