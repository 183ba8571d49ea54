"""The command line: `gatekeeper` / `python main.py`. Every error is one clear line, never a traceback.

Building the parser imports nothing heavy, so `--help` answers without loading NumPy, the engine or the
level loader; each command's module (engine_cmd, levels_cmd, replay_cmd, window_cmd) is imported when it
runs, and so are the errors the dispatch turns into one line.
"""

from __future__ import annotations

from ..blas import pin_blas

pin_blas()  # before anything loads NumPy: the `gatekeeper` script starts here

import argparse  # noqa: E402
import sys  # noqa: E402

from ..lab import limits as lab_limits  # noqa: E402
from ..text_safety import PrintableStream  # noqa: E402
from .limits import DEMO_LIMITS, MAX_LENGTHS  # noqa: E402

LAB = {name: getattr(lab_limits, name) for name in ("TASKS", "GAP_RANGE", "SEEDS_RANGE", "DISTANCE_RANGE")}

DEMO_TASKS = ("adding", "first-symbol")  # engine_cmd.TASKS's names (a test keeps them equal)


class VersionAction(argparse.Action):
    """`--version`: the game's version and the engine's, labelled (the engine is imported only here)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from ..version import version_line

        print(version_line())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gatekeeper",
        description="Gatekeeper: a game that teaches how an LSTM remembers. With no command, opens the "
                    "game window.")
    p.add_argument("--version", action=VersionAction, help="show the game's and engine's version")
    p.add_argument("--level", metavar="ID|FILE", help="open the game at this level (an id such as 01-carry, "
                   "or a level file of your own)")
    p.add_argument("--autoplay", choices=["model", "solution"],
                   help="watch the trained network (or the level's intended solution) play")
    p.add_argument("--screenshot", metavar="DIR", help="headless demo: play --level by --autoplay without a "
                   "window and write a PNG of every scene it passes through into DIR")
    p.add_argument("--frames", type=int, default=40000, metavar="N",
                   help="with --screenshot: stop after N frames at most (default 40000)")
    p.add_argument("--size", default="1280x720", metavar="WxH", help="window size (default 1280x720)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    eng = sub.add_parser("engine", help="the recurrent-network engine: train a demo task, inspect a model")
    esub = eng.add_subparsers(dest="engine_command", metavar="ENGINE_COMMAND", required=True)
    lim = DEMO_LIMITS
    demo = esub.add_parser(
        "demo", help="train a network on a classic task with a progress bar",
        description="Train a recurrent network on a classic memory task and report how well it learned "
                    "(held-out accuracy at the longest length).")
    demo.add_argument("--task", choices=DEMO_TASKS, default="first-symbol",
                      help="first-symbol: recall the first token at the end; adding: add the two marked "
                           "numbers (default first-symbol)")
    demo.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm",
                      help="the recurrent cell: LSTM, GRU or plain tanh RNN (default lstm)")
    demo.add_argument("--hidden", type=int, default=16, metavar="N",
                      help=f"hidden units, {lim['hidden'][0]}..{lim['hidden'][1]} (default 16)")
    demo.add_argument("--seed", type=int, default=0, metavar="N",
                      help=f"random seed, {lim['seed'][0]}..{lim['seed'][1]}: same seed, same result "
                           "(default 0)")
    demo.add_argument("--lengths", default="10,30,100", metavar="L1,L2,...",
                      help=f"the curriculum: sequence lengths trained in turn, each {lim['lengths'][0]}.."
                           f"{lim['lengths'][1]}, at most {MAX_LENGTHS} (default 10,30,100)")
    demo.add_argument("--max-steps", type=int, default=2000, metavar="N",
                      help=f"training steps per attempt, {lim['max_steps'][0]}..{lim['max_steps'][1]} "
                           "(default 2000)")
    demo.add_argument("--restarts", type=int, default=2, metavar="N",
                      help=f"further attempts from a new seed if one fails, {lim['restarts'][0]}.."
                           f"{lim['restarts'][1]} (default 2)")
    demo.add_argument("--save", metavar="FILE", help="write the trained model (.npz)")
    demo.add_argument("--json", action="store_true", help="print the report as JSON")
    info = esub.add_parser("info", help="verify a model file and print its metadata")
    info.add_argument("file")

    lv = sub.add_parser("levels", help="level files: validate them, train their networks, check them")
    lsub = lv.add_subparsers(dest="levels_command", metavar="LEVELS_COMMAND", required=True)
    ls = lsub.add_parser("list", help="the shipped levels in play order: id and title")
    ls.add_argument("--json", action="store_true", help="one JSON object per level")
    val = lsub.add_parser("validate", help="check level files and packs; every problem as file:line:column")
    val.add_argument("paths", nargs="+", metavar="PATH")
    tr = lsub.add_parser("train", help="train (or load cached) networks for levels, with a progress bar")
    tr.add_argument("levels", nargs="*", metavar="ID|PATH", help="default: every shipped level")
    tr.add_argument("--force", action="store_true", help="retrain even when trained weights exist")
    tr.add_argument("--ship", action="store_true",
                    help="(developers) write the weights into assets/models and its manifest")
    tr.add_argument("--json", action="store_true", help="one JSON object per level")
    ck = lsub.add_parser("check", help="play the model's own gating, the solution and the losing strategies")
    ck.add_argument("levels", nargs="*", metavar="ID|PATH", help="default: every shipped level")
    ck.add_argument("--json", action="store_true", help="one JSON object per level")
    ck.add_argument("--seeds", type=int, metavar="N", help="train N seeds (the level's and the next ones) "
                    "and print on how many the level is playable, which strategy fails, and what to change")
    new = lsub.add_parser("new", help="a level from a studio pattern: --list, or --pattern NAME -o FILE")
    new.add_argument("--list", action="store_true", help="print the pattern names, one per line")
    new.add_argument("--pattern", metavar="NAME", help="the pattern whose example level to write")
    new.add_argument("-o", "--output", metavar="FILE", help="the level file to write")

    rp = sub.add_parser("replay", help="record, verify and show replays")
    rsub = rp.add_subparsers(dest="replay_command", metavar="REPLAY_COMMAND", required=True)
    rec = rsub.add_parser("record", help="play a level with a scripted gating and save the replay")
    rec.add_argument("level", metavar="ID|PATH")
    how = rec.add_mutually_exclusive_group(required=True)
    how.add_argument("--strategy", choices=["model", "solution", "losing"])
    how.add_argument("--gating", metavar="GATING.yaml",
                     help="a gating written like a level's solution: default and rules (at, sentence, word "
                          "or step, counted from 1; optional slot); see docs/levels.md")
    rec.add_argument("--losing-index", type=int, default=1, help="which losing strategy (from 1)")
    rec.add_argument("--player", default="script")
    rec.add_argument("-o", "--output", required=True, metavar="FILE")
    ver = rsub.add_parser("verify", help="re-simulate replays and recompute their scores")
    ver.add_argument("files", nargs="+", metavar="FILE")
    ver.add_argument("--level", metavar="LEVEL_FILE", help="the level file, for replays of your own levels")
    ver.add_argument("--json", action="store_true",
                     help="one JSON object per file: valid, answer, p_right, baseline, wins, stars, "
                          "score, parts")
    show = rsub.add_parser("show", help="a replay step by step, the player's gates against the model's")
    show.add_argument("file", metavar="FILE")
    show.add_argument("--level", metavar="LEVEL_FILE", help="the level file, for replays of your own levels")
    op = rsub.add_parser("open", help="open a replay in the game's comparison screen (window)")
    op.add_argument("file", metavar="FILE")
    op.add_argument("--level", metavar="LEVEL_FILE", help="the level file, for replays of your own levels")
    op.add_argument("--screenshot", metavar="PNG",
                    help="headless: write the comparison screen to PNG and exit")

    lab = sub.add_parser("lab", help="the lab: a plain RNN, a GRU and an LSTM trained side by side")
    labsub = lab.add_subparsers(dest="lab_command", metavar="LAB_COMMAND", required=True)
    g_lo, g_hi = LAB["GAP_RANGE"]
    lrun = labsub.add_parser(
        "run", help="train each cell at each lag under the same budget; one row per run",
        description="Train a tanh RNN, a GRU and an LSTM (the same parameter count, the same training "
                    "budget) at each lag and print held-out accuracy: cell, task, gap, seed, accuracy, "
                    "solved, seconds.")
    lrun.add_argument("--task", choices=LAB["TASKS"], default="adding",
                      help="adding: add the two marked numbers; carry: recall the first symbol through "
                           "distractors (default adding)")
    lrun.add_argument("--cells", default="rnn,gru,lstm", metavar="C1,C2,...",
                      help="some of rnn, gru, lstm (default rnn,gru,lstm)")
    gaps = ",".join(map(str, lab_limits.DEFAULT_GAPS))
    lrun.add_argument("--gaps", default=gaps, metavar="L1,L2,...",
                      help=f"lags (sequence lengths), each {g_lo}..{g_hi} (default {gaps})")
    s_lo, s_hi = LAB["SEEDS_RANGE"]
    lrun.add_argument("--seeds", type=int, default=1, metavar="N",
                      help=f"runs per cell and lag, seeds 0..N-1, N from {s_lo} to {s_hi} (default 1)")
    lrun.add_argument("--json", action="store_true", help="one JSON object per run")
    lgr = labsub.add_parser(
        "gradients", help="the gradient norm reaching each distance, at initialisation and after training",
        description="Backpropagate the loss at the last step and print the norm of its gradient with "
                    "respect to the state each distance back: cell, distance, norm, trained.")
    lgr.add_argument("--task", choices=LAB["TASKS"], default="adding",
                     help="adding or carry (default adding)")
    lgr.add_argument("--cells", default="rnn,gru,lstm", metavar="C1,C2,...",
                     help="some of rnn, gru, lstm (default rnn,gru,lstm)")
    d_lo, d_hi = LAB["DISTANCE_RANGE"]
    far = lab_limits.DEFAULT_DISTANCE
    lgr.add_argument("--distance", type=int, default=far, metavar="D",
                     help=f"the longest distance, {d_lo}..{d_hi}; each cell trains at this lag "
                          f"(default {far})")
    lgr.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default 0)")
    lgr.add_argument("--json", action="store_true", help="one JSON object per row")
    labsub.add_parser("ship",
                      help="(developers) run the shipped lab commands and write assets/lab/results.json")
    from . import classroom_cmd  # light: each classroom command imports its own modules when it runs

    classroom_cmd.add_parser(sub)
    return p


def _loaded(module: str, *names: str) -> tuple[type, ...]:
    """Exception classes of a module, if it was loaded: one never loaded cannot have raised them, so the
    error handling below needs no import (a window or `--help` does not load the engine for it)."""
    found = sys.modules.get(module)
    return tuple(getattr(found, n) for n in names) if found is not None else ()


def main(argv=None) -> int:
    """Everything printed goes through text_safety.printable: text from files (level ids, problems,
    player names) never sends terminal codes or a lone surrogate to the terminal."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = PrintableStream(sys.stdout), PrintableStream(sys.stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = saved


def _main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from . import window_cmd

            return window_cmd.run(parser, args)
        if args.command == "engine":
            from . import engine_cmd

            return {"demo": engine_cmd.demo, "info": engine_cmd.info}[args.engine_command](args)
        if args.command == "levels":
            from . import levels_cmd

            return levels_cmd.run(args)
        if args.command == "replay":
            from . import replay_cmd

            return replay_cmd.run(args)
        if args.command == "classroom":
            from . import classroom_cmd

            return classroom_cmd.run(args)
        if args.command == "lab":
            from . import lab_cmd

            return lab_cmd.run(args)
    except BrokenPipeError:  # e.g. `gatekeeper replay show FILE | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except Exception as e:
        one_line = (*_loaded("lstm_engine", "EngineError", "ModelFileError"),
                    *_loaded("game.cli.errors", "ReplayArgumentError"),
                    *_loaded("game.levels.catalogue", "UnknownLevel"), OSError)
        if isinstance(e, one_line):
            print(f"error: {e}", file=sys.stderr)
            return 2
        if isinstance(e, _loaded("game.session.replay", "ReplayError")):
            print(f"error: {e}", file=sys.stderr)
            return 1
        if isinstance(e, _loaded("lstm_engine", "TrainingCancelled")):
            print("cancelled", file=sys.stderr)
            return 130
        raise
    return 0
