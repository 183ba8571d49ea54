"""Colours and fonts: one palette for the whole game (Okabe–Ito colours, safe for colour-blind eyes;
gates also differ by symbol, never by colour alone)."""

from __future__ import annotations

from .. import paths

BG = (18, 20, 27)
PANEL = (31, 35, 47)
PANEL_HI = (44, 50, 66)
LINE = (70, 78, 98)
TEXT = (232, 234, 240)
DIM = (150, 156, 172)
FAINT = (96, 102, 118)
FOCUS = (255, 214, 102)  # the keyboard focus ring
GOOD = (0, 158, 115)
BAD = (213, 94, 0)
LOCKED = (110, 114, 128)

# gates, memory and values (Okabe–Ito)
GATE_COLOURS = {"forget": (230, 159, 0), "input": (86, 180, 233), "output": (0, 158, 115)}
GATE_SYMBOLS = {"forget": "×", "input": "+", "output": "▸"}
GATE_LETTERS = {"forget": "f", "input": "i", "output": "o"}
BELT = (70, 64, 40)
BELT_EDGE = (240, 228, 66)
HIDDEN = (204, 121, 167)
POSITIVE = (240, 228, 66)  # a memory cell holding a positive value
NEGATIVE = (86, 180, 233)  # ... a negative one

FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "mono": "DejaVuSansMono.ttf"}


def font_path(style: str = "regular"):
    return paths.assets_dir() / "fonts" / FONT_FILES[style]


def value_colour(v: float) -> tuple[int, int, int]:
    """A memory value in [-1, 1] as a colour between the panel grey and yellow (+) or blue (−)."""
    v = max(-1.0, min(1.0, float(v)))
    end = POSITIVE if v >= 0 else NEGATIVE
    a = abs(v) ** 0.7
    return tuple(int(PANEL_HI[k] + (end[k] - PANEL_HI[k]) * a) for k in range(3))
