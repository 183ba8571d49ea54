"""Drawing primitives with caches: fonts, rendered text and wrapped paragraphs are made once.

Everything here only draws; nothing changes game state.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from functools import lru_cache

import pygame

from . import theme


@lru_cache(maxsize=64)
def font(size: int, style: str = "regular") -> pygame.font.Font:
    return pygame.font.Font(str(theme.font_path(style)), size)


class _TextCache:
    def __init__(self, limit: int = 4096):
        self.limit = limit
        self._items: OrderedDict = OrderedDict()

    def get(self, text: str, size: int, colour, style: str) -> pygame.Surface:
        key = (text, size, tuple(colour), style)
        surf = self._items.get(key)
        if surf is None:
            surf = font(size, style).render(text, True, colour)
            self._items[key] = surf
            if len(self._items) > self.limit:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        return surf


_cache = _TextCache()


def rendered(text: str, size: int, colour=None, style: str = "regular") -> pygame.Surface:
    return _cache.get(text, size, theme.TEXT if colour is None else colour, style)


class TextAudit:
    """Records every piece of text drawn while active, with the box it was meant to stay inside —
    so tests can check at any UI scale that no text leaves its box, the window or overlaps other text."""

    def __init__(self):
        # (text, visible rect, its box or None, surface drawn on, layer: the scene drawing it)
        self.entries: list[tuple[str, pygame.Rect, pygame.Rect | None, pygame.Surface, int]] = []
        # (what, visible rect, surface, layer): drawings no text may cover (memory cells' squares)
        self.marks: list[tuple[str, pygame.Rect, pygame.Surface, int]] = []
        self.cuts: list[str] = []  # texts shortened with an ellipsis to fit (fit, paragraph)
        self.layer = 0

    def __enter__(self) -> TextAudit:
        _audits.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _audits.remove(self)


_audits: list[TextAudit] = []


def text(
    surface,
    s: str,
    pos,
    size: int = 18,
    colour=None,
    style: str = "regular",
    anchor: str = "topleft",
    box: pygame.Rect | None = None,
) -> pygame.Rect:
    """Draw one line; ``box``: the area it must stay inside (recorded for layout tests)."""
    img = rendered(s, size, colour, style)
    rect = img.get_rect(**{anchor: (int(pos[0]), int(pos[1]))})
    surface.blit(img, rect)
    for audit in _audits:
        visible = rect.clip(surface.get_clip())
        if visible.width and visible.height:
            audit.entries.append(
                (s, visible, None if box is None else pygame.Rect(box), surface, audit.layer)
            )
    return rect


def mark(surface, rect, what: str) -> None:
    """Record a drawing that text must not cover (for the layout tests; nothing is drawn)."""
    for audit in _audits:
        visible = pygame.Rect(rect).clip(surface.get_clip())
        if visible.width and visible.height:
            audit.marks.append((what, visible, surface, audit.layer))


def next_layer() -> None:
    """A new scene starts drawing over the last (an overlay): its text may cover what is under it."""
    for audit in _audits:
        audit.layer += 1


def fit(s: str, size: int, width: int, style: str = "regular") -> str:
    """The text, shortened with an ellipsis if it is wider than ``width``."""
    f = font(size, style)
    if f.size(s)[0] <= width:
        return s
    for audit in _audits:
        audit.cuts.append(s)
    while s and f.size(s + "…")[0] > width:
        s = s[:-1]
    return s + "…"


@lru_cache(maxsize=512)
def wrap(s: str, size: int, width: int, style: str = "regular") -> tuple[str, ...]:
    """Lines of at most ``width`` pixels (a word longer than the line is cut)."""
    f = font(size, style)
    lines: list[str] = []
    for para in s.split("\n"):
        line = ""
        for word in para.split():
            trial = f"{line} {word}" if line else word
            if f.size(trial)[0] <= width:
                line = trial
                continue
            if line:
                lines.append(line)
            while f.size(word)[0] > width and len(word) > 1:  # a very long word: cut it
                k = len(word)
                while k > 1 and f.size(word[:k])[0] > width:
                    k -= 1
                lines.append(word[:k])
                word = word[k:]
            line = word
        lines.append(line)
    return tuple(lines)


def paragraph(
    surface,
    s: str,
    rect: pygame.Rect,
    size: int = 18,
    colour=None,
    style: str = "regular",
    spacing: float = 1.3,
    max_lines: int | None = None,
) -> int:
    """Draw wrapped text inside ``rect``; lines that do not fit are left out (the last shown line
    ends with an ellipsis). Returns the height used."""
    lines = list(wrap(s, size, rect.width, style))
    step = int(size * spacing)
    room = max(1, rect.height // step)
    if max_lines is not None:
        room = min(room, max_lines)
    if len(lines) > room:
        for audit in _audits:
            audit.cuts.append(s)
        lines = lines[:room]
        lines[-1] = fit(lines[-1] + " …", size, rect.width, style)
    for k, line in enumerate(lines):
        text(surface, line, (rect.x, rect.y + k * step), size, colour, style, box=rect)
    return len(lines) * step


def panel(surface, rect, colour=None, radius: int = 10, border=None, width: int = 2) -> None:
    pygame.draw.rect(surface, theme.PANEL if colour is None else colour, rect, border_radius=radius)
    if border is None and theme.high_contrast:  # panels are black there: an edge shows where they are
        border, width = theme.LINE, 1
    if border is not None:
        pygame.draw.rect(surface, border, rect, width, border_radius=radius)


def focus_ring(surface, rect, radius: int = 10) -> None:
    pygame.draw.rect(surface, theme.FOCUS, pygame.Rect(rect).inflate(6, 6), 3, border_radius=radius + 3)


def button(surface, rect, label: str, focused: bool = False, enabled: bool = True, size: int = 20) -> None:
    panel(surface, rect, theme.PANEL_HI if focused else theme.PANEL, border=theme.LINE, width=1)
    colour = theme.TEXT if enabled else theme.FAINT
    pad = 16 if rect.width >= 160 else 8  # small buttons (the play screen's) keep their words
    text(
        surface,
        fit(label, size, rect.width - 2 * pad, "bold" if focused else "regular"),
        (rect.x + pad, rect.centery),
        size,
        colour,
        "bold" if focused else "regular",
        anchor="midleft",
        box=rect,
    )
    if focused:
        focus_ring(surface, rect)


def bar(surface, rect, fraction: float, colour, back=None, radius: int = 4) -> None:
    pygame.draw.rect(surface, theme.PANEL_HI if back is None else back, rect, border_radius=radius)
    w = int(round(rect.width * max(0.0, min(1.0, fraction))))
    if w > 0:
        pygame.draw.rect(surface, colour, (rect.x, rect.y, w, rect.height), border_radius=radius)


@lru_cache(maxsize=32)
def _star_points(r: float) -> tuple:
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = r if k % 2 == 0 else r * 0.45
        pts.append((rr * math.cos(a), rr * math.sin(a)))
    return tuple(pts)


def stars(surface, pos, n: int, size: int = 16, total: int = 3, gap: int = 6) -> pygame.Rect:
    """``n`` filled stars out of ``total`` (outlines), left edge at pos[0], centred on pos[1]."""
    x, y = pos
    for k in range(total):
        cx = x + size + k * (2 * size + gap)
        pts = [(cx + px, y + py) for px, py in _star_points(size)]
        if k < n:
            pygame.draw.polygon(surface, theme.FOCUS, pts)
        else:
            pygame.draw.polygon(surface, theme.FAINT, pts, 2)
    return pygame.Rect(x, y - size, total * (2 * size + gap), 2 * size)


def padlock(surface, center, size: int = 10, colour=None) -> None:
    colour = theme.LOCKED if colour is None else colour
    cx, cy = center
    body = pygame.Rect(0, 0, size * 2, int(size * 1.5))
    body.midtop = (cx, cy - size // 4)
    pygame.draw.rect(surface, colour, body, border_radius=3)
    pygame.draw.arc(
        surface, colour, (cx - size * 0.7, cy - size * 1.3, size * 1.4, size * 2.0), 0, math.pi, 3
    )


_drawing_caches: list = []


def cached(fn):
    """An lru-cached drawing (a surface made once): forgotten with the others by reset_caches()."""
    fn = lru_cache(maxsize=8)(fn)
    _drawing_caches.append(fn)
    return fn


def reset_caches() -> None:
    """Forget fonts, rendered text and cached drawings (pygame.quit invalidates fonts; a new palette
    or window starts clean)."""
    for fn in _drawing_caches:
        fn.cache_clear()
    font.cache_clear()
    wrap.cache_clear()
    _cache._items.clear()
