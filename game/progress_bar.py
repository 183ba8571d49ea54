"""A terminal progress bar fed by the engine's training progress callback."""

from __future__ import annotations

import sys
import time

from lstm_engine import TrainProgress


class TerminalProgress:
    """Call with each TrainProgress. Redraws one line on a terminal; elsewhere (CI logs, pipes)
    prints at most one line every few seconds so logs stay readable."""

    def __init__(self, label: str, stream=None, width: int = 28, every_seconds: float = 5.0):
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every, self._last = every_seconds, -1e9

    def __call__(self, p: TrainProgress) -> bool:
        filled = int(round(p.fraction * self.width))
        forced = "" if p.held_out_forced_accuracy is None else f" forced {p.held_out_forced_accuracy:6.1%}"
        tries = getattr(p, "seed_tries", 1)  # a level's training tries further seeds when one fails
        seed = f"seed {p.seed_try + 1} of {tries} " if tries > 1 else ""
        line = (f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {p.fraction:4.0%} {seed}"
                f"length {p.length} ({p.stage + 1}/{p.stages}) attempt {p.attempt + 1} of {p.attempts} "
                f"step {p.step} acc {p.held_out_accuracy:6.1%}{forced} {p.phase} {p.seconds:5.1f}s")
        if self.tty:
            self.stream.write("\r" + line[:150].ljust(150))
            self.stream.flush()
        elif time.monotonic() - self._last >= self.every or p.phase == "done":
            self._last = time.monotonic()
            print(line, file=self.stream, flush=True)
        return True

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
