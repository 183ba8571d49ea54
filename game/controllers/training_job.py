"""Getting a level's network for play: load the cached weights, or train them in the background with
progress the loading screen can show, and a cancel that really stops the training."""

from __future__ import annotations

import threading
from collections.abc import Callable

from lstm_engine import EngineError, ModelFileError, TrainingCancelled

from ..levels.schema import Level
from ..levels.training import ensure_model
from ..strings import t

RUNNING, DONE, CANCELLED, FAILED = "running", "done", "cancelled", "failed"


class TrainingJob:
    def __init__(self, level: Level, ensure: Callable = ensure_model, background: bool = True):
        self.level = level
        self._ensure = ensure
        self.state = RUNNING
        self.progress = None  # the latest lstm_engine TrainProgress (None while loading)
        self.trained = False  # True once a progress report arrived: training, not loading
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

    def _run(self) -> None:
        try:
            model, _report, where = self._ensure(self.level, progress=self._on_progress)
        except TrainingCancelled:
            self.state = CANCELLED
        except (EngineError, ModelFileError, OSError, ValueError) as e:
            self.error, self.state = t("loading.error", level=self.level.id, error=e), FAILED
        else:
            self.model, self.where, self.state = model, where, DONE

    @property
    def fraction(self) -> float:
        if self.state == DONE:
            return 1.0
        return self.progress.fraction if self.progress is not None else 0.0

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)
