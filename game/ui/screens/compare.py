"""The comparison screen: the player's gates against the trained network's on one time axis, both
memories, the decisive steps, and "what if" swaps of the network's gates into the player's run."""

from __future__ import annotations

import os
import time

import numpy as np
import pygame

from ... import paths
from ...controllers.compare import Comparison
from ...levels import refs
from ...session import replay
from ...strings import t
from .. import chrome, draw, theme
from ..actions import Act, Input
from ..scenes import Scene
from ..views.controls import gate_name

SIDE_W = 360
LABEL_W = 118
GATE_LANE_H = 36
SHOWN = ("forget", "input", "output")  # an LSTM level's gate lanes; a GRU's are update, reset
MEMORY_LANES = (("memory", "player"), ("memory", "model"), ("hidden", "player"), ("hidden", "model"))
HIDDEN_LANES = MEMORY_LANES[2:]  # a GRU's or plain RNN's memory is its hidden state: no separate c strips
STRIP_TITLE = 18  # room above a memory strip for its label
LEGEND_H = 76  # the legend lines under the chart (three when a narrow window wraps them)


def memory_label(kind: str, run: str) -> str:
    """The label of a memory strip: kind "memory" or "hidden", run "player" or "model"."""
    return {
        ("memory", "player"): t("compare.memory.player"),
        ("memory", "model"): t("compare.memory.model"),
        ("hidden", "player"): t("compare.hidden.player"),
        ("hidden", "model"): t("compare.hidden.model"),
    }[kind, run]


def gate_label(gate: str, slot: int, slots: int) -> str:
    """ "× forget", or "× forget 2" when there are several slots."""
    symbol, name = theme.GATE_SYMBOLS[gate], gate_name(gate)
    if slots > 1:
        return t("gate.label.slot", symbol=symbol, gate=name, slot=slot + 1)
    return t("gate.label", symbol=symbol, gate=name)


def plot_geometry(size, S: int, H: int, shown: tuple[str, ...] = SHOWN, strips=MEMORY_LANES):
    """(lanes: [(kind, slot, gate or run, rect)], plot x, plot width) for a window size. Gate lanes
    and the four memory strips (cell state c and hidden state h, the player's run and the network's)
    share the height there is; each memory cell gets 1 to 4 pixel rows."""
    w, h = size
    x0 = 24 + LABEL_W
    width = w - SIDE_W - 48 - LABEL_W - 16
    y = chrome.HEADER_H + 70
    room = h - chrome.FOOTER_H - LEGEND_H - y
    kinds, strips = strips, len(strips)
    n = max(1, len(shown))
    gate_h = max(20, min(GATE_LANE_H, (room - strips * (STRIP_TITLE + 4 + H) - 6 * S) // (n * S)))
    if not shown:
        gate_h = 0
    rows = max(1, min(4, (room - n * S * gate_h - 6 * S - strips * (STRIP_TITLE + 4)) // (strips * H)))
    lanes = []
    for slot in range(S if shown else 0):
        for gate in shown:
            lanes.append(("gate", slot, gate, pygame.Rect(x0, y, width, gate_h - 6)))
            y += gate_h
        y += 6
    for kind, run in kinds:
        y += STRIP_TITLE
        lanes.append((kind, 0, run, pygame.Rect(x0, y, width, rows * H)))
        y += rows * H + 4
    return lanes, x0, width


def lane_kinds(cmp: Comparison) -> tuple[tuple[str, ...], tuple]:
    """(gate lanes in reading order, memory strips) for the level's cell."""
    lstm = cmp.session.cell == "lstm"
    return cmp.session.shown_gates, MEMORY_LANES if lstm else HIDDEN_LANES


def step_x(step: int, x0: int, width: int, T: int) -> int:
    return int(x0 + (step + 0.5) * width / T)


@draw.cached
def _chart(size, cmp: Comparison) -> pygame.Surface:
    """Everything of the chart that depends only on the two runs: drawn once, then blitted."""
    surf = pygame.Surface(size, pygame.SRCALPHA)
    S, T = cmp.S, cmp.T
    H = cmp.player_c.shape[1]
    lanes, x0, width = plot_geometry(size, S, H, *lane_kinds(cmp))
    col = width / T
    for d in cmp.decisive:  # decisive steps: a column behind every lane
        x = int(x0 + d * col)
        top, bottom = lanes[0][3].y - 8, lanes[-1][3].bottom + 4
        pygame.draw.rect(surf, theme.DECISIVE, (x, top, max(2, int(col)), bottom - top))
    for kind, slot, what, r in lanes:
        pygame.draw.rect(surf, theme.PANEL, r)
        if kind == "gate":
            colour = theme.GATE_COLOURS[what]
            g = cmp.gates.index(what) * S + slot
            draw.text(surf, gate_label(what, slot, S), (24, r.centery), 15, colour, "bold", "midleft")
            for step in range(T):  # the player's value: bars
                v = float(cmp.player[step, g])
                bh = int(round(v * r.height))
                if bh:
                    pygame.draw.rect(
                        surf, colour, (int(r.x + step * col), r.bottom - bh, max(1, int(col) - 1), bh)
                    )
            pts = [
                (r.x + (step + 0.5) * col, r.bottom - float(cmp.model[step, g]) * r.height)
                for step in range(T)
            ]
            if len(pts) > 1:  # the network's value: a white line
                pygame.draw.lines(surf, theme.TEXT, False, pts, 2)
        else:
            if kind == "memory":
                c = np.tanh(cmp.player_c if what == "player" else cmp.model_c)  # (T, H)
            else:
                c = cmp.player_h if what == "player" else cmp.model_h
            colour = theme.BELT_EDGE if kind == "memory" else theme.HIDDEN
            draw.text(surf, memory_label(kind, what), (24, r.y - 2), 15, colour, "bold", "bottomleft")
            rh = r.height / H
            for step in range(T):
                for u in range(H):
                    pygame.draw.rect(
                        surf,
                        theme.value_colour(c[step, u]),
                        (int(r.x + step * col), int(r.y + u * rh), max(1, int(col)), max(1, int(rh))),
                    )
    return surf


def value_legend() -> str:
    """How the memory cells' colours read, in the current palette."""
    if theme.palette == "colour-blind":
        return t("compare.legend.cells.colour_blind")
    return t("compare.legend.cells.standard")


def answer_line(c: Comparison) -> str:
    """The player's answer; the percentage is always the right answer's, and says so."""
    s = c.score
    if c.session.task.numeric:
        return t("compare.side.answer.numeric", answer=s.answer)
    if s.correct:
        return t("compare.side.answer.right", answer=s.answer, percent=100 * s.p_right)
    right = c.session.sequence.answer
    return t("compare.side.answer.wrong", answer=s.answer, right=right, percent=100 * s.p_right)


class CompareScene(Scene):
    name = "compare"

    def __init__(self, app, row, session, score=None):
        super().__init__(app)
        self.row = row
        self.cmp = Comparison(session, score)
        self.message = ""

    def geometry(self):
        H = self.cmp.player_c.shape[1]
        return plot_geometry(self.app.screen.get_size(), self.cmp.S, H, *lane_kinds(self.cmp))

    # -- input -----------------------------------------------------------------------------------------
    def raw(self, event) -> bool:
        if event.type in (pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION):
            lanes, x0, width = self.geometry()
            top, bottom = lanes[0][3].y, lanes[-1][3].bottom
            x, y = event.pos
            if (
                x0 <= x < x0 + width
                and top <= y <= bottom
                and (event.type == pygame.MOUSEBUTTONUP or event.buttons[0])
            ):
                self.cmp.select(int((x - x0) * self.cmp.T / width))
            return True
        return False

    def handle(self, inp) -> None:
        if not isinstance(inp, Input):
            return
        c = self.cmp
        self.message = ""  # a message answers the last key; the next one brings the key hints back
        if inp.act in (Act.LEFT, Act.DECREASE):
            c.move(-1)
        elif inp.act in (Act.RIGHT, Act.INCREASE):
            c.move(1)
        elif inp.act == Act.SET_MIN:
            c.select(0)
        elif inp.act == Act.SET_MAX:
            c.select(c.T - 1)
        elif inp.act in (Act.NEXT_SLOT, Act.PREV_SLOT):
            if not c.jump_decisive(1 if inp.act == Act.NEXT_SLOT else -1):
                self.message = t("compare.say.only_decisive") if c.decisive else t("compare.say.no_decisive")
        elif inp.act in (Act.CONFIRM, Act.STEP) and inp.value is None:
            c.swap(False)
        elif inp.act == Act.FROM_HERE:
            c.swap(True)
        elif inp.act == Act.UNDO:
            c.reset()
        elif inp.act == Act.SAVE:
            self.save()
        elif inp.act == Act.EXPLAIN:
            from .explain import ExplainScene

            self.app.stack.push(ExplainScene(self.app, c.session, c.selected, movable=True))
        elif inp.act == Act.BACK:
            self.app.stack.pop()

    def save(self) -> None:
        """The comparison as a PNG and the replay as JSON, side by side in the user's data folder."""
        folder = paths.user_data_dir() / "comparisons"
        stem = f"{refs.safe_stem(self.row.ref)}-{time.strftime('%Y%m%d-%H%M%S')}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{stem}.png.part"
            pygame.image.save(self.app.window, str(tmp), "png")
            os.replace(tmp, folder / f"{stem}.png")
            replay.save(
                folder / f"{stem}.json",
                replay.make(
                    self.cmp.session, self.row.ref, self.app.player or "anonymous", source=self.row.path
                ),
            )
        except (OSError, pygame.error) as e:
            self.message = t("compare.save.failed", error=e)
            return
        self.message = t("compare.save.done", file=f"{stem}.png", folder=folder)

    # -- drawing -----------------------------------------------------------------------------------------
    def draw(self, surface) -> None:
        w, h = surface.get_size()
        c = self.cmp
        surface.fill(theme.BG)
        chrome.header(surface, t("compare.title", title=self.row.level.title), self.app.player or "")
        lanes, x0, width = self.geometry()
        surface.blit(_chart((w, h), c), (0, 0))
        legend = pygame.Rect(24, lanes[-1][3].bottom + 12, x0 + width - 24, LEGEND_H - 16)
        text = t("compare.legend.bars") + "\n" + value_legend()
        lines = len(draw.wrap(text, 15, legend.width))
        spacing = 1.45 if lines * int(15 * 1.45) <= legend.height else 1.3  # three lines: closer
        draw.paragraph(surface, text, legend, 15, theme.DIM, spacing=spacing)
        # the sentence on the axis: the selected word, and a tick for every step
        axis_y = lanes[0][3].y - 14
        for step in range(c.T):
            x = step_x(step, x0, width, c.T)
            pygame.draw.line(surface, theme.FAINT, (x, axis_y - 3), (x, axis_y + 3))
        for d in c.decisive:
            x = step_x(d, x0, width, c.T)
            pygame.draw.polygon(
                surface, theme.BAD, [(x - 6, axis_y - 12), (x + 6, axis_y - 12), (x, axis_y - 3)]
            )
        x = step_x(c.selected, x0, width, c.T)
        pygame.draw.line(surface, theme.FOCUS, (x, axis_y), (x, lanes[-1][3].bottom), 2)
        label = draw.rendered(t("compare.word", word=c.words[c.selected]), 16, theme.FOCUS, "bold")
        lx = max(x0, min(x - label.get_width() // 2, x0 + width - label.get_width()))
        surface.blit(label, (lx, axis_y - 34))
        self.draw_side(
            surface,
            pygame.Rect(
                w - SIDE_W - 24, chrome.HEADER_H + 12, SIDE_W, h - chrome.HEADER_H - chrome.FOOTER_H - 24
            ),
        )
        chrome.footer(
            surface,
            [
                ("← →", t("footer.step")),
                (t("key.tab"), t("footer.next_decisive")),
                (t("key.enter"), t("footer.what_if")),
                ("F", t("footer.from_here")),
                (t("key.bksp"), t("footer.reset")),
                ("X", t("footer.explain")),
                (t("key.ctrl_s"), t("footer.save")),
                (t("key.esc"), t("footer.back")),
            ],
            self.message,
        )

    def draw_side(self, surface, box: pygame.Rect) -> None:
        c = self.cmp
        draw.panel(surface, box)
        x, y, w = box.x + 16, box.y + 14, box.width - 32
        sel = c.selected
        title = t("compare.side.word", n=sel + 1, word=c.words[sel])
        draw.text(surface, draw.fit(title, 20, w), (x, y), 20, theme.TEXT, "bold")
        y += 34
        draw.text(surface, t("compare.side.gate"), (x, y), 15, theme.DIM)
        draw.text(surface, t("compare.side.yours"), (x + 170, y), 15, theme.DIM, anchor="topright")
        draw.text(surface, t("compare.side.network"), (x + 260, y), 15, theme.DIM, anchor="topright")
        y += 22
        mine, its = c.gates_at(sel, "player"), c.gates_at(sel, "model")
        for slot in range(c.S):
            for gate in c.session.shown_gates:
                name = gate_label(gate, slot, c.S)
                differ = abs(mine[slot][gate] - its[slot][gate]) > 1e-6
                colour = theme.FOCUS if differ else theme.TEXT
                draw.text(surface, name, (x, y), 16, theme.GATE_COLOURS[gate])
                draw.text(surface, f"{mine[slot][gate]:.2f}", (x + 170, y), 16, colour, anchor="topright")
                draw.text(surface, f"{its[slot][gate]:.2f}", (x + 260, y), 16, theme.TEXT, anchor="topright")
                y += 22
        y += 8
        weight = c.weights[sel]
        if weight < 1e-3:
            how = t("compare.side.unchanged")
        elif sel in c.decisive:
            how = t("compare.side.weight.decisive", weight=weight)
        else:
            how = t("compare.side.weight", weight=weight)
        y += draw.paragraph(surface, how, pygame.Rect(x, y, w, 66), 15, theme.DIM) + 8
        pygame.draw.line(surface, theme.LINE, (x, y), (x + w, y))
        y += 10
        colour = theme.GOOD if c.score.correct else theme.BAD
        y += draw.paragraph(surface, answer_line(c), pygame.Rect(x, y, w, 44), 16, colour, "bold") + 6
        if c.whatif is not None:
            colour = theme.FOCUS if c.flips else theme.TEXT
            y += draw.paragraph(
                surface, c.whatif.describe(c.words[c.whatif.step]), pygame.Rect(x, y, w, 60), 16, colour
            )
            verdict = t("compare.side.flips") if c.flips else t("compare.side.stays")
            draw.text(surface, verdict, (x, y + 4), 16, colour, "bold")
        else:
            draw.paragraph(
                surface,
                t("compare.side.prompt"),
                pygame.Rect(x, y, w, 60),
                15,
                theme.DIM,
            )
