"""Colours and fonts: the one place the game's look is decided.

Two palettes — "standard" and "colour-blind" (Okabe–Ito, safe for the common colour-vision
deficiencies) — each with an optional high-contrast variant. Gates never differ by colour alone:
each has a symbol (× forget, + input, ▸ output) drawn wherever it appears. Modules read the colours
as ``theme.NAME`` at draw time, so ``use()`` switches the whole game at once.
"""

from __future__ import annotations

from .. import paths
from ..controllers.settings import PALETTES

_BASE = {
    "BG": (18, 20, 27),
    "PANEL": (31, 35, 47),
    "PANEL_HI": (44, 50, 66),
    "LINE": (70, 78, 98),
    "TEXT": (232, 234, 240),
    "DIM": (150, 156, 172),
    "FAINT": (112, 118, 134),
    "FOCUS": (255, 214, 102),  # the keyboard focus ring
    "LOCKED": (110, 114, 128),
    "BELT": (70, 64, 40),
    "BELT_EDGE": (240, 228, 66),
    "PIPE": (40, 44, 58),
    "DECISIVE": (70, 40, 30),  # behind the steps that decided the answer
}
_HIGH_CONTRAST = {
    "BG": (0, 0, 0),
    "PANEL": (0, 0, 0),
    "PANEL_HI": (38, 38, 38),
    "LINE": (200, 200, 200),
    "TEXT": (255, 255, 255),
    "DIM": (225, 225, 225),
    "FAINT": (190, 190, 190),
    "FOCUS": (255, 255, 0),
    "LOCKED": (190, 190, 190),
    "BELT": (60, 52, 0),
    "BELT_EDGE": (255, 255, 0),
    "PIPE": (30, 30, 30),
    "DECISIVE": (110, 50, 0),
}
_COLOURS = {
    "standard": {
        "GATE_COLOURS": {"forget": (235, 87, 87), "input": (92, 200, 110), "output": (90, 150, 240),
                         "update": (240, 170, 70), "reset": (80, 200, 200)},
        "GOOD": (92, 200, 110),
        "BAD": (235, 87, 87),
        "HIDDEN": (200, 130, 230),
        "POSITIVE": (245, 200, 60),  # a memory cell holding a positive value
        "NEGATIVE": (90, 150, 240),  # ... a negative one
    },
    "colour-blind": {  # Okabe & Ito, "Color Universal Design" (2008)
        "GATE_COLOURS": {"forget": (230, 159, 0), "input": (86, 180, 233), "output": (0, 158, 115),
                         "update": (230, 159, 0), "reset": (86, 180, 233)},
        "GOOD": (0, 158, 115),
        "BAD": (213, 94, 0),
        "HIDDEN": (204, 121, 167),
        "POSITIVE": (240, 228, 66),
        "NEGATIVE": (86, 180, 233),
    },
}
GATE_SYMBOLS = {"forget": "×", "input": "+", "output": "▸", "update": "z", "reset": "r"}
GATE_LETTERS = {"forget": "f", "input": "i", "output": "o", "update": "z", "reset": "r"}

# the current colours (set by use())
BG = PANEL = PANEL_HI = LINE = TEXT = DIM = FAINT = FOCUS = LOCKED = (0, 0, 0)
BELT = BELT_EDGE = PIPE = DECISIVE = (0, 0, 0)
GOOD = BAD = HIDDEN = POSITIVE = NEGATIVE = (0, 0, 0)
GATE_COLOURS: dict = {}
palette = "standard"
high_contrast = False


def use(name: str = "standard", contrast: bool = False) -> None:
    """Switch every colour of the game (callers clear their drawing caches: draw.reset_caches)."""
    if name not in _COLOURS:
        raise ValueError(f"unknown palette {name!r} (palettes: {', '.join(PALETTES)})")
    g = globals()
    g.update(_HIGH_CONTRAST if contrast else _BASE)
    g.update({k: (dict(v) if isinstance(v, dict) else v) for k, v in _COLOURS[name].items()})
    g["palette"], g["high_contrast"] = name, contrast


use("standard")

FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "mono": "DejaVuSansMono.ttf"}


def font_path(style: str = "regular"):
    return paths.assets_dir() / "fonts" / FONT_FILES[style]


def value_colour(v: float) -> tuple[int, int, int]:
    """A memory value in [-1, 1] as a colour between the panel grey and the positive (+) or
    negative (−) colour."""
    v = max(-1.0, min(1.0, float(v)))
    end = POSITIVE if v >= 0 else NEGATIVE
    a = abs(v) ** 0.7
    return tuple(int(PANEL_HI[k] + (end[k] - PANEL_HI[k]) * a) for k in range(3))
