"""How a Menu (game/controllers/menu.py) looks and where its items are (for the mouse)."""

from __future__ import annotations

import pygame

from ..controllers.menu import Menu
from . import draw, theme

ITEM_H, GAP = 48, 12


def item_rects(menu: Menu, top_left, width: int, item_h: int = ITEM_H) -> list[pygame.Rect]:
    x, y = top_left
    gap = GAP * item_h // ITEM_H
    return [pygame.Rect(x, y + k * (item_h + gap), width, item_h) for k in range(len(menu.items))]


def menu_height(n: int, item_h: int = ITEM_H) -> int:
    return n * (item_h + GAP * item_h // ITEM_H)


def hit(menu: Menu, top_left, width: int, pos, item_h: int = ITEM_H) -> int | None:
    for k, r in enumerate(item_rects(menu, top_left, width, item_h)):
        if r.collidepoint(pos):
            return k
    return None


def draw_menu(
    surface,
    menu: Menu,
    top_left,
    width: int,
    size: int = 20,
    item_h: int = ITEM_H,
    detail_rect: pygame.Rect | None = None,
) -> pygame.Rect:
    """The menu's buttons, and the focused item's description under them (or in ``detail_rect``)."""
    rects = item_rects(menu, top_left, width, item_h)
    for k, (item, r) in enumerate(zip(menu.items, rects, strict=True)):
        draw.button(surface, r, item.label, focused=k == menu.focus, enabled=item.enabled, size=size)
    last = rects[-1]
    detail = menu.focused.detail
    if detail:
        room = detail_rect or pygame.Rect(last.x, last.bottom + 16, width, 60)
        draw.paragraph(surface, detail, room, 16, theme.DIM)
    return pygame.Rect(top_left[0], top_left[1], width, last.bottom - top_left[1])


def handle_mouse(menu: Menu, event, top_left, width: int, item_h: int = ITEM_H) -> str | None:
    """Hover focuses an item, a click chooses it (returns its key)."""
    if event.type == pygame.MOUSEMOTION:
        k = hit(menu, top_left, width, event.pos, item_h)
        if k is not None:
            menu.point(k)
    elif event.type == pygame.MOUSEBUTTONUP and event.button == 1:
        k = hit(menu, top_left, width, event.pos, item_h)
        if k is not None and menu.items[k].enabled:
            menu.point(k)
            return menu.choose()
    return None


class MenuScene:
    """Keyboard and mouse for a screen whose main control is one menu (mixed into a Scene).

    A screen provides ``current_menu()``, ``menu_pos()``, ``MENU_W`` and ``choose(key)``; Esc calls
    ``back()`` (default: leave the screen)."""

    MENU_W = 400
    MENU_ITEM_H = ITEM_H

    def current_menu(self) -> Menu:
        return self.menu

    def menu_width(self) -> int:
        return self.MENU_W

    def back(self) -> None:
        self.app.stack.pop()

    def raw(self, event) -> bool:
        if event.type not in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONUP):
            return False
        key = handle_mouse(self.current_menu(), event, self.menu_pos(), self.menu_width(), self.MENU_ITEM_H)
        if key:
            self.choose(key)
        return True

    def handle(self, inp) -> None:
        from .actions import Act, Input

        if not isinstance(inp, Input):
            return
        menu = self.current_menu()
        if inp.act == Act.UP:
            menu.move(-1)
        elif inp.act == Act.DOWN:
            menu.move(1)
        elif inp.act in (Act.CONFIRM, Act.STEP) and inp.value is None:
            key = menu.choose()
            if key:
                self.choose(key)
        elif inp.act == Act.BACK:
            self.back()
        else:
            self.other(inp)

    def other(self, inp) -> None:
        """Input a menu does not use (a screen may give it a meaning)."""
