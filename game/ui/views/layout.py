"""Where everything on the play screen goes, for a window size and a number of slots. Pure geometry:
drawing, the sliders and mouse hit tests all use the same rectangles."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pygame import Rect

from ..chrome import FOOTER_H, HEADER_H

GATE_ROW_H = 40
COMPACT_ROW_H = 30  # in a short window the controls and the ribbon give the cell more room
COMPACT_BELOW = 680  # window heights below this use compact controls
GROUP_TITLE_H = 32
COMPACT_TITLE_H = 28
RIBBON_H, COMPACT_RIBBON_H = 58, 48
LANES_TOP = 46  # from the cell's top: its title, and room for the forget valve's badge above a belt
LANE_GAP = 12  # between two slots' lanes: the second's forget badge stands above its belt


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

    @property
    def title_h(self) -> int:
        return GROUP_TITLE_H if self.row_h >= GATE_ROW_H else COMPACT_TITLE_H

    def gate_row(self, slot: int, gate_index: int) -> Rect:
        g = self.groups[slot]
        return Rect(g.x + 8, g.y + self.title_h + gate_index * self.row_h, g.width - 16, self.row_h - 4)

    def slider(self, slot: int, gate_index: int) -> Rect:
        row = self.gate_row(slot, gate_index)
        label = min(150, row.width // 3)
        pad = 5 if self.row_h >= GATE_ROW_H else 3
        return Rect(row.x + label, row.y + pad, row.width - label - 64, row.height - 2 * pad)

    def lane(self, slot: int, slots: int) -> Rect:
        """The conveyor of one slot inside the cell drawing: the cell's height under its title, shared
        by the slots."""
        top, bottom = self.cell.y + LANES_TOP, self.cell.bottom - 8
        h = (bottom - top - (slots - 1) * LANE_GAP) // slots
        return Rect(self.cell.x + 8, top + slot * (h + LANE_GAP), self.cell.width - 16, h)


@lru_cache(maxsize=16)
def play_layout(size: tuple[int, int], slots: int) -> PlayLayout:
    w, h = size
    compact = h < COMPACT_BELOW
    ribbon = Rect(24, HEADER_H + 10, w - 48, COMPACT_RIBBON_H if compact else RIBBON_H)
    row_h = COMPACT_ROW_H if compact else GATE_ROW_H
    controls_h = (COMPACT_TITLE_H + 3 * row_h + 6) if compact else (GROUP_TITLE_H + 3 * row_h + 12)
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
