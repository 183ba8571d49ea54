"""Getting a level's network for play: load the cached weights, or train them in the background with
progress the loading screen can show, and a cancel that really stops the training.

Progress comes in two kinds: ``building`` while training data is generated (reported at least every
0.1 s, and Esc stops it there), then ``progress`` from the training loop (which polls the cancel flag
before every step, so Esc stops training within one step too). Whatever happens in the worker
thread ends in a state the screen can leave: DONE, CANCELLED, or FAILED with the error in words; an
unexpected exception is a FAILED job, never a thread that died while the screen waits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from lstm_engine import EngineError, ModelFileError, TrainingCancelled

from ..levels.generator import BuildProgress, observe_building
from ..levels.schema import Level
from ..levels.training import ensure_model, stop_when
from ..strings import t

RUNNING, DONE, CANCELLED, FAILED = "running", "done", "cancelled", "failed"


class TrainingJob:
    def __init__(self, level: Level, ensure: Callable = ensure_model, background: bool = True):
        self.level = level
        self._ensure = ensure
        self.state = RUNNING
        self.progress = None  # the latest lstm_engine TrainProgress (None while loading)
        self.trained = False  # True once a progress report arrived: training, not loading
        self.building: BuildProgress | None = None  # training data being built (before and between steps)
        self.model = None
        self.where = ""
        self.error = ""
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"train {level.id}", daemon=True)
        if background:
            self._thread.start()
        else:
            self._run()

    def _on_progress(self, p) -> bool:
        self.progress, self.trained = p, True
        return not self._cancel.is_set()  # False stops the training loop (TrainingCancelled)

    def _on_building(self, b: BuildProgress) -> bool:
        self.building, self.trained = b, True
        return not self._cancel.is_set()  # False stops the build (TrainingCancelled)

    def _run(self) -> None:
        try:
            with observe_building(self._on_building), stop_when(self._cancel.is_set):
                model, _report, where = self._ensure(self.level, progress=self._on_progress)
        except TrainingCancelled:
            self.state = CANCELLED
        except (EngineError, ModelFileError, OSError, ValueError) as e:
            self.error, self.state = t("loading.error", level=self.level.id, error=e), FAILED
        except Exception as e:  # noqa: BLE001 - a bug or MemoryError: an error on screen, never a hang
            self.error = t("loading.error", level=self.level.id, error=f"{type(e).__name__}: {e}")
            self.state = FAILED
        else:
            self.model, self.where, self.state = model, where, DONE
        finally:
            if self.state == RUNNING:  # the worker ends however it ends: never a screen waiting forever
                self.error = self.error or t("loading.error", level=self.level.id, error="stopped")
                self.state = FAILED

    @property
    def fraction(self) -> float:
        if self.state == DONE:
            return 1.0
        return self.progress.fraction if self.progress is not None else 0.0

    @property
    def building_data(self) -> bool:
        """Training data is being built now (before the first training report, or a new stage's)."""
        return self.building is not None and self.building.done < self.building.total

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)
