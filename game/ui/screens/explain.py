"""The explanation panel: one number of the cell, its formula, the formula with this word's numbers and
what it means here. Opened with X (or a click on the cell drawing) on the play screen, and from the
results and comparison screens; arrows choose another number, , and . another word."""

from __future__ import annotations

import pygame

from ...controllers.explain import GATE_QUANTITIES, Explainer, Target, default_target, symbol
from ...strings import t
from .. import chrome, draw, theme
from ..actions import Act, Input
from ..scenes import Scene

PANEL_H = 250


def quantity_colour(q: str):
    if q in GATE_QUANTITIES:
        return theme.GATE_COLOURS[q]
    return {"candidate": theme.GATE_COLOURS["input"], "cell": theme.BELT_EDGE, "hidden": theme.HIDDEN}[q]


def panel_rect(size) -> pygame.Rect:
    w, h = size
    height = min(PANEL_H, max(190, h // 3))  # a short window keeps more of the cell in view
    return pygame.Rect(24, h - chrome.FOOTER_H - height - 10, w - 48, height)


class ExplainScene(Scene):
    name = "explain"
    overlay = True

    def __init__(
        self,
        app,
        session,
        t: int,
        movable: bool = False,
        target: Target | None = None,
        quantity: str = "forget",
    ):
        """target: the number to explain first; without one, ``quantity`` of slot 1 (default_target)."""
        super().__init__(app)
        self.ex = Explainer(session, t, movable, target)
        if target is None:
            if quantity not in self.ex.cursor.quantities:  # a GRU or plain RNN level: h is its memory
                quantity = "hidden" if quantity == "cell" else self.ex.cursor.quantities[0]
            self.ex.cursor.select(default_target(self.ex.snapshot, 0, quantity, session.S))

    def raw(self, event) -> bool:
        if event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            if not panel_rect(self.app.screen.get_size()).collidepoint(event.pos):
                self.app.stack.pop()  # a click outside closes the panel
            return True
        return event.type in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONDOWN)

    def handle(self, inp) -> None:
        if not isinstance(inp, Input):
            return
        c = self.ex.cursor
        moves = {
            Act.LEFT: c.left,
            Act.DECREASE: c.left,
            Act.RIGHT: c.right,
            Act.INCREASE: c.right,
            Act.UP: c.up,
            Act.DOWN: c.down,
            Act.NEXT_SLOT: c.next_slot,
            Act.PREV_SLOT: c.next_slot,
            Act.PREV_WORD: lambda: self.ex.word(-1),
            Act.NEXT_WORD: lambda: self.ex.word(1),
        }
        if inp.act in moves:
            moves[inp.act]()
        elif inp.act in (Act.BACK, Act.EXPLAIN, Act.CONFIRM, Act.STEP):
            self.app.stack.pop()

    def draw(self, surface) -> None:
        e = self.ex.explanation()
        q = self.ex.cursor.target.quantity
        r = panel_rect(surface.get_size())
        draw.panel(surface, r, theme.PANEL, border=theme.FOCUS)
        inner = r.inflate(-40, -28)
        x, y = inner.x, inner.y
        # the quantities as tabs, the chosen one marked (keyboard focus)
        tab_x = x
        for name in self.ex.cursor.quantities:
            label = symbol(name, self.ex.session.cell)
            chosen = name == q
            img = draw.rendered(label, 18, theme.BG if chosen else quantity_colour(name), "bold")
            box = pygame.Rect(tab_x, y, img.get_width() + 18, 26)
            if chosen:
                pygame.draw.rect(surface, quantity_colour(name), box, border_radius=5)
            else:
                pygame.draw.rect(surface, quantity_colour(name), box, 1, border_radius=5)
            draw.text(
                surface,
                label,
                box.center,
                18,
                theme.BG if chosen else quantity_colour(name),
                "bold",
                "center",
            )
            tab_x = box.right + 6
        title_box = pygame.Rect(tab_x + 10, y, inner.right - tab_x - 10, 26)
        draw.text(
            surface,
            draw.fit(e.title, 17, title_box.width, "bold"),
            (title_box.x, title_box.centery),
            17,
            theme.TEXT,
            "bold",
            "midleft",
            box=title_box,
        )
        y += 38
        colour = quantity_colour(q)
        half = (inner.width - 24) // 2
        formula_box = pygame.Rect(x, y, half, 30)
        plugged_box = pygame.Rect(x + half + 24, y, inner.right - x - half - 24, 30)
        draw.text(
            surface,
            draw.fit(e.formula, 22, formula_box.width),
            formula_box.topleft,
            22,
            colour,
            box=formula_box,
        )
        draw.text(
            surface,
            draw.fit(e.plugged, 22, plugged_box.width, "bold"),
            plugged_box.topleft,
            22,
            theme.TEXT,
            "bold",
            box=plugged_box,
        )
        y += 40
        rest = inner.bottom - y
        used = draw.paragraph(
            surface, e.meaning, pygame.Rect(x, y, inner.width, max(20, rest - 26)), 18, theme.TEXT
        )
        y += used + 6
        if e.model and inner.bottom - y >= 20:
            draw.paragraph(surface, e.model, pygame.Rect(x, y, inner.width, inner.bottom - y), 16, theme.DIM)
        keys = [
            ("← →", t("footer.number")),
            ("↑ ↓", t("footer.cell_or_slot")),
            (t("key.tab"), t("footer.slot")),
        ]
        if self.ex.movable:
            keys.append((", .", t("footer.word")))
        keys.append((t("key.esc_or_x"), t("footer.close")))
        chrome.footer(surface, keys)
