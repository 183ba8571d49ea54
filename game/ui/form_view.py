"""How a Form (game/controllers/classroom.py) looks: one column of labelled text fields and buttons,
the focused one ringed; rows that do not fit scroll so the focused row is always shown. Keyboard and
mouse for a screen whose main control is a form (mixed into a Scene, like menu_view.MenuScene)."""

from __future__ import annotations

import pygame

from ..controllers.classroom import Field, Form
from . import draw, theme

ROW_H, GAP, LABEL_W = 40, 8, 170


def visible(form: Form, rect: pygame.Rect) -> tuple[int, int]:
    """(first, count) of the rows shown in ``rect``: a window that holds the focused row."""
    n = max(1, (rect.height + GAP) // (ROW_H + GAP))
    first = 0 if len(form.rows) <= n else min(max(0, form.focus - n + 2), len(form.rows) - n)
    return first, min(n, len(form.rows) - first)


def row_rects(form: Form, rect: pygame.Rect) -> list[tuple[int, pygame.Rect]]:
    first, count = visible(form, rect)
    return [(first + k, pygame.Rect(rect.x, rect.y + k * (ROW_H + GAP), rect.width, ROW_H))
            for k in range(count)]


def tail_fit(text: str, size: int, width: int) -> str:
    """The end of ``text`` that fits ``width`` (what is being typed stays in view), "…" before it."""
    font = draw.font(size)
    if font.size(text)[0] <= width:
        return text
    lo = 0
    while lo < len(text) and font.size("…" + text[lo:])[0] > width:
        lo += max(1, (len(text) - lo) // 8)
    return "…" + text[lo:]


def draw_form(surface, form: Form, rect: pygame.Rect, size: int = 18) -> int:
    """Draw the rows that fit; returns the y below the last one drawn."""
    bottom = rect.y
    first, count = visible(form, rect)
    for k, r in row_rects(form, rect):
        row = form.rows[k]
        focused = k == form.focus
        if isinstance(row, Field):
            draw.text(surface, draw.fit(row.label, size, LABEL_W - 12), (r.x, r.centery), size, theme.TEXT,
                      "bold", "midleft")
            box = pygame.Rect(r.x + LABEL_W, r.y, r.width - LABEL_W, r.height)
            draw.panel(surface, box, theme.PANEL_HI if focused else theme.PANEL)
            if focused:
                draw.focus_ring(surface, box)
            room = box.width - 28
            if row.text:
                shown = tail_fit(row.text, size, room)
                t = draw.text(surface, shown, (box.x + 12, box.centery), size, theme.TEXT, anchor="midleft")
            else:
                t = pygame.Rect(box.x + 12, box.centery, 0, 0)
                draw.text(surface, draw.fit(row.placeholder, size, room), (box.x + 12, box.centery), size,
                          theme.DIM, anchor="midleft")
            if focused:
                x = t.right + 2
                pygame.draw.line(surface, theme.FOCUS, (x, box.y + 9), (x, box.bottom - 9), 2)
        else:
            draw.button(surface, r, draw.fit(row.label, size, r.width - 28, "bold"), focused=focused,
                        enabled=row.enabled, size=size)
        bottom = r.bottom
    if first > 0:
        draw.text(surface, "▲", (rect.right + 12, rect.y + 8), 14, theme.DIM, anchor="center")
    if first + count < len(form.rows):
        draw.text(surface, "▼", (rect.right + 12, bottom - 8), 14, theme.DIM, anchor="center")
    return bottom


class FormScene:
    """Keyboard and mouse for a screen whose main control is a form. A screen provides
    ``current_form()``, ``form_rect()`` and ``choose(key)``; Esc calls ``back()``."""

    def current_form(self) -> Form:
        return self.form

    @property
    def typing(self) -> bool:
        return self.current_form().typing

    def back(self) -> None:
        self.app.stack.pop()

    def raw(self, event) -> bool:
        if event.type not in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONUP):
            return False
        form = self.current_form()
        for k, r in row_rects(form, self.form_rect()):
            if r.collidepoint(event.pos):
                if event.type == pygame.MOUSEBUTTONUP and event.button == 1:
                    form.point(k)
                    if form.focus == k and not isinstance(form.rows[k], Field):
                        key = form.confirm()
                        if key:
                            self.choose(key)
                elif not isinstance(form.rows[k], Field):
                    form.point(k)
        return True

    def handle(self, inp) -> None:
        from .actions import Act, Input, TextInput

        form = self.current_form()
        if isinstance(inp, TextInput):
            form.type(inp.text)
            return
        if not isinstance(inp, Input):
            return
        if inp.act == Act.UP:
            form.move(-1)
        elif inp.act == Act.DOWN:
            form.move(1)
        elif inp.act == Act.UNDO and form.typing:
            form.erase()
        elif inp.act in (Act.CONFIRM, Act.STEP) and inp.value is None:
            key = form.confirm()
            if key:
                self.choose(key)
        elif inp.act == Act.BACK:
            self.back()
        else:
            self.other(inp)

    def other(self, inp) -> None:
        """Input a form does not use (a screen may give it a meaning)."""
