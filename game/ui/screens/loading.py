"""Loading a level's network: instant when trained weights are cached, otherwise training with a
progress bar (first while its training sentences are written, then held-out accuracy and curriculum
stage); Esc cancels and returns to level select, at any moment, and after an error."""

from __future__ import annotations

import pygame

from ...controllers.level_select import Row
from ...controllers.training_job import CANCELLED, DONE, FAILED, TrainingJob
from ...strings import t
from .. import chrome, draw, theme
from ..actions import Act, Input
from ..scenes import Scene


class LoadingScene(Scene):
    name = "loading"

    def __init__(self, app, row: Row, then: str | None = None, background: bool = True):
        super().__init__(app)
        self.row, self.then, self.background = row, then, background
        self.cancelling = False

    def enter(self) -> None:
        self.job = TrainingJob(self.row.level, background=self.background)

    def leave(self) -> None:
        if self.job.state not in (DONE, FAILED, CANCELLED):
            self.job.cancel()

    def handle(self, inp) -> None:
        if not isinstance(inp, Input):
            return
        if inp.act == Act.BACK:
            if self.job.state == FAILED:
                self.app.stack.pop()
            else:
                self.cancelling = True
                self.job.cancel()

    def moving(self) -> bool:
        return self.job.state not in (FAILED, CANCELLED)  # the progress bar, and DONE moves on at once

    def update(self, dt: float) -> None:
        if self.job.state == DONE:
            from .intro import IntroScene

            self.app.stack.replace(IntroScene(self.app, self.row, self.job.model, self.then))
        elif self.job.state == CANCELLED:
            self.app.stack.pop()

    def draw(self, surface) -> None:
        w, h = surface.get_size()
        surface.fill(theme.BG)
        chrome.header(surface, self.row.title)
        cx = w // 2
        if self.job.state == FAILED:
            draw.text(
                surface, t("loading.failed"), (cx, h // 3), 26, theme.BAD, "bold", "center"
            )
            draw.paragraph(surface, self.job.error, pygame.Rect(cx - 400, h // 3 + 40, 800, 200), 17)
            chrome.footer(surface, [(t("key.esc"), t("footer.back_to_levels"))])
            return
        p = self.job.progress
        building = self.job.building if getattr(self.job, "building_data", False) else None
        if building is not None:
            title = t("loading.building")
        else:
            title = t("loading.training") if self.job.trained else t("loading.loading")
        draw.text(surface, title, (cx, h // 3), 28, theme.TEXT, "bold", "center")
        bar = pygame.Rect(cx - 320, h // 3 + 50, 640, 22)
        fraction = building.fraction if building else self.job.fraction
        draw.bar(surface, bar, fraction, theme.GATE_COLOURS["input"])
        if building is not None:
            line = t("loading.building_progress", percent=100 * building.fraction,
                     sentences=building.total // 2)
            draw.text(surface, draw.fit(line, 17, 900), (cx, bar.bottom + 28), 17, theme.DIM, anchor="center")
        elif p is not None:
            line = t(
                "loading.progress",
                percent=100 * fraction,
                attempt=p.attempt + 1,
                attempts=getattr(p, "attempts", 1),
                stage=p.stage + 1,
                stages=p.stages,
                steps=p.step,
                accuracy=100 * p.held_out_accuracy,
            )
            draw.text(surface, draw.fit(line, 17, 900), (cx, bar.bottom + 28), 17, theme.DIM, anchor="center")
            phase = {
                "learning": t("loading.phase.learning"),
                "annealing": t("loading.phase.annealing"),
                "done": t("loading.phase.done"),
            }.get(p.phase, p.phase)
            if getattr(p, "seed_try", 0) > 0:  # an earlier seed gave a network that is not playable
                phase += " · " + t("loading.seed", seed=p.seed_try + 1, tries=p.seed_tries)
            draw.text(surface, draw.fit(phase, 17, 900), (cx, bar.bottom + 56), 17, theme.DIM,
                      anchor="center")
        draw.paragraph(
            surface,
            t("loading.first_time"),
            pygame.Rect(cx - 320, h // 2 + 60, 640, 80),
            16,
            theme.FAINT,
        )
        chrome.footer(
            surface, [(t("key.esc"), t("footer.cancel"))], t("loading.cancelling") if self.cancelling else ""
        )
