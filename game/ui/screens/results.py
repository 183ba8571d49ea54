"""Results: the answer with the player's gates (and with the network's own), the score in its parts,
stars, and where to go next. Entering it saves the attempt and its replay."""

from __future__ import annotations

import pygame

from ...controllers.level_select import Row
from ...controllers.results import Results
from .. import chrome, draw, theme
from ..menu_view import MenuScene, draw_menu
from ..scenes import Scene
from ..views.side import draw_bars

MENU_W = 380


class ResultsScene(MenuScene, Scene):
    MENU_W = MENU_W
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
        )
        self.app.sound.play("win" if self.res.won else "lose")

    def next_level(self) -> Row | None:
        from ...controllers.level_select import LevelSelect

        return LevelSelect(self.app.rows()).next_after(self.row.ref)

    def current_menu(self):
        return self.res.menu

    def back(self) -> None:
        self.choose("back")

    def menu_pos(self):
        w, h = self.app.screen.get_size()
        return (w - MENU_W - 48, h - chrome.FOOTER_H - len(self.res.menu.items) * 60 - 40)

    def choose(self, key) -> None:
        from .play import PlayScene

        if key == "retry":
            self.app.stack.replace(PlayScene(self.app, self.row, self.model))
        elif key == "compare":
            from .compare import CompareScene

            self.app.stack.push(CompareScene(self.app, self.row, self.session, self.res.score))
        elif key == "watch":
            self.app.stack.replace(PlayScene(self.app, self.row, self.model, "model"))
        elif key == "next" and self.res.next_row is not None:
            from .loading import LoadingScene

            self.app.stack.replace(LoadingScene(self.app, self.res.next_row))
        elif key == "back":
            self.app.stack.pop()

    def draw(self, surface) -> None:
        w, h = surface.get_size()
        r, s = self.res, self.res.score
        surface.fill(theme.BG)
        chrome.header(surface, f"{self.row.number}. {self.row.level.title}: results", self.app.player or "")
        x, y = 48, chrome.HEADER_H + 28
        colour = theme.GOOD if r.won else theme.FOCUS if s.correct else theme.BAD
        draw.paragraph(surface, r.headline(), pygame.Rect(x, y, w - MENU_W - 140, 70), 28, colour, "bold")
        y += 48
        draw.stars(surface, (x, y + 22), s.stars, 22)
        draw.text(surface, f"{s.total:.0f} points", (x + 170, y + 22), 26, theme.TEXT, "bold", "midleft")
        y += 64
        col = (w - MENU_W - 140) // 2
        numeric = self.session.task.numeric
        for k, (title, outcome) in enumerate(
            (("With your gates", r.outcome), ("With the network's own gates", r.model_outcome))
        ):
            cx = x + k * (col + 24)
            draw.text(surface, title, (cx, y), 19, theme.TEXT, "bold")
            if numeric:
                draw.text(
                    surface,
                    f"answer {outcome.predicted}  (needs {self.session.sequence.answer})",
                    (cx, y + 34),
                    18,
                )
            else:
                draw_bars(surface, cx, y + 32, col - 24, outcome.top, str(self.session.sequence.answer))
        y += 32 + 3 * 28 + 24
        draw.text(surface, "How the score is made", (x, y), 19, theme.TEXT, "bold")
        y += 32
        for label, value in r.parts():
            draw.text(surface, label, (x + 12, y), 17, theme.DIM)
            draw.text(surface, value, (x + col + 60, y), 17, theme.TEXT, anchor="topright")
            y += 26
        crit = s.critical
        if crit:
            d = crit[0]
            y += 10
            line = (
                f"Most decisive difference: at “{d.word}” (word {d.step + 1}) your {d.gate} gate was "
                f"{d.player:.2f}, the network's {d.model:.2f}; with the network's value the answer would be "
                f"{d.answer_if_swapped}."
            )
            y += draw.paragraph(surface, line, pygame.Rect(x, y, w - MENU_W - 140, 80), 17, theme.FOCUS)
        if r.notice:
            draw.paragraph(
                surface,
                r.notice,
                pygame.Rect(x, h - chrome.FOOTER_H - 60, w - MENU_W - 140, 50),
                16,
                theme.DIM,
            )
        elif r.saved is not None:
            draw.text(
                surface,
                "Saved to your progress, with the replay.",
                (x, h - chrome.FOOTER_H - 36),
                16,
                theme.DIM,
            )
        draw_menu(surface, r.menu, self.menu_pos(), MENU_W)
        chrome.footer(surface, [("↑↓", "choose"), ("Enter", "go"), ("Esc", "level select")])
