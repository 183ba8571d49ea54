"""The help overlay: every key of the game, over whatever screen is open."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from ...strings import t
from .. import draw, theme
from ..actions import Act, Input
from ..scenes import Scene


def key_table() -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(keys, what they do), ...]) in the active language (built when drawn, so a change of
    language shows at once)."""
    return [
        (
            t("help.section.play"),
            [
                (t("help.play.step.keys"), t("help.play.step")),
                (t("help.play.slot.keys"), t("help.play.slot")),
                (t("help.play.gate.keys"), t("help.play.gate")),
                (t("help.play.nudge.keys"), t("help.play.nudge")),
                (t("help.play.full.keys"), t("help.play.full")),
                (t("help.play.presets.keys"), t("help.play.presets")),
                (t("help.play.undo.keys"), t("help.play.undo")),
                (t("help.play.redo.keys"), t("help.play.redo")),
                (t("help.play.hint.keys"), t("help.play.hint")),
                (t("help.play.autoplay.keys"), t("help.play.autoplay")),
                (t("help.play.speed.keys"), t("help.play.speed")),
                (t("help.play.explain.keys"), t("help.play.explain")),
                (t("help.play.leave.keys"), t("help.play.leave")),
            ],
        ),
        (
            t("help.section.explain"),
            [
                (t("help.explain.number.keys"), t("help.explain.number")),
                (t("help.explain.unit.keys"), t("help.explain.unit")),
                (t("help.explain.word.keys"), t("help.explain.word")),
            ],
        ),
        (
            t("help.section.compare"),
            [
                (t("help.compare.step.keys"), t("help.compare.step")),
                (t("help.compare.decisive.keys"), t("help.compare.decisive")),
                (t("help.compare.whatif.keys"), t("help.compare.whatif")),
                (t("help.compare.from_here.keys"), t("help.compare.from_here")),
                (t("help.compare.reset.keys"), t("help.compare.reset")),
                (t("help.compare.save.keys"), t("help.compare.save")),
                (t("help.compare.explain.keys"), t("help.compare.explain")),
            ],
        ),
        (
            t("help.section.levels"),
            [(t("help.levels.replays.keys"), t("help.levels.replays")),
             (t("help.levels.lab.keys"), t("help.levels.lab"))],
        ),
        (
            t("help.section.everywhere"),
            [
                (t("help.all.menus.keys"), t("help.all.menus")),
                (t("help.all.back.keys"), t("help.all.back")),
                (t("help.all.help.keys"), t("help.all.help")),
                (t("help.all.mouse.keys"), t("help.all.mouse")),
            ],
        ),
    ]


# (text size, line height, section heading height): the largest that fits the window is used
SIZES = ((16, 24, 30), (15, 22, 28), (14, 20, 26), (13, 18, 24))
GROUP_GAP = 10  # between two groups of a column
COLUMN_GAP = 36
INDENT = 12  # rows under their section's heading
KEY_GAP = 16  # between a key and what it does


@dataclass(frozen=True)
class Layout:
    size: int
    line: int
    head: int
    key_w: int  # the key column's width
    col_w: int
    columns: tuple[tuple[int, ...], ...]  # indices into the table, per column
    fits: bool


def what_width(col_w: int, key_w: int) -> int:
    """The width left for what a key does, beside the key column."""
    return col_w - INDENT - key_w - KEY_GAP


def group_height(rows, size: int, line: int, head: int, what_w: int) -> int:
    """A section's height: its heading and every row (a long description wraps onto more lines)."""
    return head + sum(line * len(draw.wrap(what, size, what_w)) for _key, what in rows)


def _columns(heights: list[int], n: int) -> tuple[tuple[int, ...], ...]:
    """The groups, in order, split into ``n`` (1 or 2) columns so the taller column is lowest."""
    groups = tuple(range(len(heights)))
    if n == 1 or len(groups) < 2:
        return (groups,)

    def tall(part) -> int:
        return sum(heights[k] for k in part) + GROUP_GAP * max(0, len(part) - 1)

    best = min(range(1, len(groups)), key=lambda k: max(tall(groups[:k]), tall(groups[k:])))
    return (groups[:best], groups[best:])


def plan(table, width: int, height: int) -> Layout:
    """The largest text size, in one column or two, at which every group fits ``width`` × ``height``
    (groups are never split across columns); the smallest size in two columns if nothing fits."""
    last = None
    for size, line, head in SIZES:
        for n in (1, 2):
            col_w = (width - COLUMN_GAP * (n - 1)) // n
            widest = max(draw.font(size, "bold").size(key)[0] for _s, rows in table for key, _w in rows)
            key_w = min(widest, int(col_w * 0.42))
            heights = [group_height(rows, size, line, head, what_width(col_w, key_w)) for _s, rows in table]
            columns = _columns(heights, n)
            tallest = max(sum(heights[k] for k in c) + GROUP_GAP * (len(c) - 1) for c in columns)
            last = Layout(size, line, head, key_w, col_w, columns, tallest <= height)
            if last.fits:
                return last
    return last


class HelpScene(Scene):
    name = "help"
    overlay = True

    def raw(self, event) -> bool:
        if event.type == pygame.MOUSEBUTTONUP:
            self.app.stack.pop()
            return True
        return event.type in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONDOWN)

    def handle(self, inp) -> None:
        if isinstance(inp, Input) and inp.act in (Act.BACK, Act.HELP, Act.CONFIRM, Act.STEP):
            self.app.stack.pop()

    def draw(self, surface) -> None:
        w, h = surface.get_size()
        shade = pygame.Surface((w, h), pygame.SRCALPHA)
        shade.fill((0, 0, 0, 170))
        surface.blit(shade, (0, 0))
        box = pygame.Rect(0, 0, min(1100, w - 60), min(700, h - 40))
        box.center = (w // 2, h // 2)
        draw.panel(surface, box, theme.PANEL, border=theme.FOCUS)
        draw.text(surface, t("help.title"), (box.x + 28, box.y + 18), 26, theme.FOCUS, "bold")
        content = pygame.Rect(box.x + 28, box.y + 60, box.width - 56, box.height - 60 - 40)
        table = key_table()
        lay = plan(table, content.width, content.height)
        for n, groups in enumerate(lay.columns):
            col = pygame.Rect(content.x + n * (lay.col_w + COLUMN_GAP), content.y, lay.col_w, content.height)
            self.draw_column(surface, col, [table[k] for k in groups], lay)
        draw.text(
            surface,
            t("help.close"),
            (box.centerx, box.bottom - 22),
            15,
            theme.DIM,
            anchor="center",
        )

    @staticmethod
    def draw_column(surface, col: pygame.Rect, groups, lay: Layout) -> None:
        """Sections top to bottom: a heading, then each key with what it does (wrapped); what does not
        fit the column's height is left out."""
        y = col.y
        key_x = col.x + INDENT
        what_x = key_x + lay.key_w + KEY_GAP
        what_w = what_width(lay.col_w, lay.key_w)
        for section, rows in groups:
            if y + lay.head > col.bottom:
                return
            draw.text(
                surface,
                draw.fit(section, lay.size + 3, col.width, "bold"),
                (col.x, y),
                lay.size + 3,
                theme.TEXT,
                "bold",
                box=col,
            )
            y += lay.head
            for key, what in rows:
                lines = draw.wrap(what, lay.size, what_w)
                if y + lay.line * len(lines) > col.bottom:
                    return
                draw.text(
                    surface,
                    draw.fit(key, lay.size, lay.key_w, "bold"),
                    (key_x, y),
                    lay.size,
                    theme.FOCUS,
                    "bold",
                    box=col,
                )
                for k, text in enumerate(lines):
                    draw.text(surface, text, (what_x, y + k * lay.line), lay.size, theme.TEXT, box=col)
                y += lay.line * len(lines)
            y += GROUP_GAP
