"""Where everything on the play screen goes, for a window size and a number of slots. Pure geometry:
drawing, the sliders and mouse hit tests all use the same rectangles."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pygame import Rect

from ..chrome import FOOTER_H, HEADER_H

GATE_ROW_H = 40
COMPACT_ROW_H = 30  # in a short window the controls give the cell more room
COMPACT_BELOW = 680  # window heights below this use compact controls
GROUP_TITLE_H = 32


@dataclass(frozen=True)
class PlayLayout:
    size: tuple[int, int]
    ribbon: Rect
    cell: Rect
    side: Rect
    buttons: tuple[Rect, ...]  # step, undo, redo, hint
    controls: Rect
    groups: tuple[Rect, ...]  # one per slot
    row_h: int = GATE_ROW_H

    def gate_row(self, slot: int, gate_index: int) -> Rect:
        g = self.groups[slot]
        return Rect(g.x + 8, g.y + GROUP_TITLE_H + gate_index * self.row_h, g.width - 16, self.row_h - 4)

    def slider(self, slot: int, gate_index: int) -> Rect:
        row = self.gate_row(slot, gate_index)
        label = min(150, row.width // 3)
        pad = 5 if self.row_h >= GATE_ROW_H else 3
        return Rect(row.x + label, row.y + pad, row.width - label - 64, row.height - 2 * pad)

    def lane(self, slot: int, slots: int) -> Rect:
        """The conveyor of one slot inside the cell drawing."""
        inner = self.cell.inflate(-16, -40)
        h = inner.height // slots
        return Rect(inner.x, inner.y + 28 + slot * h, inner.width, h - 28 // slots - 4)


@lru_cache(maxsize=16)
def play_layout(size: tuple[int, int], slots: int) -> PlayLayout:
    w, h = size
    ribbon = Rect(24, HEADER_H + 10, w - 48, 58)
    row_h = GATE_ROW_H if h >= COMPACT_BELOW else COMPACT_ROW_H
    controls_h = GROUP_TITLE_H + 3 * row_h + 12
    controls = Rect(24, h - FOOTER_H - controls_h - 10, w - 48, controls_h)
    top = ribbon.bottom + 12
    cell = Rect(24, top, int((w - 48) * 0.64), controls.y - 12 - top)
    side = Rect(cell.right + 16, top, w - 24 - cell.right - 16, cell.height)
    bw = (side.width - 24 - 3 * 8) // 4
    buttons = tuple(Rect(side.x + 12 + k * (bw + 8), side.bottom - 52, bw, 40) for k in range(4))
    gap = 16
    gw = (controls.width - (slots - 1) * gap) // slots
    groups = tuple(Rect(controls.x + k * (gw + gap), controls.y, gw, controls.height) for k in range(slots))
    return PlayLayout(size, ribbon, cell, side, buttons, controls, groups, row_h)
