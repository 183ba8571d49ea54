"""A GRU lane and a plain RNN lane, drawn as honestly as the LSTM's belt (game/ui/views/cell.py).

GRU: there is no separate belt. The hidden state h is the memory, drawn on a thin line from the left
(the old memory) to the right (the new one, which the answer is read from). The update valve z on the
line decides how much of the old memory passes; the rest, 1 − z, comes up the pipe from the candidate n.
The candidate is made from the word and from the old memory, which reaches it down the reset pipe:
the reset valve r decides how much of the old memory the candidate sees.
    nₜ = tanh(W_n·xₜ + b_n + rₜ·(U_n·hₜ₋₁ + b_hn))      hₜ = (1 − zₜ)·nₜ + zₜ·hₜ₋₁
Plain RNN: no valves at all; the word and the old memory go through one box, h = tanh(W·x + U·h + b).
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from ...controllers.explain import Target
from ...controllers.play import Animation, Snapshot
from ...strings import t
from .. import draw, theme
from .cell import LABEL_ROOM, LABEL_SIZE, PIPE, PIPE_ROOM, draw_packet, draw_valve, unit_rects

X_OLD, X_RESET, X_UPDATE, X_CAND, X_MIX, X_NEW = 0.12, 0.27, 0.42, 0.50, 0.66, 0.86
Y_LINE, H_PACKET, Y_BOTTOM = 0.16, 0.30, 0.80
LINE_W = 4


def geometry(lane: pygame.Rect) -> dict:
    """The memory line, the packets' height on it, and the bottom (candidate) row of a lane."""
    h = lane.height
    top = max(LABEL_ROOM, int(h * Y_LINE))
    bottom = min(int(h * Y_BOTTOM), h - LABEL_ROOM)
    bh = max(18, min(int(h * H_PACKET), bottom - PIPE_ROOM - top))
    x = {name: lane.x + int(lane.width * f) for name, f in
         (("old", X_OLD), ("reset", X_RESET), ("update", X_UPDATE), ("cand", X_CAND), ("mix", X_MIX),
          ("new", X_NEW))}
    return {"line": lane.y + top + bh // 2, "bh": bh, "bottom": lane.y + bottom, "x": x}


def places(lane: pygame.Rect, cell: str) -> dict:
    """Where every number of a lane is: packets as (centre, height), valves (GRU only)."""
    g = geometry(lane)
    x, line, bottom, bh = g["x"], g["line"], g["bottom"], g["bh"]
    if cell == "rnn":
        return {"packets": {"before": ((x["old"], line), bh), "hidden": ((x["new"], line), bh)}, "valves": {}}
    return {
        "packets": {
            "before": ((x["old"], line), bh),
            "candidate": ((x["cand"], bottom - 14), PIPE + 10),
            "hidden": ((x["new"], line), bh),
        },
        "valves": {"update": (x["update"], line), "reset": (x["reset"], (line + bh // 2 + bottom - 14) // 2)},
    }


def target_at(lane: pygame.Rect, pos, snap: Snapshot, slot: int, slots: int) -> Target:
    """The number under the mouse: a unit of a packet (the old memory explains the new one), else the
    nearest valve; a plain RNN has only its hidden state."""
    per = len(snap.c) // slots
    where = places(lane, snap.cell)
    for name, (center, height) in where["packets"].items():
        for k, r in enumerate(unit_rects(center, per, height)):
            if r.inflate(2, 2).collidepoint(pos):
                return Target("candidate" if name == "candidate" else "hidden", slot, slot * per + k)
    if not where["valves"]:
        return Target("hidden", slot, slot * per)
    gate = min(where["valves"], key=lambda q: math.dist(where["valves"][q], pos))
    return Target(gate, slot, slot * per)


def highlight(surface, lane: pygame.Rect, target: Target, slot: int, per: int, cell: str) -> None:
    if target.slot != slot:
        return
    where = places(lane, cell)
    if target.quantity in where["valves"]:
        r = pygame.Rect(0, 0, 40, 40)
        r.center = where["valves"][target.quantity]
        draw.focus_ring(surface, r, 6)
        return
    name = "hidden" if target.quantity == "hidden" else "candidate"
    center, height = where["packets"][name]
    r = unit_rects(center, per, height)[target.unit - slot * per]
    draw.focus_ring(surface, r.inflate(4, 4), 3)


def _pipe(surface, a, b) -> None:
    """A straight pipe from a to b (horizontal or vertical)."""
    (x0, y0), (x1, y1) = a, b
    if x0 == x1:
        r = pygame.Rect(x0 - PIPE // 2, min(y0, y1), PIPE, abs(y1 - y0))
    else:
        r = pygame.Rect(min(x0, x1), y0 - PIPE // 2, abs(x1 - x0), PIPE)
    pygame.draw.rect(surface, theme.PIPE, r)


def _word(surface, lane, center, word: str, per: int, cell: str) -> None:
    """The word that feeds the candidate (GRU) or the box (RNN), under it."""
    label = t("cell.word", word=word)
    draw.text(surface, draw.fit(label, 16, lane.width // 3), (center[0], center[1] + 24), 16, theme.TEXT,
              "bold", "midtop", lane)


def draw_gru_lane(surface, lane: pygame.Rect, slot: int, slots: int, snap: Snapshot, word: str,
                  anim: Animation | None, show_numbers: bool) -> None:
    H = len(snap.c)
    per = H // slots
    units = slice(slot * per, (slot + 1) * per)
    g = geometry(lane)
    x, line, bottom, bh = g["x"], g["line"], g["bottom"], g["bh"]
    gates = snap.gates[slot]
    z, r = gates["update"], gates["reset"]
    cand_y = bottom - 14
    # pipes first: old memory down to the candidate through the reset valve; the candidate up to the mix
    _pipe(surface, (x["reset"], line), (x["reset"], cand_y))
    _pipe(surface, (x["reset"] - PIPE // 2, cand_y), (x["cand"], cand_y))
    _pipe(surface, (x["cand"], cand_y), (x["mix"] + PIPE // 2, cand_y))
    _pipe(surface, (x["mix"], line), (x["mix"], cand_y + PIPE // 2))
    pygame.draw.line(surface, theme.HIDDEN, (lane.x + 6, line), (lane.right - 6, line), LINE_W)
    pygame.draw.circle(surface, theme.HIDDEN, (x["mix"], line), 9)
    draw.text(surface, "+", (x["mix"], line), 15, theme.BG, "bold", "center")
    p = 1.0 if anim is None else anim.progress
    old, new = snap.c_prev[units], snap.h[units]
    draw_packet(surface, (x["old"], line), old, bh)
    draw_packet(surface, (x["cand"], cand_y), snap.g[units], PIPE + 10)
    draw_packet(surface, (x["new"], line), new, bh, alpha=p)
    numbers = show_numbers
    draw_valve(surface, (x["update"], line), bh, z, "update", "belt",
               t("cell.valve.update", value=z) if numbers else None)
    draw_valve(surface, places(lane, "gru")["valves"]["reset"], PIPE, r, "reset", "pipe",
               t("cell.valve.reset", value=r) if numbers else None)
    small = LABEL_SIZE
    draw.text(surface, t("cell.gru.memory"), (lane.x + 6, line - bh // 2 - 2), small, theme.HIDDEN, "bold",
              "bottomleft", lane)
    draw.text(surface, t("cell.gru.new"), (lane.right - 6, line - bh // 2 - 2), small, theme.HIDDEN, "bold",
              "bottomright", lane)
    draw.text(surface, t("cell.gru.candidate"), (x["cand"], cand_y + PIPE // 2 + 4), small,
              theme.GATE_COLOURS["reset"], "bold", "midtop", lane)
    draw.text(surface, draw.fit(t("cell.word", word=word), 16, x["cand"] - x["reset"] - PIPE - 8),
              (x["cand"] - (PIPE + 10) // 2 - 6 - 4 * min(per, 8), cand_y - PIPE // 2 - 4), 16, theme.TEXT,
              "bold", "bottomright", lane)
    draw.text(surface, t("cell.gru.takes"), (x["mix"] + PIPE // 2 + 6, (line + cand_y) // 2), small,
              theme.GATE_COLOURS["update"], "regular", "midleft", lane)
    if slots > 1:
        draw.text(surface, t("cell.slot", n=slot + 1), (lane.right - 4, lane.bottom - 2), small, theme.DIM,
                  "bold", "bottomright")


def draw_rnn_lane(surface, lane: pygame.Rect, slot: int, slots: int, snap: Snapshot, word: str,
                  anim: Animation | None, show_numbers: bool) -> None:
    H = len(snap.c)
    per = H // slots
    units = slice(slot * per, (slot + 1) * per)
    g = geometry(lane)
    x, line, bh = g["x"], g["line"], g["bh"]
    pygame.draw.line(surface, theme.HIDDEN, (lane.x + 6, line), (lane.right - 6, line), LINE_W)
    label = t("cell.rnn.box")
    box = pygame.Rect(0, 0, min(lane.width // 3, draw.font(16, "bold").size(label)[0] + 24), bh + 12)
    box.center = ((x["old"] + x["new"]) // 2, line)
    pygame.draw.rect(surface, theme.PANEL_HI, box, border_radius=6)
    pygame.draw.rect(surface, theme.HIDDEN, box, 2, border_radius=6)
    draw.text(surface, draw.fit(label, 16, box.width - 12, "bold"), box.center, 16, theme.TEXT, "bold",
              "center")
    p = 1.0 if anim is None else anim.progress
    draw_packet(surface, (x["old"], line), snap.c_prev[units], bh)
    draw_packet(surface, (x["new"], line), np.asarray(snap.h[units]), bh, alpha=p)
    _word(surface, lane, (box.centerx, box.bottom - 12), word, per, "rnn")
    small = LABEL_SIZE
    draw.text(surface, t("cell.rnn.memory"), (lane.x + 6, line - bh // 2 - 2), small, theme.HIDDEN, "bold",
              "bottomleft", lane)
    draw.text(surface, draw.fit(t("cell.rnn.new"), small, lane.width // 2),
              (lane.right - 6, line - bh // 2 - 2), small, theme.HIDDEN, "bold", "bottomright", lane)
    draw.paragraph(surface, t("cell.rnn.no_gates"),
                   pygame.Rect(lane.x + 8, g["bottom"] - 4, lane.width - 16, lane.bottom - g["bottom"] + 4),
                   16, theme.DIM)
