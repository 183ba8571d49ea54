"""The lab screen's state, without pygame: the shipped results, the chosen task, the "run it now"
choices and job, the player's own points, and the sentences the numbers support.

"Run it now" trains one cell at one lag in a worker thread (game/lab/runs.run, the lab's one budget);
Esc cancels through the training loop's progress callback, which is called every 50 steps (a few
hundredths of a second), so a cancel takes effect within a moment. Whatever happens in the worker ends
in DONE, CANCELLED or FAILED (with the error in words).

The summary says only what the shown numbers say: accuracy at the longest lag shown, the longest lag
each cell solved (or that it solved none), and the gradient norm at the longest distance measured. The
paper's results are quoted as the paper's (Hochreiter & Schmidhuber 1997), never as the lab's.
"""

from __future__ import annotations

import threading

from ..lab.limits import CELLS, DEFAULT_GAPS, TASKS
from ..lab.results import GradientPoint, ResultsError, RunResult, TaskResults, load
from ..safe_io import FileRefused, JSONRefused
from ..strings import t

RUNNING, DONE, CANCELLED, FAILED = "running", "done", "cancelled", "failed"
SOLVED_PERCENT = 95  # game/lab/runs.SOLVED, as a percentage (a test keeps them equal)
BUDGET_STEPS, BUDGET_BATCH = 3000, 32  # game/lab/runs.MAX_STEPS and BATCH (the same test)
CELL_NAMES = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}


class LabJob:
    """Train one cell at one lag in the background; ``cancel()`` stops it at the next progress report."""

    def __init__(self, cell: str, task: str, gap: int, seed: int = 0, runner=None, background: bool = True):
        self.cell, self.task, self.gap, self.seed = cell, task, gap, seed
        self.state, self.fraction, self.accuracy = RUNNING, 0.0, None
        self.result: RunResult | None = None
        self.error = ""
        self._runner = runner
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lab {cell} {gap}", daemon=True)
        if background:
            self._thread.start()
        else:
            self._run()

    def _progress(self, p) -> bool:
        self.fraction = min(1.0, p.step / max(1, p.max_steps))
        self.accuracy = p.held_out_accuracy
        return not self._cancel.is_set()

    def _run(self) -> None:
        try:
            from lstm_engine import TrainingCancelled  # loads NumPy: only when a run is asked for

            run = self._runner
            if run is None:
                from ..lab.runs import run
            try:
                self.result, _ = run(self.cell, self.task, self.gap, self.seed, progress=self._progress)
            except TrainingCancelled:
                self.state = CANCELLED
                return
            self.fraction, self.state = 1.0, DONE
        except Exception as e:  # noqa: BLE001 - a bug or MemoryError: words on screen, never a hang
            self.error, self.state = t("lab.run.error", error=f"{type(e).__name__}: {e}"), FAILED
        finally:
            if self.state == RUNNING:
                self.error, self.state = self.error or t("lab.run.error", error="stopped"), FAILED

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)


class Lab:
    def __init__(self, loader=load):
        self.results: dict[str, TaskResults] = {}
        self.error = ""
        try:
            self.results = loader()
        except (OSError, FileRefused, JSONRefused, ResultsError) as e:
            self.error = t("lab.no_results", error=e)
        tasks = [k for k in TASKS if k in self.results] or ["adding"]
        self.tasks = tasks
        self.task = tasks[0]
        self.cell, self.gap = "lstm", 50
        self.yours: list[RunResult] = []
        self.job: LabJob | None = None

    # -- choices -----------------------------------------------------------------------------------
    @property
    def shown(self) -> TaskResults | None:
        return self.results.get(self.task)

    def gaps(self) -> tuple[int, ...]:
        shown = self.shown
        return tuple(sorted({r.gap for r in shown.runs})) if shown and shown.runs else DEFAULT_GAPS

    def step(self, what: str, direction: int) -> None:
        """Cycle the task, the cell or the lag of "run it now" (not while a run is going)."""
        if self.running:
            return
        if what == "task":
            self.task = self.tasks[(self.tasks.index(self.task) + direction) % len(self.tasks)]
        elif what == "cell":
            self.cell = CELLS[(CELLS.index(self.cell) + direction) % len(CELLS)]
        elif what == "gap":
            gaps = self.gaps()  # a lag the shown results do not have goes to their first
            self.gap = gaps[(gaps.index(self.gap) + direction) % len(gaps)] if self.gap in gaps else gaps[0]

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.state == RUNNING

    def next_seed(self) -> int:
        """The shipped runs use seed 0; yours use 1, 2, ... per cell, task and lag: a fresh draw each time,
        so a run shows how much another seed changes (the same seed would only repeat the shipped point)."""
        return 1 + sum(1 for r in self.yours if (r.cell, r.task, r.gap) == (self.cell, self.task, self.gap))

    def start(self, runner=None, background: bool = True) -> None:
        if not self.running:
            self.job = LabJob(self.cell, self.task, self.gap, self.next_seed(), runner=runner,
                              background=background)
            self.collect()

    def cancel(self) -> None:
        if self.running:
            self.job.cancel()

    def collect(self) -> None:
        """Add a finished run to the player's points (once)."""
        job = self.job
        if job is not None and job.state == DONE and job.result is not None and job.result not in self.yours:
            self.yours.append(job.result)

    def yours_shown(self) -> list[RunResult]:
        return [r for r in self.yours if r.task == self.task]

    # -- what the numbers say ------------------------------------------------------------------------
    def summary(self) -> list[str]:
        shown = self.shown
        if shown is None:
            return []
        lines = []
        runs = [r for r in shown.runs if r.seed == 0]
        if runs:
            longest = max(r.gap for r in runs)
            at = {r.cell: r for r in runs if r.gap == longest}
            parts = ", ".join(t("lab.sum.cell_percent", cell=CELL_NAMES[c], percent=100 * at[c].accuracy)
                              for c in CELLS if c in at)
            lines.append(t("lab.sum.accuracy", lag=longest, cells=parts, solved=SOLVED_PERCENT))
            solved = []
            for c in CELLS:
                mine = [r for r in runs if r.cell == c]
                if not mine:
                    continue
                best = max((r.gap for r in mine if r.solved), default=None)
                solved.append(t("lab.sum.solved_to", cell=CELL_NAMES[c], lag=best) if best is not None
                              else t("lab.sum.solved_none", cell=CELL_NAMES[c]))
            lines.append(t("lab.sum.solved", cells=", ".join(solved)))
        if shown.gradients:
            far = max(g.distance for g in shown.gradients)
            lines.append(t("lab.sum.gradient", distance=far,
                           before=self._norms(shown.gradients, far, False),
                           after=self._norms(shown.gradients, far, True)))
        if runs:
            weights = round(sum(r.parameters for r in runs) / len(runs), -2)
            lines.append(t("lab.sum.one_seed", weights=f"{weights:,.0f}", steps=f"{BUDGET_STEPS:,}",
                           batch=BUDGET_BATCH))
        return lines

    @staticmethod
    def _norms(points: tuple[GradientPoint, ...], distance: int, trained: bool) -> str:
        at = {g.cell: g.norm for g in points if g.distance == distance and g.trained == trained}
        return ", ".join(t("lab.sum.cell_norm", cell=CELL_NAMES[c], norm=at[c]) for c in CELLS if c in at)

    def paper(self) -> str:
        return t("lab.paper")
