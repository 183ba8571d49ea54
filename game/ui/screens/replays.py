"""Saved replays of a level (the player's attempts) and replay files, to open in the comparison
screen. Reached with O from level select."""

from __future__ import annotations

import pygame

from ... import paths
from ...controllers.level_select import Row
from ...controllers.replays import ReplayList, attempt_entries, file_entries
from ...strings import t
from .. import chrome, draw, theme
from ..menu_view import MenuScene, draw_menu, handle_mouse
from ..scenes import Scene

W, ITEM_H = 560, 38
INTRO_SIZE, INTRO_STEP = 15, 19


def replay_folders() -> list:
    """Where replay files are looked for: saved comparisons, and a folder for files from others."""
    data = paths.user_data_dir()
    return [data / "comparisons", data / "replays"]


class ReplaysScene(MenuScene, Scene):
    MENU_W = W
    MENU_ITEM_H = ITEM_H
    name = "replays"

    def __init__(self, app, row: Row):
        super().__init__(app)
        self.row = row

    def enter(self) -> None:
        entries = attempt_entries(self.app.store, self.app.player, self.row.ref)
        self.list = ReplayList(entries + file_entries(replay_folders(), self.row.ref))

    def current_menu(self):
        return self.list.menu

    def intro(self) -> tuple[str, ...]:
        """The introduction's lines: as many as it takes (the folder's path may be long)."""
        return draw.wrap(t("replays.intro", folder=replay_folders()[1]), INTRO_SIZE, W)

    def menu_pos(self):
        w, _ = self.app.screen.get_size()
        return ((w - W) // 2, chrome.HEADER_H + 12 + len(self.intro()) * INTRO_STEP + 12)

    def visible(self) -> int:
        """How many rows fit; the menu scrolls by keeping the focus inside this window."""
        _, h = self.app.screen.get_size()
        return max(3, (h - chrome.FOOTER_H - 90 - self.menu_pos()[1]) // (ITEM_H + 9))

    def view(self):
        """The rows in sight: a window of the list that keeps the focus (and one more) visible."""
        menu, n = self.list.menu, self.visible()
        first = max(0, min(menu.focus - n + 2, len(menu.items) - n))
        return menu.window(first, n)

    def raw(self, event) -> bool:
        if event.type not in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONUP):
            return False
        view = self.view()
        key = handle_mouse(view, event, self.menu_pos(), W, ITEM_H)
        self.list.menu.point(view.offset + view.focus)
        if key:
            self.choose(key)
        return True

    def choose(self, key: str) -> None:
        if key == "back":
            self.app.stack.pop()
            return
        v = self.list.open(key)
        if v is None:
            return  # the error is shown under the list
        from .compare import CompareScene

        row = self.row
        if v.level != row.ref.split("/")[-1] and not row.ref.endswith(v.level):
            from ..launch import LaunchError, level_row

            try:
                row = level_row(v.source or v.level)
            except LaunchError as e:
                self.list.error = str(e)
                return
        scene = CompareScene(self.app, row, v.session, v.score)
        if v.hints_self_reported:
            scene.message = t("replays.hints_self_reported", hints=v.score.hints)
        self.app.stack.push(scene)

    def draw(self, surface) -> None:
        w, h = surface.get_size()
        surface.fill(theme.BG)
        chrome.header(surface, t("replays.title", title=self.row.title), self.app.player or "")
        x, y = self.menu_pos()
        for k, line in enumerate(self.intro()):
            box = pygame.Rect(x, chrome.HEADER_H + 12, W, y - 12 - chrome.HEADER_H - 12)
            draw.text(surface, line, (x, box.y + k * INTRO_STEP), INTRO_SIZE, theme.DIM, box=box)
        draw_menu(
            surface, self.view(), (x, y), W, 17, ITEM_H, pygame.Rect(x, h - chrome.FOOTER_H - 70, W, 24)
        )
        if self.list.error:
            draw.paragraph(
                surface, self.list.error, pygame.Rect(x, h - chrome.FOOTER_H - 46, W, 40), 15, theme.BAD
            )
        chrome.footer(
            surface,
            [
                ("↑↓", t("footer.choose")),
                (t("key.enter"), t("footer.open")),
                (t("key.esc"), t("footer.back")),
            ],
        )
