"""The sentence as a ribbon of word tiles: past words dimmed, the current one highlighted, blanks marked."""

from __future__ import annotations

from functools import lru_cache

import pygame

from .. import draw, theme

SIZE, PAD, GAP = 19, 12, 6


@lru_cache(maxsize=32)
def tile_xs(words: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """(x, width) of every tile from the ribbon's start."""
    f = draw.font(SIZE, "bold")
    out, x = [], 0
    for word in words:
        w = f.size(word)[0] + 2 * PAD
        out.append((x, w))
        x += w + GAP
    return tuple(out)


def scroll_for(words: tuple[str, ...], position: float, width: int) -> float:
    """Offset that keeps word ``position`` (fractional while the belt moves) a third from the left."""
    xs = tile_xs(words)
    k = max(0, min(len(xs) - 1, int(position)))
    frac = position - int(position)
    x = xs[k][0] + xs[k][1] / 2
    if frac and k + 1 < len(xs):
        x += frac * (xs[k + 1][0] + xs[k + 1][1] / 2 - x)
    total = xs[-1][0] + xs[-1][1]
    return max(0.0, min(x - width / 3, max(0.0, total - width)))


def draw_ribbon(
    surface, rect: pygame.Rect, words: tuple[str, ...], blanks: frozenset, current: int, position: float
) -> None:
    """current: the word being gated (len(words) once finished); position: where the view is centred."""
    draw.panel(surface, rect, theme.PANEL, radius=8)
    xs = tile_xs(words)
    off = rect.x + 10 - scroll_for(words, position, rect.width - 20)
    clip = surface.get_clip()
    surface.set_clip(rect.inflate(-6, -4))
    for k, (x, w) in enumerate(xs):
        left = off + x
        if left > rect.right:
            break
        if left + w < rect.x:
            continue
        tile = pygame.Rect(int(left), rect.y + 10, w, rect.height - 20)
        blank = k in blanks
        if k == current:
            pygame.draw.rect(surface, theme.PANEL_HI, tile, border_radius=6)
            pygame.draw.rect(surface, theme.FOCUS, tile, 3, border_radius=6)
            colour, style = theme.TEXT, "bold"
        elif k < current:
            colour, style = theme.FAINT, "regular"
        else:
            pygame.draw.rect(surface, theme.PANEL_HI, tile, 1, border_radius=6)
            colour, style = theme.DIM, "regular"
        if blank:
            pygame.draw.rect(
                surface, theme.GATE_COLOURS["output"], tile, 2 if k != current else 3, border_radius=6
            )
        draw.text(surface, words[k], tile.center, SIZE, colour, style, "center")
    surface.set_clip(clip)
