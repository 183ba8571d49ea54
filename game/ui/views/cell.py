"""The LSTM cell as a conveyor belt, one lane per slot.

The memory (cell state c) rides on the belt from left to right. The forget valve on the belt scales
what passes (c·f); the input valve lets the word's candidate values g rise onto the belt (+ i·g); the
output valve lets the squashed memory down to the hidden state h (o·tanh c), which the network
answers from. Every memory cell is a small square: yellow positive, blue negative, grey near zero.
Stepping moves the belt: the old memory passes the valves and becomes the next word's memory.
A GRU level and a plain RNN level have no belt: their lanes are drawn by gru_cell.py.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from ...controllers.explain import Target
from ...controllers.play import Animation, Snapshot
from ...strings import t
from .. import draw, theme

# positions along a lane, as fractions of its width / height
X_FORGET, X_INPUT, X_OUTPUT = 0.24, 0.46, 0.74
X_LEFT_PACKET, X_MID_PACKET, X_H_PACKET = 0.12, 0.60, 0.88
Y_BELT, H_BELT = 0.16, 0.30
Y_BOTTOM = 0.80
PIPE = 22
LABEL_SIZE = 14
LABEL_ROOM = 20  # a label's line (LABEL_SIZE) above the belt and under the pipes
PIPE_ROOM = 48  # a pipe's valve (badge and value) and, under it, the packet of memory cells


def geometry(lane: pygame.Rect) -> dict:
    """Belt and pipes in a lane: fractions of its height, but never less than the room the labels
    (above the belt, under the pipes) and a valve over its packet (in a pipe) need — a short lane
    (two slots in a small window) gets a thinner belt, not overlapping drawings."""
    h = lane.height
    top = max(LABEL_ROOM, int(h * Y_BELT))
    bottom = min(int(h * Y_BOTTOM), h - LABEL_ROOM)
    bh = max(18, min(int(h * H_BELT), bottom - PIPE_ROOM - top))
    belt = pygame.Rect(lane.x, lane.y + top, lane.width, bh)
    return {
        "belt": belt,
        "xf": lane.x + int(lane.width * X_FORGET),
        "xi": lane.x + int(lane.width * X_INPUT),
        "xo": lane.x + int(lane.width * X_OUTPUT),
        "bottom": lane.y + bottom,
    }


def unit_size(n: int, belt_h: int) -> tuple[int, int, int]:
    """(columns, rows, square size) for a packet of n memory cells on a belt of this height."""
    cols = min(n, 8)
    rows = math.ceil(n / cols)
    return cols, rows, max(4, min(16, (belt_h - 8) // rows - 2))


@draw.cached
def background(size: tuple[int, int], units: int) -> pygame.Surface:
    """Everything of a lane that does not change while playing: belt, pipes, labels."""
    lane = pygame.Rect((0, 0), size)
    surf = pygame.Surface(size, pygame.SRCALPHA)
    g = geometry(lane)
    belt = g["belt"]
    pygame.draw.rect(surf, theme.BELT, belt)
    pygame.draw.line(surf, theme.BELT_EDGE, belt.topleft, belt.topright, 2)
    pygame.draw.line(surf, theme.BELT_EDGE, belt.bottomleft, belt.bottomright, 2)
    for x in range(belt.x + 20, belt.right, 60):  # chevrons: the belt flows to the right
        y = belt.centery
        pygame.draw.lines(surf, theme.BELT_EDGE, False, [(x, y - 6), (x + 6, y), (x, y + 6)], 2)
    for x in (g["xi"], g["xo"]):  # the input pipe rises, the output pipe falls
        pipe = pygame.Rect(x - PIPE // 2, belt.bottom, PIPE, g["bottom"] - belt.bottom)
        pygame.draw.rect(surf, theme.PIPE, pipe)
        pygame.draw.line(surf, theme.LINE, pipe.topleft, pipe.bottomleft, 1)
        pygame.draw.line(surf, theme.LINE, pipe.topright, pipe.bottomright, 1)
    return surf


def draw_labels(surface, lane: pygame.Rect) -> None:
    """The lane's names (memory, candidate, hidden), drawn on the screen itself so the layout audit
    sees them with everything else, each kept inside its lane."""
    g = geometry(lane)
    belt, small = g["belt"], LABEL_SIZE
    memory = t("cell.memory")
    draw.text(surface, memory, (belt.x + 6, belt.y - 2), small, theme.BELT_EDGE, "bold", "bottomleft", lane)
    draw.text(
        surface,
        t("cell.candidate"),
        (g["xi"] - PIPE, g["bottom"] + 2),
        small,
        theme.GATE_COLOURS["input"],
        anchor="topright",
        box=lane,
    )
    draw.text(
        surface,
        t("cell.hidden"),
        (lane.x + int(lane.width * X_H_PACKET), g["bottom"] + 2),
        small,
        theme.HIDDEN,
        anchor="midtop",
        box=lane,
    )


def unit_rects(center, n: int, belt_h: int) -> list[pygame.Rect]:
    """Where each of a packet's n memory cells is drawn."""
    cols, rows, s = unit_size(n, belt_h)
    w, h = cols * (s + 2) - 2, rows * (s + 2) - 2
    x0, y0 = int(center[0] - w / 2), int(center[1] - h / 2)
    return [pygame.Rect(x0 + (k % cols) * (s + 2), y0 + (k // cols) * (s + 2), s, s) for k in range(n)]


def places(lane: pygame.Rect) -> dict:
    """Where every number of a lane is (without animation): packets as (centre, height), valves."""
    g = geometry(lane)
    belt, bottom = g["belt"], g["bottom"]
    mid_in = (belt.bottom + bottom - 24) // 2
    return {
        "packets": {
            "cell_before": ((lane.x + lane.width * X_LEFT_PACKET, belt.centery), belt.height),
            "candidate": ((g["xi"], bottom - 14), PIPE + 10),
            "cell": ((lane.x + lane.width * X_MID_PACKET, belt.centery), belt.height),
            "hidden": ((lane.x + lane.width * X_H_PACKET, bottom - 14), PIPE + 10),
        },
        "valves": {
            "forget": (g["xf"], belt.centery),
            "input": (g["xi"], mid_in),
            "output": (g["xo"], mid_in),
        },
    }


def target_at(lane: pygame.Rect, pos, snap: Snapshot, slot: int, slots: int) -> Target:
    """The number under the mouse in a lane: a memory cell of a packet, else the nearest valve."""
    if snap.cell != "lstm":
        from . import gru_cell  # it draws with this module's valves and packets

        return gru_cell.target_at(lane, pos, snap, slot, slots)
    per = len(snap.c) // slots
    where = places(lane)
    for name, (center, height) in where["packets"].items():
        for k, r in enumerate(unit_rects(center, per, height)):
            if r.inflate(2, 2).collidepoint(pos):
                return Target("cell" if name == "cell_before" else name, slot, slot * per + k)
    gate = min(where["valves"], key=lambda q: math.dist(where["valves"][q], pos))
    return Target(gate, slot, slot * per)


def highlight(surface, lane: pygame.Rect, target: Target, slot: int, slots: int, per: int) -> None:
    """A focus ring around the number being explained."""
    if target.slot != slot:
        return
    where = places(lane)
    if target.quantity in where["valves"]:
        cx, cy = where["valves"][target.quantity]
        span = lane.height * H_BELT if target.quantity == "forget" else PIPE
        r = (
            pygame.Rect(0, 0, 34, span + 30)
            if target.quantity == "forget"
            else pygame.Rect(0, 0, span + 30, 34)
        )
        r.center = (cx, cy)
        draw.focus_ring(surface, r, 6)
        return
    center, height = where["packets"][target.quantity]
    r = unit_rects(center, per, height)[target.unit - slot * per]
    draw.focus_ring(surface, r.inflate(4, 4), 3)


def draw_packet(surface, center, values: np.ndarray, belt_h: int, alpha: float = 1.0) -> pygame.Rect:
    cols, rows, s = unit_size(len(values), belt_h)
    w, h = cols * (s + 2) - 2, rows * (s + 2) - 2
    x0, y0 = int(center[0] - w / 2), int(center[1] - h / 2)
    for k, v in enumerate(values):
        r, c = divmod(k, cols)
        colour = theme.value_colour(v * alpha)
        pygame.draw.rect(surface, colour, (x0 + c * (s + 2), y0 + r * (s + 2), s, s), border_radius=2)
    draw.mark(surface, (x0, y0, w, h), "memory cells")
    return pygame.Rect(x0, y0, w, h)


def draw_valve(surface, center, span: int, value: float, gate: str, across: str, label: str | None) -> None:
    """A sluice: two plates close the passage; the gap left is the gate's value (1 = fully open).
    across="belt": the plates move vertically across a horizontal belt; "pipe": horizontally across a
    vertical pipe."""
    colour = theme.GATE_COLOURS[gate]
    cx, cy = center
    closed = (1.0 - max(0.0, min(1.0, value))) * span / 2
    plate = 12
    if across == "belt":
        frame = pygame.Rect(cx - plate // 2 - 3, cy - span // 2 - 6, plate + 6, span + 12)
        pygame.draw.rect(surface, colour, frame, 2, border_radius=3)  # open: the belt shows through
        top = pygame.Rect(cx - plate // 2, cy - span // 2, plate, int(closed))
        bottom = pygame.Rect(cx - plate // 2, cy + span // 2 - int(closed), plate, int(closed))
    else:
        frame = pygame.Rect(cx - span // 2 - 6, cy - plate // 2 - 3, span + 12, plate + 6)
        pygame.draw.rect(surface, colour, frame, 2, border_radius=3)
        top = pygame.Rect(cx - span // 2, cy - plate // 2, int(closed), plate)
        bottom = pygame.Rect(cx + span // 2 - int(closed), cy - plate // 2, int(closed), plate)
    pygame.draw.rect(surface, colour, top)
    pygame.draw.rect(surface, colour, bottom)
    badge = (frame.right + 14, frame.y + 10) if across == "pipe" else (cx, frame.y - 12)
    pygame.draw.circle(surface, colour, badge, 10)
    draw.text(surface, theme.GATE_SYMBOLS[gate], badge, 15, theme.BG, "bold", "center")
    if label:
        pos = (badge[0] + 14, badge[1]) if across == "pipe" else (cx + 14, badge[1])
        draw.text(surface, label, pos, 14, colour, "bold", "midleft")


def _lerp(a: float, b: float, p: float) -> float:
    return a + (b - a) * p


def _phase(p: float, start: float, end: float) -> float:
    return max(0.0, min(1.0, (p - start) / (end - start)))


def draw_lane(
    surface,
    lane: pygame.Rect,
    slot: int,
    slots: int,
    snap: Snapshot,
    word: str,
    anim: Animation | None,
    show_numbers: bool,
) -> None:
    H = len(snap.c)
    units = slice(slot * H // slots, (slot + 1) * H // slots)  # this slot's memory cells
    surface.blit(background(lane.size, H // slots), lane.topleft)
    draw_labels(surface, lane)
    g = geometry(lane)
    belt, bottom = g["belt"], g["bottom"]
    gates = snap.gates[slot]
    c_prev, cand, c, h = (np.tanh(snap.c_prev[units]), snap.g[units], np.tanh(snap.c[units]), snap.h[units])
    p = anim.progress if anim is not None else None
    bh = belt.height
    # packets: memory before (left), candidate (bottom of the input pipe), memory after, hidden state
    if p is None:
        draw_packet(surface, (lane.x + lane.width * X_LEFT_PACKET, belt.centery), c_prev, bh)
        draw_packet(surface, (g["xi"], bottom - 14), cand, PIPE + 10)
        draw_packet(surface, (lane.x + lane.width * X_MID_PACKET, belt.centery), c, bh)
        draw_packet(surface, (lane.x + lane.width * X_H_PACKET, bottom - 14), h, PIPE + 10)
    else:
        # the old memory slides along the belt, shrinking by f as it passes the forget valve; the
        # candidate rises through the input valve and joins it; then the result goes on to the right
        move = _phase(p, 0.0, 0.55)
        x = _lerp(lane.x + lane.width * X_LEFT_PACKET, lane.x + lane.width * X_MID_PACKET, move)
        kept = np.tanh(snap.c_prev[units] * (gates["forget"] if x > g["xf"] else 1.0))
        rise = _phase(p, 0.15, 0.55)
        if p < 0.55:
            draw_packet(surface, (x, belt.centery), kept, bh)
            y = _lerp(bottom - 14, belt.centery, rise)
            draw_packet(
                surface, (g["xi"], y), cand, PIPE + 10, alpha=gates["input"] if y < bottom - 20 else 1.0
            )
        else:
            on = _phase(p, 0.55, 1.0)
            draw_packet(
                surface, (_lerp(lane.x + lane.width * X_MID_PACKET, lane.right + 40, on), belt.centery), c, bh
            )
            draw_packet(surface, (lane.x + lane.width * X_H_PACKET, bottom - 14), h, PIPE + 10, alpha=on)
    numbers = show_numbers
    draw_valve(
        surface,
        (g["xf"], belt.centery),
        bh,
        gates["forget"],
        "forget",
        "belt",
        t("cell.valve.forget", value=gates["forget"]) if numbers else None,
    )
    mid_in = (belt.bottom + bottom - 24) // 2
    draw_valve(
        surface,
        (g["xi"], mid_in),
        PIPE,
        gates["input"],
        "input",
        "pipe",
        t("cell.valve.input", value=gates["input"]) if numbers else None,
    )
    draw_valve(
        surface,
        (g["xo"], mid_in),
        PIPE,
        gates["output"],
        "output",
        "pipe",
        t("cell.valve.output", value=gates["output"]) if numbers else None,
    )
    # the word feeding the candidate, left of its packet
    cols, _, size = unit_size(H // slots, PIPE + 10)
    edge = g["xi"] - cols * (size + 2) // 2 - 10
    draw.text(
        surface,
        draw.fit(t("cell.word", word=word), 16, edge - lane.x - 8),
        (edge, bottom - 14),
        16,
        theme.TEXT,
        "bold",
        "midright",
    )
    if slots > 1:
        draw.text(
            surface,
            t("cell.slot", n=slot + 1),
            (lane.right - 4, belt.y - 4),
            14,
            theme.DIM,
            "bold",
            "bottomright",
        )


def draw_cell(
    surface,
    rect: pygame.Rect,
    lanes: list[pygame.Rect],
    snap: Snapshot,
    words: list[str],
    anim: Animation | None,
    show_numbers: bool,
    selected_slot: int,
    status: str = "",
    explained: Target | None = None,
) -> None:
    draw.panel(surface, rect)
    shown = anim.before if anim is not None else snap
    title = t("cell.title", word=words[shown.shown], n=shown.shown + 1, total=len(words))
    right = rect.right - 16
    if status:
        r = draw.text(
            surface,
            draw.fit(status, 16, rect.width // 2),
            (right, rect.y + 12),
            16,
            theme.FOCUS,
            "bold",
            "topright",
        )
        right = r.x - 16
    draw.text(
        surface, draw.fit(title, 17, right - rect.x - 16), (rect.x + 16, rect.y + 10), 17, theme.TEXT, "bold"
    )
    from . import gru_cell  # it draws with this module's valves and packets

    lane_of = {"lstm": draw_lane, "gru": gru_cell.draw_gru_lane, "rnn": gru_cell.draw_rnn_lane}[snap.cell]
    for k, lane in enumerate(lanes):
        if len(lanes) > 1 and k == selected_slot:
            pygame.draw.rect(surface, theme.PANEL_HI, lane.inflate(8, 8), border_radius=8)
        lane_of(surface, lane, k, len(lanes), shown, words[shown.shown], anim, show_numbers)
        if explained is not None:
            per = len(snap.c) // len(lanes)
            if snap.cell == "lstm":
                highlight(surface, lane, explained, k, len(lanes), per)
            else:
                gru_cell.highlight(surface, lane, explained, k, per, snap.cell)
