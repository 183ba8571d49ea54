"""The help overlay: every key of the game, over whatever screen is open."""

from __future__ import annotations

import pygame

from .. import draw, theme
from ..actions import Act, Input
from ..scenes import Scene

KEYS = [
    (
        "Playing a level",
        [
            ("Space or Enter", "read the word with these gates (step)"),
            ("Tab / Shift+Tab, 1–9", "choose the slot"),
            ("↑ ↓", "choose the gate: forget, input, output"),
            ("← → or − +", "close / open the chosen gate by 0.1"),
            ("Home / End", "shut / open the chosen gate fully"),
            ("K  W  E  R", "presets: keep, write, erase, reveal"),
            ("Backspace, Ctrl+Z", "undo"),
            ("Ctrl+Y, Ctrl+Shift+Z", "redo"),
            ("H", "hint: the trained network's gates here (−5 points)"),
            ("A", "let the trained network play / take over again"),
            ("P, [ ]", "pause autoplay, slower / faster"),
            ("Esc twice", "leave the level"),
        ],
    ),
    (
        "Everywhere",
        [
            ("↑ ↓, Enter", "move and choose in menus"),
            ("Esc", "back"),
            ("F1 or ?", "this help"),
            ("Mouse", "click menus, drag the sliders"),
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
        draw.text(surface, "Keys", (box.x + 28, box.y + 18), 26, theme.FOCUS, "bold")
        y = box.y + 64
        col = box.x + 28 + 250
        for section, rows in KEYS:
            draw.text(surface, section, (box.x + 28, y), 19, theme.TEXT, "bold")
            y += 30
            for key, what in rows:
                draw.text(surface, key, (box.x + 40, y), 16, theme.FOCUS, "bold")
                draw.text(surface, draw.fit(what, 16, box.right - col - 24), (col, y), 16, theme.TEXT)
                y += 24
            y += 10
        draw.text(
            surface,
            "Esc, Enter or F1 closes this.",
            (box.centerx, box.bottom - 22),
            15,
            theme.DIM,
            anchor="center",
        )
