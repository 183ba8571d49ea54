"""Level intro: the concept the level teaches, its text, a small diagram, and how to start."""

from __future__ import annotations

import pygame

from ...controllers.level_select import Row
from ...controllers.menu import Item, Menu
from .. import chrome, draw, theme
from ..menu_view import MenuScene, draw_menu
from ..scenes import Scene
from .title import TitleScene

MENU_W = 400


class IntroScene(MenuScene, Scene):
    MENU_W = MENU_W
    name = "intro"

    def __init__(self, app, row: Row, model, then: str | None = None):
        super().__init__(app)
        self.row, self.model, self.then = row, model, then
        self.menu = Menu(
            [
                Item("play", "Play"),
                Item("model", "Watch the trained network play"),
                Item("solution", "Watch the intended solution"),
                Item("back", "Back to the levels"),
            ]
        )
        if then in ("model", "solution"):
            self.menu.focus = self.menu.index(then)

    def menu_pos(self):
        w, h = self.app.screen.get_size()
        return (w - MENU_W - 48, h - chrome.FOOTER_H - 4 * 60 - 24)

    def choose(self, key) -> None:
        from .play import PlayScene

        if key == "back":
            self.app.stack.pop()
        elif key:
            self.app.stack.replace(PlayScene(self.app, self.row, self.model, None if key == "play" else key))

    def draw(self, surface) -> None:
        w, h = surface.get_size()
        level = self.row.level
        surface.fill(theme.BG)
        chrome.header(surface, f"{self.row.number}. {level.title}", self.row.pack)
        left = pygame.Rect(
            48, chrome.HEADER_H + 32, w - MENU_W - 144, h - chrome.HEADER_H - chrome.FOOTER_H - 64
        )
        y = left.y
        y += draw.paragraph(
            surface, level.concept, pygame.Rect(left.x, y, left.width, 120), 24, theme.FOCUS, "bold"
        )
        y += 20
        y += draw.paragraph(
            surface, level.intro, pygame.Rect(left.x, y, left.width, left.bottom - y - 150), 19
        )
        self.draw_diagram(
            surface, pygame.Rect(left.x, max(y + 24, left.bottom - 120), min(640, left.width), 110)
        )
        draw_menu(surface, self.menu, self.menu_pos(), MENU_W)
        chrome.footer(surface, [("↑↓", "choose"), ("Enter", "start"), ("Esc", "back"), ("F1", "keys")])

    def draw_diagram(self, surface, rect) -> None:
        """The belt with its valves, and what the level asks of them (from its intended solution)."""
        TitleScene.draw_belt(surface, pygame.Rect(rect.x, rect.y, rect.width, 36))
        labels = (
            ("forget", "keep (1) or wipe (0)"),
            ("input", "write the word (1)"),
            ("output", "reveal (1)"),
        )
        third = rect.width // 3
        for k, (gate, what) in enumerate(labels):
            cx = rect.x + third * k + third // 2
            draw.text(
                surface,
                f"{theme.GATE_SYMBOLS[gate]} {gate}",
                (cx, rect.y + 58),
                16,
                theme.GATE_COLOURS[gate],
                "bold",
                "center",
            )
            draw.text(
                surface, draw.fit(what, 14, third - 8), (cx, rect.y + 80), 14, theme.DIM, anchor="center"
            )
