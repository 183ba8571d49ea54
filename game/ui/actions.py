"""Game input, independent of pygame: what the player asked for, not which key was pressed.

The one place that translates raw pygame events into these lives in game/ui/events.py, so scenes,
tests and scripted play all speak this vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Act(Enum):
    UP = "up"
    DOWN = "down"
    LEFT = "left"
    RIGHT = "right"
    CONFIRM = "confirm"  # Enter on menus
    BACK = "back"  # Escape
    STEP = "step"  # Space / Enter on the play screen: read the word with these gates
    UNDO = "undo"
    REDO = "redo"
    HINT = "hint"
    HELP = "help"
    NEXT_SLOT = "next_slot"  # Tab
    PREV_SLOT = "prev_slot"  # Shift+Tab
    INCREASE = "increase"  # + / Right on the play screen
    DECREASE = "decrease"  # - / Left
    KEEP = "keep"  # presets for the selected slot
    WRITE = "write"
    ERASE = "erase"
    REVEAL = "reveal"
    SET_MIN = "set_min"  # Home: the selected gate shut (0)
    SET_MAX = "set_max"  # End: the selected gate open (1)
    AUTOPLAY = "autoplay"  # A: let the trained network play from here / take over again
    PAUSE = "pause"  # P: pause autoplay
    FASTER = "faster"  # ]
    SLOWER = "slower"  # [
    SAVE = "save"  # Ctrl+S: save the comparison (PNG) and the replay
    FROM_HERE = "from_here"  # F: what if the network's gates were used from this step on
    EXPLAIN = "explain"  # X: explain a number (its formula, plugged in, and what it means)
    PREV_WORD = "prev_word"  # PageUp or ,: the explanation of the word before
    NEXT_WORD = "next_word"  # PageDown or .
    OPEN = "open"  # O: open a saved replay (level select)
    LAB = "lab"  # L: the lab (title, level select)
    QUIT = "quit"


@dataclass(frozen=True)
class Input:
    act: Act
    value: int | None = None  # e.g. a number key selecting a gate or a level


@dataclass(frozen=True)
class TextInput:
    text: str  # typed characters (player names)
