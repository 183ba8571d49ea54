"""The frame every screen shares: a header with the screen's title and a footer listing its keys."""

from __future__ import annotations

import pygame

from ..strings import t
from . import draw, theme

HEADER_H, FOOTER_H = 56, 40


def header(surface, title: str, right: str = "") -> None:
    w = surface.get_width()
    pygame.draw.rect(surface, theme.PANEL, (0, 0, w, HEADER_H))
    r = draw.text(surface, t("app.name"), (24, HEADER_H // 2), 16, theme.FOCUS, "bold", "midleft")
    right_w = 0
    if right:
        right = draw.fit(right, 18, w // 3)
        right_w = draw.text(surface, right, (w - 24, HEADER_H // 2), 18, theme.DIM, anchor="midright").width
    room = w - 24 - right_w - 24 - (r.right + 20)
    draw.text(
        surface,
        draw.fit(title, 22, room, "bold"),
        (r.right + 20, HEADER_H // 2),
        22,
        theme.TEXT,
        "bold",
        "midleft",
    )


def footer(surface, keys: list[tuple[str, str]], message: str = "") -> None:
    """Key hints at the bottom: [("Space", "read the word"), ...], or a message in their place."""
    w, h = surface.get_size()
    y = h - FOOTER_H
    pygame.draw.rect(surface, theme.PANEL, (0, y, w, FOOTER_H))
    if message:
        draw.text(
            surface, draw.fit(message, 17, w - 48), (24, y + FOOTER_H // 2), 17, theme.FOCUS, anchor="midleft"
        )
        return
    # all hints at 15 px if they fit, else at 13 px; if still too many, the last ones (help, back)
    # stay and middle ones give way
    for size, gap in ((15, 22), (13, 14)):
        widths = [_hint_width(key, label, size, gap) for key, label in keys]
        if sum(widths) <= w - 40:
            break
    shown = list(keys)
    while len(shown) > 2 and sum(_hint_width(k, lbl, size, gap) for k, lbl in shown) > w - 40:
        del shown[len(shown) - 3]
    x = 24
    for key, label in shown:
        kimg = draw.rendered(key, size, theme.BG, "bold")
        box = pygame.Rect(x, y + 9, kimg.get_width() + 12, FOOTER_H - 18)
        pygame.draw.rect(surface, theme.DIM, box, border_radius=4)
        surface.blit(kimg, kimg.get_rect(center=box.center))
        draw.text(surface, label, (box.right + 6, box.centery), size, theme.DIM, anchor="midleft")
        x += _hint_width(key, label, size, gap)


def _hint_width(key: str, label: str, size: int, gap: int) -> int:
    return draw.font(size, "bold").size(key)[0] + 12 + 6 + draw.font(size).size(label)[0] + gap
