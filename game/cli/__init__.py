"""The command line: `gatekeeper` / `python main.py`. Every error is one clear line, never a traceback."""

from __future__ import annotations

import argparse
import sys

from lstm_engine import ENGINE_VERSION, EngineError, ModelFileError, TrainingCancelled

from ..levels.catalogue import UnknownLevel
from ..session.replay import ReplayError
from ..text_safety import PrintableStream
from . import classroom_cmd, engine_cmd, levels_cmd, replay_cmd, window_cmd
from .errors import ReplayArgumentError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gatekeeper",
        description="Gatekeeper: a game that teaches how an LSTM remembers. With no command, opens the "
                    "game window.")
    p.add_argument("--version", action="version", version=f"gatekeeper, engine {ENGINE_VERSION}")
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
    lim = engine_cmd.LIMITS
    demo = esub.add_parser(
        "demo", help="train a network on a classic task with a progress bar",
        description="Train a recurrent network on a classic memory task and report how well it learned "
                    "(held-out accuracy at the longest length).")
    demo.add_argument("--task", choices=sorted(engine_cmd.TASKS), default="first-symbol",
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
                           f"{lim['lengths'][1]}, at most {engine_cmd.MAX_LENGTHS} (default 10,30,100)")
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
    classroom_cmd.add_parser(sub)
    return p


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
            return window_cmd.run(parser, args)
        if args.command == "engine":
            return {"demo": engine_cmd.demo, "info": engine_cmd.info}[args.engine_command](args)
        if args.command == "levels":
            return levels_cmd.run(args)
        if args.command == "replay":
            return replay_cmd.run(args)
        if args.command == "classroom":
            return classroom_cmd.run(args)
    except BrokenPipeError:  # e.g. `gatekeeper replay show FILE | head`
        sys.stderr.close()
        return 0
    except (EngineError, ModelFileError, ReplayArgumentError, UnknownLevel, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except ReplayError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except TrainingCancelled:
        print("cancelled", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    return 0
