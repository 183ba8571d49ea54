"""The side panel: what the memory says, the network's answer at the blank, the hint, autoplay status,
and buttons for the mouse."""

from __future__ import annotations

import pygame

from ...controllers.play import PlayController
from .. import draw, theme

BUTTONS = ("Step ▶", "Undo", "Redo", "Hint")
ROW = 24


def draw_bars(surface, x: int, y: int, width: int, items, highlight: str | None) -> int:
    for word, p in items:
        draw.text(
            surface,
            draw.fit(str(word), 17, 120),
            (x, y + 10),
            17,
            theme.FOCUS if word == highlight else theme.TEXT,
            "bold",
            "midleft",
        )
        draw.bar(surface, pygame.Rect(x + 128, y + 3, width - 128 - 56, 14), p, theme.BELT_EDGE)
        draw.text(surface, f"{100 * p:.0f}%", (x + width, y + 10), 16, theme.DIM, anchor="midright")
        y += ROW
    return y


def draw_side(surface, rect: pygame.Rect, buttons: tuple[pygame.Rect, ...], ctl: PlayController) -> None:
    draw.panel(surface, rect)
    s = ctl.session
    snap = ctl.snapshot
    x, w = rect.x + 16, rect.width - 32
    y = rect.y + 12
    numeric = s.task.numeric
    draw.text(
        surface, "The memory says" if not numeric else "The memory holds", (x, y), 18, theme.TEXT, "bold"
    )
    y += 28
    if numeric:
        draw.text(
            surface, f"≈ {snap.says[0][0]}  (running value read from the belt)", (x, y), 17, theme.BELT_EDGE
        )
        y += 30
    else:
        y = draw_bars(surface, x, y, w, snap.says, None)
    y += 6
    if snap.prediction is not None:
        pygame.draw.line(surface, theme.LINE, (x, y), (x + w, y))
        y += 10
        needs = f" (needs {s.sequence.answer})" if not numeric else ""
        draw.text(
            surface,
            draw.fit(f"Answer with your gates{needs}", 17, w),
            (x, y),
            17,
            theme.GATE_COLOURS["output"],
            "bold",
        )
        y += 26
        if numeric:
            draw.text(surface, f"answer {snap.prediction.predicted}  (needs {s.sequence.answer})", (x, y), 17)
            y += 28
        else:
            y = draw_bars(surface, x, y, w, snap.prediction.top, str(s.sequence.answer))
    if ctl.hint is not None and ctl.hint_step == s.step:
        pygame.draw.line(surface, theme.LINE, (x, y), (x + w, y))
        y += 10
        lines = []
        for slot in range(s.S):
            vals = " ".join(
                f"{theme.GATE_LETTERS[g]} {ctl.hint[g][slot]:.2f}" for g in ("forget", "input", "output")
            )
            lines.append(f"slot {slot + 1}: {vals}" if s.S > 1 else vals)
        draw.text(surface, "Hint: the network would set", (x, y), 16, theme.FOCUS, "bold")
        y += 24
        for line in lines:
            draw.text(surface, line, (x, y), 16, theme.FOCUS)
            y += 22
    for label, r in zip(BUTTONS, buttons, strict=True):
        draw.button(surface, r, label, size=16)
