"""The command line: `gatekeeper` / `python main.py`. Every error is one clear line, never a traceback."""

from __future__ import annotations

import argparse
import json
import sys

from lstm_engine import (
    ENGINE_VERSION,
    AddingTask,
    EngineError,
    FirstSymbolTask,
    Model,
    ModelFileError,
    TrainConfig,
    TrainingCancelled,
    load_model,
    save_model,
    train,
)

from .levels.catalogue import UnknownLevel
from .progress_bar import TerminalProgress
from .session.replay import ReplayError

TASKS = {"first-symbol": FirstSymbolTask, "adding": AddingTask}


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
    demo = esub.add_parser("demo", help="train a network on a classic task with a progress bar")
    demo.add_argument("--task", choices=sorted(TASKS), default="first-symbol")
    demo.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm")
    demo.add_argument("--hidden", type=int, default=16)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--lengths", default="10,30,100", help="curriculum, e.g. 10,30,100")
    demo.add_argument("--max-steps", type=int, default=2000, help="per attempt")
    demo.add_argument("--restarts", type=int, default=2)
    demo.add_argument("--save", metavar="FILE", help="write the trained model (.npz)")
    demo.add_argument("--json", action="store_true", help="print the report as JSON")
    info = esub.add_parser("info", help="verify a model file and print its metadata")
    info.add_argument("file")

    lv = sub.add_parser("levels", help="level files: validate them, train their networks, check them")
    lsub = lv.add_subparsers(dest="levels_command", metavar="LEVELS_COMMAND", required=True)
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
    rec.add_argument("--strategy", choices=["model", "solution", "losing"], required=True)
    rec.add_argument("--losing-index", type=int, default=0, help="which losing strategy (from 0)")
    rec.add_argument("--player", default="script")
    rec.add_argument("-o", "--output", required=True, metavar="FILE")
    ver = rsub.add_parser("verify", help="re-simulate replays and recompute their scores")
    ver.add_argument("files", nargs="+", metavar="FILE")
    ver.add_argument("--level", metavar="LEVEL_FILE", help="the level file, for replays of your own levels")
    show = rsub.add_parser("show", help="a replay step by step, the player's gates against the model's")
    show.add_argument("file", metavar="FILE")
    show.add_argument("--level", metavar="LEVEL_FILE", help="the level file, for replays of your own levels")
    op = rsub.add_parser("open", help="open a replay in the game's comparison screen (window)")
    op.add_argument("file", metavar="FILE")
    op.add_argument("--level", metavar="LEVEL_FILE", help="the level file, for replays of your own levels")
    op.add_argument("--screenshot", metavar="PNG",
                    help="headless: write the comparison screen to PNG and exit")
    return p


def _demo(args) -> int:
    try:
        lengths = tuple(int(v) for v in args.lengths.split(","))
    except ValueError:
        raise EngineError(f"--lengths must be comma-separated whole numbers, got {args.lengths!r}") from None
    task = TASKS[args.task]()
    model = Model.create(args.cell, task.input_size, args.hidden, task.output_size, seed=args.seed,
                         kind=task.kind, tolerance=task.tolerance)
    config = TrainConfig(seed=args.seed, lengths=lengths, max_steps=args.max_steps, restarts=args.restarts)
    bar = TerminalProgress(f"{args.cell} {args.task}")
    try:
        report = train(model, task, config, progress=bar)
    finally:
        bar.close()
    out = {"task": args.task, "cell": args.cell, **report.to_dict()}
    out.pop("history")
    if args.save:
        out["model_hash"] = save_model(args.save, model, {"task": args.task},
                                       training={"config": config.to_dict(), "report": out})
    if args.json:
        print(json.dumps(out))
    else:
        verdict = "solved" if report.success else "NOT solved"
        print(f"{verdict}: held-out accuracy {report.held_out_accuracy:.1%} at length {report.length}, "
              f"{report.steps} steps, {report.attempts} attempt(s), {report.seconds:.2f} s")
        if args.save:
            print(f"saved {args.save} (hash {out['model_hash'][:12]})")
    return 0 if report.success else 1


def _info(args) -> int:
    model, meta = load_model(args.file)
    print(json.dumps({"file": args.file, "hash": meta["hash"], "engine_version": meta["engine_version"],
                      "config": meta["config"], "parameters": sum(p.size for p in model.params().values()),
                      "training": meta.get("training", {}), "extra": meta.get("extra", {})}, indent=2))
    return 0


def _levels(args) -> int:
    from .levels import catalogue, training
    from .levels.loader import validate_paths

    if args.levels_command == "validate":
        code, lines = validate_paths(args.paths)
        print("\n".join(lines))
        return code
    try:
        found = catalogue.resolve(args.levels)
    except catalogue.UnknownLevel as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    failed = False
    for name, _path, level, error in found:
        if error is not None:
            print(str(error), file=sys.stderr)
            failed = True
            continue
        if args.levels_command == "train":
            bar = TerminalProgress(name)
            try:
                model, report, where = training.ensure_model(level, bar, force=args.force, ship=args.ship)
            finally:
                bar.close()
            acc, facc = (report.held_out_accuracy, report.held_out_forced_accuracy) if report else \
                training.held_out_accuracy(level, model)
            row = {"level": name, "trained": report is not None, "where": where,
                   "held_out_accuracy": acc, "held_out_forced_accuracy": facc,
                   "seconds": report.seconds if report else 0.0, "steps": report.steps if report else 0,
                   "attempts": report.attempts if report else 0}
            failed |= (report is not None and not report.success) or acc < training.PLAYABLE_ACCURACY \
                or (facc or 0.0) < training.PLAYABLE_ACCURACY
            print(json.dumps(row) if args.json else
                  f"{name}: {where if report else 'loaded (' + where + ')'}, held-out {acc:.1%} own, "
                  f"{facc:.1%} intended"
                  + (f", {row['steps']} steps, {row['seconds']:.2f} s" if report else ""))
        else:
            model, _, _ = training.ensure_model(level, TerminalProgress(name))
            c = training.check_level(level, model)
            failed |= not c.playable
            if args.json:
                def outcome(o):
                    return {"answer": o.predicted, "p_right": o.probability, "wins": o.wins}
                print(json.dumps({"level": name, "playable": c.playable, "problems": c.problems(),
                                  "held_out": c.held_out, "held_out_forced": c.held_out_forced,
                                  "model": outcome(c.own), "solution": outcome(c.solution),
                                  "losing": {n: outcome(o) for n, o in c.losing}}))
                continue
            print(f"{name}: {'playable' if c.playable else 'NOT PLAYABLE'} "
                  f"(held-out {c.held_out:.1%} own, {c.held_out_forced:.1%} intended)")
            for label, o in [("model's own gating", c.own), ("solution", c.solution)] + \
                    [(f"losing: {n}", o) for n, o in c.losing]:
                print(f"  {label:<40} answers {o.predicted!s:<12} p(right)={o.probability:.2f} "
                      f"{'WINS' if o.wins else 'loses'}")
            for problem in c.problems():
                print(f"  problem: {problem}")
    return 1 if failed else 0


def _stars(n: int) -> str:
    return "*" * n + "." * (3 - n)


def _replay(args) -> int:
    from .levels import catalogue, training
    from .session import replay, scripted
    from .session.session import PlaySession

    if args.replay_command == "record":
        name, path, level, error = catalogue.resolve([args.level])[0]
        if level is None:
            print(str(error), file=sys.stderr)
            return 1
        shipped = {n for n, _ in catalogue.shipped_entries()}
        if name not in shipped:  # your own level: verify later with --level FILE
            name = level.id
        model, _, _ = training.ensure_model(level, TerminalProgress(name))
        session = PlaySession(level, model)
        if args.strategy == "losing" and not 0 <= args.losing_index < len(level.losing):
            raise ReplayArgumentError(f"--losing-index must be 0..{len(level.losing) - 1} for {name}")
        scripted.play(session, scripted.strategy_gates(session, args.strategy, args.losing_index))
        r = replay.make(session, name, args.player)
        replay.save(args.output, r)
        sc = r.score
        print(f"{args.output}: {name}, {args.strategy}: answers {sc['answer']!r}, score {sc['total']}, "
              f"stars {_stars(sc['stars'])}")
        return 0
    if args.replay_command == "open":
        v = replay.verify(args.file, level_file=args.level)
        if args.screenshot:
            from .ui.launch import headless_env

            headless_env()
        from .ui.launch import LaunchError, open_replay

        try:
            open_replay(v, args.level, args.screenshot)
        except LaunchError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        return 0
    if args.replay_command == "verify":
        failed = False
        for f in args.files:
            try:
                v = replay.verify(f, level_file=args.level)
            except replay.ReplayError as e:
                print(f"{f}: REJECTED: {e}")
                failed = True
                continue
            s = v.score
            stored = "stored score matches" if v.stored_matches else "stored score DIFFERS (ignored)"
            print(f"{f}: {v.level}, player {v.player!r}: answers {s.answer!r}, score {s.total}, "
                  f"stars {_stars(s.stars)}; {stored}")
        return 1 if failed else 0
    v = replay.verify(args.file, level_file=args.level)
    s, sess = v.score, v.session
    S = sess.S
    crit = {(d.step, d.gate, d.slot) for d in s.critical}
    print(f"{v.level}, player {v.player!r}. Gates are input/forget/output per slot; "
          f"'!' marks a critical decision.")
    print(f"{'step':>4}  {'word':<12} {'player':<{12 * S}} {'model':<{12 * S}}")
    for t, word in enumerate(sess.sequence.words):
        cells = []
        for table in (sess.state.gates, sess.model_run.gates):
            parts = []
            for slot in range(S):
                vals = [table[t, g * S + slot] for g in range(3)]
                mark = "!" if table is sess.state.gates and any(
                    (t, gate, slot) in crit for gate in ("input", "forget", "output")) else " "
                parts.append(" ".join(f"{x:.1f}" for x in vals) + mark)
            cells.append("  ".join(parts))
        print(f"{t:>4}  {word:<12} {cells[0]:<{12 * S}} {cells[1]:<{12 * S}}")
    print(f"\nanswer {s.answer!r} (right: {sess.sequence.answer!r}), p(right) {s.p_right:.2f}, "
          f"agreement {s.agreement:.2f}, hints {s.hints}, score {s.total}, stars {_stars(s.stars)}")
    for d in s.critical:
        print(f"  critical: step {d.step} '{d.word}' {d.gate} gate of slot {d.slot + 1}: you {d.player:.2f}, "
              f"model {d.model:.2f}; with the model's value the answer would be {d.answer_if_swapped!r}")
    return 0


class ReplayArgumentError(ValueError):
    pass


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ReplayArgumentError(f"--size must look like 1280x720, not {text!r}") from None
    if not (320 <= w <= 7680 and 240 <= h <= 4320):
        raise ReplayArgumentError(f"--size {text}: the window must be 320x240 to 7680x4320")
    return w, h


def _window(parser: argparse.ArgumentParser, args) -> int:
    """The game window, or the headless screenshot demo."""
    size = _size(args.size)
    if args.screenshot is not None:
        if not args.level or not args.autoplay:
            parser.error("--screenshot needs --level ID and --autoplay model|solution")
        if args.frames < 1:
            parser.error("--frames must be at least 1")
        from .ui.launch import headless_env

        headless_env()
        from .ui.launch import LaunchError, demo

        try:
            shots = demo(args.level, args.autoplay, args.screenshot, args.frames, size)
        except LaunchError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        for path in shots:
            print(path)
        return 0
    from .ui.launch import LaunchError, play

    try:
        play(size, args.level, args.autoplay)
    except LaunchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return _window(parser, args)
        if args.command == "engine":
            return {"demo": _demo, "info": _info}[args.engine_command](args)
        if args.command == "levels":
            return _levels(args)
        if args.command == "replay":
            return _replay(args)
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
