"""The gates a level's cell gives the player (``network: {cell: lstm | gru | rnn}``).

    cell   gates, as a person reads them          gating-table columns (the engine's sigmoid blocks)
    lstm   forget, input, output                  [input | forget | output]   (engine i, f, o)
    gru    update z, reset r                      [update | reset]            (engine z, r)
    rnn    none: the player watches               none

A GRU has no separate memory: its hidden state h is the memory. The update gate mixes old and new,
h' = (1 - z) n + z h (PyTorch's convention: z = 1 keeps the memory), and the reset gate decides how much
of the old memory the candidate sees, n = tanh(W_in x + b_in + r (W_hn h + b_hn)). Every table of gate
values in the game (a session's history, the solution's gating, scoring, replays) has one block of S
columns per gate, in the column order above; screens and texts use the reading order.
"""

from __future__ import annotations

CELLS = ("lstm", "gru", "rnn")
ALL_GATES = ("forget", "input", "output", "update", "reset")
COLUMNS = {"lstm": ("input", "forget", "output"), "gru": ("update", "reset"), "rnn": ()}
READING = {"lstm": ("forget", "input", "output"), "gru": ("update", "reset"), "rnn": ()}
ENGINE = {"input": "i", "forget": "f", "output": "o", "update": "z", "reset": "r"}
# where every slot starts: keep the memory, write nothing, show nothing (GRU: keep, the candidate sees all)
KEEP = {"input": 0.0, "forget": 1.0, "output": 0.0, "update": 1.0, "reset": 1.0}
# the gate a sentence's role is about, at its key word (trained in as supervision)
# a sign (signed number levels) is decided by the output gate: it must show the sign to the next step
ROLE_GATE = {"lstm": {"clue": "input", "distractor": "input", "reset": "forget", "question": "output",
                      "sign": "output"},
             "gru": {"clue": "update", "distractor": "update", "reset": "reset", "question": "update"},
             "rnn": {}}
SUPERVISED = {"lstm": ("input", "forget"), "gru": ("update", "reset"), "rnn": ()}


def cell_of(level) -> str:
    return level.network.cell


def columns(level) -> tuple[str, ...]:
    """The gates of the level's gating tables, in column-block order."""
    return COLUMNS[cell_of(level)]


def reading(level) -> tuple[str, ...]:
    """The level's gates in the order a person reads them (controls, texts, explanations)."""
    return READING[cell_of(level)]


def width(level) -> int:
    """Columns of the level's gating table: one block of S per gate."""
    return len(columns(level)) * level.network.slots


def supervised(level) -> tuple[str, ...]:
    """The gates supervised at every word: the level's own list, or its cell's default."""
    t = level.network.training
    if "supervised_gates" in t.model_fields_set:
        return tuple(t.supervised_gates)
    return SUPERVISED[cell_of(level)]
