"""Results: the answer with the player's gates (and with the network's own), the score in its parts,
stars, and where to go next. Entering it saves the attempt and its replay."""

from __future__ import annotations

import pygame

from ...controllers.level_select import Row
from ...controllers.results import Results
from ...progress import StoreError
from ...strings import t
from .. import chrome, draw, theme
from ..actions import Act
from ..menu_view import MenuScene, draw_menu, menu_height
from ..scenes import Scene
from ..views.controls import gate_name
from ..views.side import draw_bars

MENU_W = 380
ITEM_H = 44
MENU_SIZES = (18, 17, 16, 15)  # the menu's type, largest first


class ResultsScene(MenuScene, Scene):
    MENU_W = MENU_W
    MENU_ITEM_H = ITEM_H
    name = "results"

    def __init__(self, app, row: Row, model, session, assisted: int, started: str | None = None):
        super().__init__(app)
        self.row, self.model, self.session = row, model, session
        self.assisted, self.started = assisted, started

    def enter(self) -> None:
        self.res = Results(
            self.session,
            self.row.ref,
            self.app.player,
            self.app.store,
            self.assisted,
            self.next_level,
            self.started,
            self.row.path,
        )
        self.app.sound.play("win" if self.res.won else "lose")
        self.class_upload = self.hand_in()

    def hand_in(self) -> tuple[str, int | None] | None:
        """In a class: queue this attempt for the class server (or keep it for the offline submission).
        ("sent", upload id) / ("offline", None) / ("not_sent", None) or None outside a class."""
        from ...session import replay

        cls = getattr(self.app, "classroom", None)
        if cls is None or not cls.owns(self.row.ref) or self.assisted:
            return None
        try:
            made = replay.make(self.session, self.row.ref, cls.nickname, self.started)
            text = replay.dumps(made, indent=None)
            upload = cls.submit(self.row.ref, text)
        except (replay.ReplayError, StoreError, ValueError) as e:
            self.res.notice = str(e)
            return ("not_sent", None)
        return ("sent", upload) if upload is not None else ("offline" if not cls.online else "not_sent", None)

    def in_class(self) -> bool:
        cls = getattr(self.app, "classroom", None)
        return cls is not None and cls.owns(self.row.ref)

    def update(self, dt: float) -> None:
        cls = getattr(self.app, "classroom", None)
        if cls is not None and self.class_upload is not None:
            cls.poll()

    def class_note(self) -> tuple[str, tuple] | None:
        """The class line: waiting / verified with the server's score / refused with its reason."""
        if self.class_upload is None:
            return None
        kind, upload = self.class_upload
        if kind == "offline":
            return t("results.class.offline"), theme.DIM
        cls = self.app.classroom
        status = cls.status_of(self.app.store, upload) if (cls is not None and upload is not None) else None
        if status is None:
            return None
        if status["state"] == "accepted":
            return t("results.class.verified", points=status["score"]), theme.GOOD
        if status["state"] == "refused":
            return t("results.class.refused", reason=status["reason"] or "?"), theme.BAD
        if status["tries"] > 0:
            return t("results.class.away"), theme.FOCUS
        return t("results.class.waiting"), theme.DIM

    def next_level(self) -> Row | None:
        from ...controllers.level_select import LevelSelect

        cls = getattr(self.app, "classroom", None)
        if cls is not None and cls.owns(self.row.ref):  # in a class: the challenge's next level
            from .class_levels import class_row

            ids = [cl.id for cl in cls.challenge.levels]
            k = ids.index(self.row.ref) + 1
            return class_row(cls, ids[k]) if k < len(ids) else None
        return LevelSelect(self.app.rows()).next_after(self.row.ref)

    def current_menu(self):
        return self.res.menu

    def back(self) -> None:
        self.choose("back")

    def menu_width(self) -> int:
        """Three tenths of the window, widened (up to MENU_W) until every label fits at the least type."""
        need = max(draw.font(MENU_SIZES[-1], "bold").size(i.label)[0] for i in self.res.menu.items) + 34
        return min(MENU_W, max(self.app.screen.get_width() * 3 // 10, need))

    def menu_size(self) -> int:
        """The largest type at which every label fits whole, focused (bold) or not."""
        room = self.menu_width() - 34
        labels = [i.label for i in self.res.menu.items]
        fits = [z for z in MENU_SIZES if all(draw.font(z, "bold").size(label)[0] <= room for label in labels)]
        return fits[0] if fits else MENU_SIZES[-1]

    def menu_pos(self):
        w, h = self.app.screen.get_size()
        rows = menu_height(len(self.res.menu.items), ITEM_H)
        return (w - self.menu_width() - 40, max(chrome.HEADER_H + 20, h - chrome.FOOTER_H - rows - 30))

    def other(self, inp) -> None:
        if inp.act == Act.EXPLAIN:
            self.choose("explain")

    def choose(self, key) -> None:
        from .play import PlayScene

        if key == "retry":
            self.app.stack.replace(PlayScene(self.app, self.row, self.model))
        elif key == "compare":
            from .compare import CompareScene

            self.app.stack.push(CompareScene(self.app, self.row, self.session, self.res.score))
        elif key == "explain":
            from .explain import ExplainScene

            self.app.stack.push(
                ExplainScene(self.app, self.session, self.session.T - 1, True, quantity="cell")
            )
        elif key == "watch":
            self.app.stack.replace(PlayScene(self.app, self.row, self.model, "model"))
        elif key == "next" and self.res.next_row is not None and self.in_class():
            row = self.res.next_row  # a challenge level: its network is embedded, nothing to load
            self.app.stack.replace(PlayScene(self.app, row, self.app.classroom.level(row.ref).model()))
        elif key == "next" and self.res.next_row is not None:
            from .loading import LoadingScene

            self.app.stack.replace(LoadingScene(self.app, self.res.next_row))
        elif key == "back":
            self.app.stack.pop()

    def draw_level_words(self, surface, rect: pygame.Rect) -> None:
        """Above the menu: the level's own words (the mistake the gating resembles, the solution)."""
        words = self.res.level_words()
        if not words or rect.height < 60:
            return
        x, y, w = rect.x, rect.y, rect.width
        draw.text(surface, draw.fit(t("results.level.title"), 17, w, "bold"), (x, y), 17, theme.TEXT, "bold")
        y += 26
        for k, (title, text) in enumerate(words):
            colour = theme.BAD if k == 0 and self.res.resemblance is not None else theme.GOOD
            y += draw.paragraph(surface, title, pygame.Rect(x, y, w, rect.bottom - y), 16, colour, "bold",
                                max_lines=2)
            if rect.bottom - y < 20:
                break
            y += draw.paragraph(surface, text, pygame.Rect(x, y, w, rect.bottom - y), 16, theme.TEXT) + 8
            if rect.bottom - y < 36:
                break

    def decisive_line(self) -> str:
        """The most decisive difference, in words ("" when there is none)."""
        crit = self.res.score.critical
        if not crit:
            return ""
        d = crit[0]
        return t(
            "results.decisive",
            word=d.word,
            n=d.step + 1,
            gate=gate_name(d.gate),
            player=d.player,
            model=d.model,
            answer=d.answer_if_swapped,
        )

    def column_plan(self, width: int, height: int) -> tuple[int, int, int]:
        """(headline type, rows of answers, explanation type): the largest that lets the whole column
        fit the window's height (a small window gets smaller type and fewer rows before any cut)."""
        r = self.res
        mark_headline = "✓ " + r.headline()
        words, decisive = r.in_words(), self.decisive_line()
        plans = ((24, 3, 15), (21, 3, 15), (21, 2, 15), (19, 2, 14), (19, 1, 14))
        for head, rows, small in plans:
            need = (
                min(70, paragraph_h(mark_headline, head, width, style="bold")) + 6
                + 52
                + 28 + rows * 24 + 14
                + 28 + 24 * len(r.parts()) + 4
                + paragraph_h(words, small, width) + 8
                + (paragraph_h(decisive, 16, width) + 8 if decisive else 0)
            )
            if need <= height:
                return head, rows, small
        return plans[-1]

    def draw(self, surface) -> None:
        """A column that flows from the top: headline, stars, both answers, the score in its parts,
        the most decisive difference; what does not fit the window's height is left out, last first."""
        w, h = surface.get_size()
        r, s = self.res, self.res.score
        surface.fill(theme.BG)
        chrome.header(
            surface,
            t("results.title", number=self.row.number, title=self.row.level.title),
            self.app.player or "",
        )
        mx, my = self.menu_pos()
        x, y = 40, chrome.HEADER_H + 20
        width = mx - 32 - x
        time_up = getattr(self, "time_up", "")  # a class's time limit ran out (set by the play screen)
        bottom = h - chrome.FOOTER_H - (56 if time_up else 34)  # the saved/notice line(s) go below
        colour = theme.GOOD if r.won else theme.FOCUS if s.correct else theme.BAD
        mark = "✓ " if r.won else "✗ "  # the outcome is never told by colour alone
        head, rows, small = self.column_plan(width, bottom - y)
        y += (
            draw.paragraph(
                surface, mark + r.headline(), pygame.Rect(x, y, width, 70), head, colour, "bold"
            )
            + 6
        )
        if not r.assisted:  # autoplay played part of it: not counted, so no stars to show
            draw.stars(surface, (x, y + 20), r.stars, 20)
        draw.text(
            surface,
            t("results.points", points=s.total),
            (x + (0 if r.assisted else 150), y + 20),
            24,
            theme.TEXT,
            "bold",
            "midleft",
        )
        y += 52
        col = (width - 24) // 2
        numeric = self.session.task.numeric
        columns = ((t("results.with_yours"), r.outcome), (t("results.with_network"), r.model_outcome))
        widest = max(columns, key=lambda c: draw.font(17, "bold").size(c[0])[0])[0]
        fits = [z for z in (17, 16, 15, 14) if draw.font(z, "bold").size(widest)[0] <= col]
        title_size = fits[0] if fits else 14  # both titles whole: smaller type in a narrow window
        for k, (title, outcome) in enumerate(columns):
            cx = x + k * (col + 24)
            draw.text(
                surface, draw.fit(title, title_size, col, "bold"), (cx, y), title_size, theme.TEXT, "bold"
            )
            if numeric:
                line = t("answer.numeric", predicted=outcome.predicted, answer=self.session.sequence.answer)
                draw.text(surface, draw.fit(line, 17, col), (cx, y + 30), 17)
            else:
                draw_bars(surface, cx, y + 28, col, outcome.top, str(self.session.sequence.answer), rows)
        y += 28 + rows * 24 + 14
        draw.text(surface, t("results.how"), (x, y), 17, theme.TEXT, "bold")
        y += 28
        parts = r.parts()
        value_w = max(draw.font(16).size(v)[0] for _, v in parts)
        for label, value in parts:
            draw.text(surface, draw.fit(label, 16, width - value_w - 36), (x + 12, y), 16, theme.DIM)
            draw.text(surface, value, (x + width, y), 16, theme.TEXT, anchor="topright")
            y += 24
        y += 4
        words = r.in_words()
        decisive = self.decisive_line()
        if bottom - y >= 60:
            keep = paragraph_h(decisive, 16, width) + 8 if decisive else 0  # room kept for the next one
            room = pygame.Rect(x, y, width, max(paragraph_h(words, small, width, 1), bottom - y - keep))
            y += draw.paragraph(surface, words, room, small, theme.DIM) + 8
        if decisive and bottom - y >= 40:
            y += draw.paragraph(surface, decisive, pygame.Rect(x, y, width, bottom - y), 16, theme.FOCUS) + 8
        note = r.notice or (t("results.saved") if r.saved is not None else "")
        note_colour = theme.DIM
        in_class = self.class_note()
        if in_class is not None:
            note, note_colour = in_class
        if note:
            draw.text(surface, draw.fit(note, 15, width), (x, h - chrome.FOOTER_H - 26), 15, note_colour)
        if time_up:
            draw.text(surface, draw.fit(time_up, 15, width), (x, h - chrome.FOOTER_H - 48), 15, theme.BAD)
        top = chrome.HEADER_H + 20
        self.draw_level_words(surface, pygame.Rect(mx, top, self.menu_width(), my - 16 - top))
        draw_menu(surface, r.menu, (mx, my), self.menu_width(), self.menu_size(), ITEM_H)
        chrome.footer(
            surface,
            [
                ("↑↓", t("footer.choose")),
                (t("key.enter"), t("footer.go")),
                (t("key.esc"), t("footer.level_select")),
            ],
        )


def paragraph_h(text: str, size: int, width: int, most: int | None = None, style: str = "regular") -> int:
    """The height draw.paragraph gives ``text`` (at most ``most`` lines)."""
    lines = len(draw.wrap(text, size, width, style))
    return (lines if most is None else min(most, lines)) * int(size * 1.3)
