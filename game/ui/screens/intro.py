"""Level intro: the concept the level teaches, its text, a small diagram, and how to start."""

from __future__ import annotations

import pygame

from ...controllers.level_select import Row
from ...controllers.menu import Item, Menu
from ...strings import t
from .. import chrome, draw, theme
from ..menu_view import MenuScene, draw_menu
from ..scenes import Scene
from ..views.controls import gate_name
from .title import TitleScene

MENU_W = 400
DIAGRAM_H = 108  # the belt, the gates' names and two lines of what each does


class IntroScene(MenuScene, Scene):
    MENU_W = MENU_W
    name = "intro"

    def __init__(self, app, row: Row, model, then: str | None = None):
        super().__init__(app)
        self.row, self.model, self.then = row, model, then
        self.menu = Menu(
            [
                Item("play", t("intro.play")),
                Item("model", t("intro.watch_model")),
                Item("solution", t("intro.watch_solution")),
                Item("back", t("intro.back")),
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
        chrome.header(surface, t("level.numbered", number=self.row.number, title=level.title), self.row.pack)
        left = pygame.Rect(
            48, chrome.HEADER_H + 32, w - MENU_W - 144, h - chrome.HEADER_H - chrome.FOOTER_H - 64
        )
        y = left.y
        # the concept in full: a smaller size when a narrow window needs more than three lines
        size = next(
            (z for z in (24, 21, 18) if len(draw.wrap(level.concept, z, left.width, "bold")) <= 3), 16
        )
        y += draw.paragraph(
            surface, level.concept, pygame.Rect(left.x, y, left.width, 120), size, theme.FOCUS, "bold"
        )
        y += 20
        room = pygame.Rect(left.x, y, left.width, left.bottom - y - DIAGRAM_H - 24)
        # the text in full: smaller type in a small window rather than a cut
        sizes = (19, 17, 16, 15)
        fits = [z for z in sizes if len(draw.wrap(level.intro, z, room.width)) * int(z * 1.3) <= room.height]
        body = fits[0] if fits else sizes[-1]
        y += draw.paragraph(surface, level.intro, room, body)
        self.draw_diagram(
            surface,
            pygame.Rect(left.x, max(y + 24, left.bottom - DIAGRAM_H), min(640, left.width), DIAGRAM_H),
        )
        draw_menu(surface, self.menu, self.menu_pos(), MENU_W)
        chrome.footer(
            surface,
            [
                ("↑↓", t("footer.choose")),
                (t("key.enter"), t("footer.start")),
                (t("key.esc"), t("footer.back")),
                ("F1", t("footer.keys")),
            ],
        )

    def draw_diagram(self, surface, rect) -> None:
        """The belt with its valves, and what the level asks of them (from its intended solution)."""
        if self.row.level.network.cell != "lstm":  # a GRU or plain RNN has no belt: the play screen shows it
            return
        TitleScene.draw_belt(surface, pygame.Rect(rect.x, rect.y, rect.width, 36))
        labels = (
            ("forget", t("intro.diagram.forget")),
            ("input", t("intro.diagram.input")),
            ("output", t("intro.diagram.output")),
        )
        third = rect.width // 3
        for k, (gate, what) in enumerate(labels):
            cx = rect.x + third * k + third // 2
            draw.text(
                surface,
                t("gate.label", symbol=theme.GATE_SYMBOLS[gate], gate=gate_name(gate)),
                (cx, rect.y + 58),
                16,
                theme.GATE_COLOURS[gate],
                "bold",
                "center",
            )
            lines = draw.wrap(what, 14, third - 8)[:2]
            for k, line in enumerate(lines):
                draw.text(surface, line, (cx, rect.y + 72 + 17 * k), 14, theme.DIM, anchor="midtop")
