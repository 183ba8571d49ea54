"""The side panel: what the memory says, the network's answer at the blank, the hint, autoplay status,
and buttons for the mouse."""

from __future__ import annotations

import pygame

from ...controllers.play import PlayController
from ...strings import t
from .. import draw, theme

ROW = 24


def button_labels() -> tuple[str, str, str, str]:
    """The mouse buttons under the side panel: step, undo, redo, hint (layout.buttons' order)."""
    return (t("side.button.step"), t("side.button.undo"), t("side.button.redo"), t("side.button.hint"))


def draw_bars(surface, x: int, y: int, width: int, items, highlight: str | None, rows: int = 3) -> int:
    shown = list(items)[:rows]
    # the words' column is as wide as its longest word (the bars give way), up to half the width
    words_w = max((draw.font(17, "bold").size(str(word))[0] for word, _ in shown), default=0)
    label_w = max(min(128, width // 3 + 8), min(words_w + 12, width // 2))
    for word, p in shown:
        draw.text(
            surface,
            draw.fit(str(word), 17, label_w - 8, "bold"),
            (x, y + 10),
            17,
            theme.FOCUS if word == highlight else theme.TEXT,
            "bold",
            "midleft",
        )
        draw.bar(surface, pygame.Rect(x + label_w, y + 3, width - label_w - 56, 14), p, theme.BELT_EDGE)
        draw.text(
            surface,
            t("side.bars.percent", percent=100 * p),
            (x + width, y + 10),
            16,
            theme.DIM,
            anchor="midright",
        )
        y += ROW
    return y


TEXT_HINT_SIZE, TEXT_HINT_LINES = 15, 4


def text_hint_lines(ctl: PlayController, width: int) -> tuple[str, ...]:
    """The level's hint on screen, wrapped to the panel (at most TEXT_HINT_LINES lines)."""
    if ctl.text_hint is None:
        return ()
    return draw.wrap(ctl.text_hint, TEXT_HINT_SIZE, width)[:TEXT_HINT_LINES]


def draw_text_hint(surface, x: int, y: int, w: int, ctl: PlayController) -> int:
    """The level's own hint (its teacher's words), under a title that says whose words they are."""
    pygame.draw.line(surface, theme.LINE, (x, y), (x + w, y))
    y += 10
    title = t("side.hint.text.title", n=ctl.text_hints_read, total=len(ctl.session.level.hints))
    draw.text(surface, draw.fit(title, 16, w, "bold"), (x, y), 16, theme.TEXT, "bold")
    y += 22
    lines = text_hint_lines(ctl, w)
    draw.paragraph(surface, " ".join(lines), pygame.Rect(x, y, w, 20 * len(lines)), TEXT_HINT_SIZE,
                   theme.TEXT, spacing=1.3, max_lines=TEXT_HINT_LINES)
    return y + 20 * len(lines) + 4


def draw_says(surface, x: int, y: int, w: int, snap, slots: int, rows: int) -> int:
    """What the memory would answer if revealed: one slot's top answers, or each slot's best one."""
    if slots == 1:
        return draw_bars(surface, x, y, w, snap.says[0], None, max(1, rows))
    best = [(t("side.memory.slot_word", n=k + 1, word=says[0][0]), says[0][1])
            for k, says in enumerate(snap.says)]
    return draw_bars(surface, x, y, w, best, None, slots)


def draw_side(surface, rect: pygame.Rect, buttons: tuple[pygame.Rect, ...], ctl: PlayController) -> None:
    """Top to bottom: what the memory says, the answer (from the blank on), the level's text hint and
    the network's gates from the player's memory; in a short window the lists get fewer rows, and at
    the blank the answer wins over what the memory says."""
    draw.panel(surface, rect)
    s = ctl.session
    snap = ctl.snapshot
    x, w = rect.x + 16, rect.width - 32
    y = rect.y + 12
    numeric = s.task.numeric
    answer = snap.prediction is not None
    hint = ctl.hint is not None and ctl.hint_step == s.step
    room = buttons[0].y - 8 - y
    text_h = 36 + 20 * len(text_hint_lines(ctl, w)) if ctl.text_hint is not None else 0
    hint_title = draw.wrap(t("side.hint.title"), 16, w, "bold")[:2]
    hint_h = (12 + 22 * len(hint_title) + 22 * s.S if hint else 0) + text_h
    lists = 1 + answer
    if s.S > 1 and not numeric:  # one row per slot: the lists below get the rest
        room -= ROW * (s.S - 1)
    title = (
        t("side.answer.title.numeric") if numeric else t("side.answer.title", answer=s.sequence.answer)
    )
    title_lines = draw.wrap(title, 17, w, "bold") if answer else ()
    fixed = 34 + (10 + 22 * len(title_lines) + 4 if answer else 0) + hint_h
    rows = 1 if numeric else max(0, min(3, (room - fixed) // (ROW * lists)))
    says = True
    if answer and (rows == 0 or (numeric and room < fixed + 60)):
        says, fixed, lists = False, fixed - 34, 1  # at the blank the answer matters most
        rows = 1 if numeric else max(1, min(3, (room - fixed) // ROW))
    if says:
        title = (
            t("side.memory.holds") if numeric
            else t("side.memory.says.direct") if s.cell != "lstm"  # a GRU's or RNN's memory is h itself
            else t("side.memory.says") if s.S == 1 else t("side.memory.says.slots")
        )
        draw.text(surface, draw.fit(title, 18, w, "bold"), (x, y), 18, theme.TEXT, "bold")
        y += 28
        if numeric:
            line = t("side.memory.numeric", value=snap.says[0][0][0])
            draw.text(surface, draw.fit(line, 17, w), (x, y), 17, theme.BELT_EDGE)
            y += 30
        else:
            y = draw_says(surface, x, y, w, snap, s.S, rows)
        y += 6
    if answer:
        if says:
            pygame.draw.line(surface, theme.LINE, (x, y), (x + w, y))
            y += 10
        for line in title_lines:  # the whole title, on two lines in a narrow panel
            draw.text(surface, line, (x, y), 17, theme.GATE_COLOURS["output"], "bold")
            y += 22
        y += 4
        if numeric:
            line = t("answer.numeric", predicted=snap.prediction.predicted, answer=s.sequence.answer)
            draw.text(surface, draw.fit(line, 17, w), (x, y), 17)
            y += 28
        else:
            y = draw_bars(surface, x, y, w, snap.prediction.top, str(s.sequence.answer), max(1, rows))
    if ctl.text_hint is not None and buttons[0].y - 8 - y >= hint_h:
        y = draw_text_hint(surface, x, y, w, ctl)
    if hint and buttons[0].y - 8 - y >= hint_h - text_h:
        pygame.draw.line(surface, theme.LINE, (x, y), (x + w, y))
        y += 10
        lines = []
        for slot in range(s.S):
            vals = " ".join(
                t("side.hint.value", letter=theme.GATE_LETTERS[g], value=ctl.hint[g][slot])
                for g in ctl.shown_gates
            )
            lines.append(t("side.hint.slot", n=slot + 1, values=vals) if s.S > 1 else vals)
        for line in hint_title:  # whose gates these are: the network's, from *your* memory now
            draw.text(surface, line, (x, y), 16, theme.FOCUS, "bold")
            y += 22
        for line in lines:
            draw.text(surface, draw.fit(line, 16, w), (x, y), 16, theme.FOCUS)
            y += 22
    labels = button_labels()
    size = button_size(labels, buttons[0].width)
    for label, r in zip(labels, buttons, strict=True):
        draw.button(surface, r, label, size=size)


def button_size(labels, width: int) -> int:
    """The largest type (16 px down to 12) at which every button keeps its whole label."""
    for size in (16, 15, 14, 13):
        if all(draw.font(size).size(label)[0] <= width - 16 for label in labels):
            return size
    return 12
