"""No command: the game window, or the headless screenshot demo."""

from __future__ import annotations

import argparse
import sys

from .errors import ReplayArgumentError


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ReplayArgumentError(f"--size must look like 1280x720, not {text!r}") from None
    if not (320 <= w <= 7680 and 240 <= h <= 4320):
        raise ReplayArgumentError(f"--size {text}: the window must be 320x240 to 7680x4320")
    return w, h


def run(parser: argparse.ArgumentParser, args) -> int:
    """The game window, or the headless screenshot demo."""
    size = _size(args.size)
    if args.screenshot is not None:
        if not args.level or not args.autoplay:
            parser.error("--screenshot needs --level ID and --autoplay model|solution")
        if args.frames < 1:
            parser.error("--frames must be at least 1")
        from ..ui.launch import headless_env

        headless_env()
        from ..ui.launch import LaunchError, demo

        try:
            shots = demo(args.level, args.autoplay, args.screenshot, args.frames, size)
        except LaunchError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        for path in shots:
            print(path)
        return 0
    from ..ui.launch import LaunchError, play

    try:
        play(size, args.level, args.autoplay)
    except LaunchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0
