"""The lab: a plain tanh RNN, a GRU and an LSTM trained on the same task, side by side.

Two charts from real runs (game/lab): held-out accuracy against lag per cell, and the norm of the
gradient reaching a state d steps back against d on a log axis, at initialisation (dashed) and after
training (solid). The shipped results (assets/lab/results.json) open at once; "Run it now" trains one
cell at one lag here, in a worker thread (game/controllers/lab.py), with a progress bar and Esc to
cancel, and adds the point to the chart as a ring: yours. Cells differ by marker shape as well as colour.
"""

from __future__ import annotations

import math

import pygame

from ...controllers.lab import CANCELLED, CELL_NAMES, DONE, FAILED, SOLVED_PERCENT, Lab
from ...controllers.menu import Item, Menu
from ...lab.limits import CELLS
from ...strings import t
from .. import chrome, draw, theme
from ..actions import Act
from ..menu_view import MenuScene, draw_menu
from ..scenes import Scene

MENU_W, ITEM_H, PAD = 270, 34, 20
LEGEND_H = 26


def cell_colour(cell: str):
    gates = theme.GATE_COLOURS
    return {"rnn": gates["forget"], "gru": theme.HIDDEN, "lstm": gates["input"]}[cell]


def marker(surface, cell: str, pos, r: int = 5, ring: bool = False) -> None:
    """RNN a circle, GRU a square, LSTM a triangle (never colour alone); ``ring``: the player's run."""
    x, y = int(pos[0]), int(pos[1])
    colour = cell_colour(cell)
    if ring:
        pygame.draw.circle(surface, theme.FOCUS, (x, y), r + 6, 2)
    if cell == "rnn":
        pygame.draw.circle(surface, colour, (x, y), r)
    elif cell == "gru":
        pygame.draw.rect(surface, colour, (x - r, y - r, 2 * r, 2 * r))
    else:
        pygame.draw.polygon(surface, colour, [(x, y - r - 1), (x - r - 1, y + r), (x + r + 1, y + r)])


def dashed(surface, colour, points, width: int = 2, dash: int = 6) -> None:
    """A polyline drawn in dashes of ``dash`` pixels."""
    on, left = True, dash
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        length = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while pos < length:
            step = min(left, length - pos)
            if on:
                a, b = pos / length, (pos + step) / length
                pygame.draw.line(surface, colour, (x0 + a * (x1 - x0), y0 + a * (y1 - y0)),
                                 (x0 + b * (x1 - x0), y0 + b * (y1 - y0)), width)
            pos += step
            left -= step
            if left <= 0:
                on, left = not on, dash


def _frame(surf, title: str) -> pygame.Rect:
    """Panel, title, and the plot area inside (room left for tick labels)."""
    w, h = surf.get_size()
    draw.panel(surf, surf.get_rect(), theme.PANEL, radius=8)
    draw.text(surf, draw.fit(title, 16, w - 24, "bold"), (12, 8), 16, theme.TEXT, "bold")
    return pygame.Rect(52, 36, w - 52 - 16, h - 36 - 42)


@draw.cached
def accuracy_chart(size, runs: tuple, yours: tuple) -> pygame.Surface:
    """Held-out accuracy (0..100%) against lag (log scale); one line per cell through the mean over seeds."""
    surf = pygame.Surface(size, pygame.SRCALPHA)
    plot = _frame(surf, t("lab.chart.accuracy"))
    gaps = sorted({r.gap for r in runs} | {r.gap for r in yours}) or [5, 100]
    lo, hi = math.log(min(gaps)), math.log(max(gaps))
    span = hi - lo or 1.0

    def px(gap, acc):
        x = plot.x + 10 + (math.log(gap) - lo) / span * (plot.width - 20)
        return x, plot.bottom - acc * plot.height

    for frac in (0.0, 0.5, 1.0):
        y = plot.bottom - frac * plot.height
        pygame.draw.line(surf, theme.LINE, (plot.x, y), (plot.right, y), 1)
        draw.text(surf, f"{frac:.0%}", (plot.x - 6, y), 13, theme.DIM, anchor="midright")
    solved_y = plot.bottom - SOLVED_PERCENT / 100 * plot.height
    dashed(surf, theme.DIM, [(plot.x, solved_y), (plot.right, solved_y)], 1, 4)
    draw.text(surf, t("lab.chart.solved", percent=SOLVED_PERCENT), (plot.right - 4, solved_y + 3), 12,
              theme.DIM, anchor="topright")
    for g in gaps:
        x, _ = px(g, 0)
        pygame.draw.line(surf, theme.LINE, (x, plot.bottom), (x, plot.bottom + 4), 1)
        draw.text(surf, str(g), (x, plot.bottom + 6), 13, theme.DIM, anchor="midtop")
    draw.text(surf, t("lab.chart.accuracy.x"), (plot.centerx, plot.bottom + 24), 13, theme.DIM,
              anchor="midtop")
    for cell in CELLS:
        mine = [r for r in runs if r.cell == cell]
        by_gap = {}
        for r in mine:
            by_gap.setdefault(r.gap, []).append(r.accuracy)
        pts = [px(g, sum(a) / len(a)) for g, a in sorted(by_gap.items())]
        if len(pts) > 1:
            pygame.draw.lines(surf, cell_colour(cell), False, pts, 2)
        for r in mine:
            marker(surf, cell, px(r.gap, r.accuracy))
    for r in yours:
        marker(surf, r.cell, px(r.gap, r.accuracy), ring=True)
    return surf


@draw.cached
def gradient_chart(size, points: tuple) -> pygame.Surface:
    """log10 of the gradient norm against distance: dashed at initialisation, solid after training."""
    surf = pygame.Surface(size, pygame.SRCALPHA)
    plot = _frame(surf, t("lab.chart.gradient"))
    norms = [p.norm for p in points if p.norm > 0]
    if not norms:
        return surf
    top = max(0, math.ceil(math.log10(max(norms))))
    bottom = math.floor(math.log10(min(norms)))
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if (top - bottom) / s <= 6)  # a few round decades
    bottom = top - step * math.ceil((top - bottom) / step)
    far = max(p.distance for p in points)

    def px(d, norm):
        y = (top - math.log10(max(norm, 10.0 ** bottom))) / (top - bottom or 1)
        return plot.x + d / far * plot.width, plot.y + y * plot.height

    for e in range(bottom, top + 1, step):
        _, y = px(0, 10.0 ** e)
        pygame.draw.line(surf, theme.LINE, (plot.x, y), (plot.right, y), 1)
        draw.text(surf, f"1e{e}" if e else "1", (plot.x - 6, y), 13, theme.DIM, anchor="midright")
    ticks = [d for d in (0, far // 4, far // 2, 3 * far // 4, far)]
    for d in dict.fromkeys(ticks):
        x, _ = px(d, 1.0)
        pygame.draw.line(surf, theme.LINE, (x, plot.bottom), (x, plot.bottom + 4), 1)
        draw.text(surf, str(d), (x, plot.bottom + 6), 13, theme.DIM, anchor="midtop")
    draw.text(surf, t("lab.chart.gradient.x"), (plot.centerx, plot.bottom + 24), 13, theme.DIM,
              anchor="midtop")
    for cell in CELLS:
        for trained in (False, True):
            pts = [px(p.distance, p.norm) for p in sorted(points, key=lambda p: p.distance)
                   if p.cell == cell and p.trained == trained]
            if len(pts) < 2:
                continue
            if trained:
                pygame.draw.lines(surf, cell_colour(cell), False, pts, 2)
            else:
                dashed(surf, cell_colour(cell), pts, 2)
            marker(surf, cell, pts[-1], 4)
    return surf


class LabScene(MenuScene, Scene):
    MENU_W = MENU_W
    MENU_ITEM_H = ITEM_H
    name = "lab"

    def __init__(self, app, lab: Lab | None = None):
        super().__init__(app)
        self.lab = lab if lab is not None else Lab()
        self.last_state = None

    def enter(self) -> None:
        self.build()

    def leave(self) -> None:
        self.lab.cancel()

    def build(self) -> None:
        focus = self.menu.focus if hasattr(self, "menu") else len(self.items()) - 1
        self.menu = Menu(self.items(), focus)

    def items(self) -> list[Item]:
        lab = self.lab
        run = t("lab.item.running") if lab.running else t("lab.item.run")
        return [
            Item("task", t("lab.item.task", task=t("lab.task.adding") if lab.task == "adding"
                                                else t("lab.task.carry"))),
            Item("cell", t("lab.item.cell", cell=CELL_NAMES[lab.cell])),
            Item("gap", t("lab.item.gap", gap=lab.gap)),
            Item("run", run),
        ]

    # -- layout --------------------------------------------------------------------------------------
    def layout(self):
        w, h = self.app.screen.get_size()
        top, bottom = chrome.HEADER_H + 12, h - chrome.FOOTER_H - 12
        chart_h = max(196, min(320, (bottom - top) * 42 // 100))
        half = (w - 3 * PAD) // 2
        left = pygame.Rect(PAD, top, half, chart_h)
        right = pygame.Rect(2 * PAD + half, top, w - 3 * PAD - half, chart_h)
        legend = pygame.Rect(PAD, left.bottom + 6, w - 2 * PAD, LEGEND_H)
        below = legend.bottom + 8
        menu = pygame.Rect(PAD, below, MENU_W, bottom - below)
        text = pygame.Rect(menu.right + PAD + 8, below, w - menu.right - 2 * PAD - 8, bottom - below)
        return left, right, legend, menu, text

    def menu_pos(self):
        return self.layout()[3].topleft

    # -- input ---------------------------------------------------------------------------------------
    def choose(self, key: str) -> None:
        if key == "run":
            if not self.lab.running:
                self.lab.start()
        else:
            self.lab.step(key, 1)
        self.build()

    def other(self, inp) -> None:
        key = self.menu.choose()
        if inp.act in (Act.RIGHT, Act.INCREASE, Act.LEFT, Act.DECREASE) and key in ("task", "cell", "gap"):
            self.lab.step(key, 1 if inp.act in (Act.RIGHT, Act.INCREASE) else -1)
            self.build()

    def back(self) -> None:
        if self.lab.running:
            self.lab.cancel()  # Esc cancels the run first; a second Esc leaves
        else:
            self.app.stack.pop()

    def moving(self) -> bool:
        return self.lab.running

    def update(self, dt: float) -> None:
        job = self.lab.job
        state = job.state if job is not None else None
        if state != self.last_state:
            self.last_state = state
            self.lab.collect()
            self.build()

    # -- drawing -------------------------------------------------------------------------------------
    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        chrome.header(surface, t("lab.title"), t("lab.header.right"))
        left, right, legend, menu_rect, text_rect = self.layout()
        shown = self.lab.shown
        runs = shown.runs if shown else ()
        grads = shown.gradients if shown else ()
        surface.blit(accuracy_chart(left.size, tuple(runs), tuple(self.lab.yours_shown())), left)
        surface.blit(gradient_chart(right.size, tuple(grads)), right)
        self.draw_legend(surface, legend)
        shown_menu = draw_menu(surface, self.menu, menu_rect.topleft, MENU_W, 17, ITEM_H)
        top = shown_menu.bottom + 12
        status = pygame.Rect(menu_rect.x, top, MENU_W, menu_rect.bottom - top)
        self.draw_status(surface, status)
        self.draw_text(surface, text_rect)
        chrome.footer(surface, [
            ("↑↓", t("footer.choose")),
            (t("key.enter_or_arrows"), t("footer.change")),
            (t("key.esc"), t("footer.cancel") if self.lab.running else t("footer.back")),
            ("F1", t("footer.help")),
        ])

    def draw_legend(self, surface, rect) -> None:
        x, cy = rect.x + 8, rect.centery
        for cell in CELLS:
            marker(surface, cell, (x + 6, cy))
            name = draw.text(surface, CELL_NAMES[cell], (x + 18, cy), 15, theme.TEXT, "bold", "midleft")
            x = name.right + 22
        for words in (t("lab.legend.init"), t("lab.legend.trained"), t("lab.legend.yours")):
            x = draw.text(surface, words, (x, cy), 14, theme.DIM, anchor="midleft").right + 20

    def draw_status(self, surface, rect) -> None:
        job = self.lab.job
        if job is None:
            draw.paragraph(surface, t("lab.item.detail"), rect, 14, theme.DIM)
            return
        if job.state == "running":
            draw.bar(surface, pygame.Rect(rect.x, rect.y, rect.width, 10), job.fraction,
                     cell_colour(job.cell))
            line = t("lab.run.progress", cell=CELL_NAMES[job.cell], gap=job.gap, seed=job.seed,
                     percent=100 * job.fraction,
                     accuracy=100 * (job.accuracy or 0.0))
        elif job.state == DONE and job.result is not None:
            r = job.result
            line = t("lab.run.done", cell=CELL_NAMES[r.cell], gap=r.gap, seed=r.seed,
                     accuracy=100 * r.accuracy, seconds=r.seconds,
                     verdict=t("lab.run.solved") if r.solved else t("lab.run.unsolved"))
        elif job.state == CANCELLED:
            line = t("lab.run.cancelled")
        elif job.state == FAILED:
            line = job.error
        else:
            return
        draw.paragraph(surface, line, pygame.Rect(rect.x, rect.y + 16, rect.width, rect.height - 16), 14,
                       theme.BAD if job.state == FAILED else theme.TEXT)

    def draw_text(self, surface, rect) -> None:
        y = rect.y
        lines = ([self.lab.error] if self.lab.error else []) + self.lab.summary()
        for line in lines:
            y += draw.paragraph(surface, line, pygame.Rect(rect.x, y, rect.width, rect.bottom - y), 15,
                                theme.TEXT) + 6
        y += 4
        if y < rect.bottom:
            draw.paragraph(surface, self.lab.paper(), pygame.Rect(rect.x, y, rect.width, rect.bottom - y), 14,
                           theme.DIM)
