"""The help overlay: every key of the game, over whatever screen is open."""

from __future__ import annotations

import pygame

from ...strings import t
from .. import draw, theme
from ..actions import Act, Input
from ..scenes import Scene


def key_table() -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(keys, what they do), ...]) in the active language (built when drawn, so a change of
    language shows at once)."""
    return [
        (
            t("help.section.play"),
            [
                (t("help.play.step.keys"), t("help.play.step")),
                (t("help.play.slot.keys"), t("help.play.slot")),
                (t("help.play.gate.keys"), t("help.play.gate")),
                (t("help.play.nudge.keys"), t("help.play.nudge")),
                (t("help.play.full.keys"), t("help.play.full")),
                (t("help.play.presets.keys"), t("help.play.presets")),
                (t("help.play.undo.keys"), t("help.play.undo")),
                (t("help.play.redo.keys"), t("help.play.redo")),
                (t("help.play.hint.keys"), t("help.play.hint")),
                (t("help.play.autoplay.keys"), t("help.play.autoplay")),
                (t("help.play.speed.keys"), t("help.play.speed")),
                (t("help.play.leave.keys"), t("help.play.leave")),
            ],
        ),
        (
            t("help.section.everywhere"),
            [
                (t("help.all.menus.keys"), t("help.all.menus")),
                (t("help.all.back.keys"), t("help.all.back")),
                (t("help.all.help.keys"), t("help.all.help")),
                (t("help.all.mouse.keys"), t("help.all.mouse")),
            ],
        ),
    ]


class HelpScene(Scene):
    name = "help"
    overlay = True

    def raw(self, event) -> bool:
        if event.type == pygame.MOUSEBUTTONUP:
            self.app.stack.pop()
            return True
        return event.type in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONDOWN)

    def handle(self, inp) -> None:
        if isinstance(inp, Input) and inp.act in (Act.BACK, Act.HELP, Act.CONFIRM, Act.STEP):
            self.app.stack.pop()

    def draw(self, surface) -> None:
        w, h = surface.get_size()
        shade = pygame.Surface((w, h), pygame.SRCALPHA)
        shade.fill((0, 0, 0, 170))
        surface.blit(shade, (0, 0))
        box = pygame.Rect(0, 0, min(900, w - 60), min(620, h - 40))
        box.center = (w // 2, h // 2)
        draw.panel(surface, box, theme.PANEL, border=theme.FOCUS)
        draw.text(surface, t("help.title"), (box.x + 28, box.y + 18), 26, theme.FOCUS, "bold")
        y = box.y + 64
        col = box.x + 28 + 250
        for section, rows in key_table():
            draw.text(surface, section, (box.x + 28, y), 19, theme.TEXT, "bold")
            y += 30
            for key, what in rows:
                draw.text(surface, key, (box.x + 40, y), 16, theme.FOCUS, "bold")
                draw.text(surface, draw.fit(what, 16, box.right - col - 24), (col, y), 16, theme.TEXT)
                y += 24
            y += 10
        draw.text(
            surface,
            t("help.close"),
            (box.centerx, box.bottom - 22),
            15,
            theme.DIM,
            anchor="center",
        )
