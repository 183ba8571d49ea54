"""The frame every screen shares: a header with the screen's title and a footer listing its keys."""

from __future__ import annotations

import pygame

from . import draw, theme

HEADER_H, FOOTER_H = 56, 40


def header(surface, title: str, right: str = "") -> None:
    w = surface.get_width()
    pygame.draw.rect(surface, theme.PANEL, (0, 0, w, HEADER_H))
    r = draw.text(surface, "GATEKEEPER", (24, HEADER_H // 2), 16, theme.FOCUS, "bold", "midleft")
    right_w = 0
    if right:
        right = draw.fit(right, 18, w // 3)
        right_w = draw.text(surface, right, (w - 24, HEADER_H // 2), 18, theme.DIM, anchor="midright").width
    room = w - 24 - right_w - 24 - (r.right + 20)
    draw.text(
        surface, draw.fit(title, 22, room, "bold"), (r.right + 20, HEADER_H // 2), 22, theme.TEXT, "bold", "midleft"
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
    x = 24
    for key, label in keys:
        kimg = draw.rendered(key, 15, theme.BG, "bold")
        limg = draw.rendered(label, 15, theme.DIM)
        need = kimg.get_width() + 12 + 6 + limg.get_width() + 22
        if x + need > w - 16:
            break
        box = pygame.Rect(x, y + 9, kimg.get_width() + 12, FOOTER_H - 18)
        pygame.draw.rect(surface, theme.DIM, box, border_radius=4)
        surface.blit(kimg, kimg.get_rect(center=box.center))
        surface.blit(limg, limg.get_rect(midleft=(box.right + 6, box.centery)))
        x += need
