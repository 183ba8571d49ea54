"""Who plays: pick a player or type a new name (progress and settings are per player)."""

from __future__ import annotations

from collections.abc import Callable

import pygame

from ...controllers.profiles import NEW, Profiles
from ...progress import StoreError
from ...strings import t
from .. import chrome, draw, theme
from ..actions import Act, Input, TextInput
from ..menu_view import draw_menu, handle_mouse
from ..scenes import Scene

W = 480


class ProfilesScene(Scene):
    name = "profiles"

    def __init__(self, app, after: Callable[[], None] | None = None):
        super().__init__(app)
        self.after = after  # where to go once a player is chosen (default: back where we came from)

    def enter(self) -> None:
        players = []
        if self.app.store is not None:
            try:
                players = self.app.store.players()
            except StoreError as e:
                self.app.notice = str(e)
        self.model = Profiles(players, self.app.player)

    @property
    def typing(self) -> bool:
        return self.model.typing

    def pos(self):
        w, _ = self.app.screen.get_size()
        return ((w - W) // 2, 140)

    def raw(self, event) -> bool:
        if self.model.typing or event.type not in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONUP):
            return False
        key = handle_mouse(self.model.menu, event, self.pos(), W)
        if key:
            self.choose(key)
        return True

    def handle(self, inp) -> None:
        field = self.model.field
        if field is not None:
            if isinstance(inp, TextInput):
                field.type(inp.text)
            elif inp.act == Act.UNDO:
                field.erase()
            elif inp.act == Act.CONFIRM:
                name = field.submit()
                if name is not None:
                    self.done(name)
            elif inp.act == Act.BACK and not self.model.cancel_new():
                self.app.stack.pop()
            return
        if not isinstance(inp, Input):
            return
        if inp.act == Act.UP:
            self.model.menu.move(-1)
        elif inp.act == Act.DOWN:
            self.model.menu.move(1)
        elif inp.act in (Act.CONFIRM, Act.STEP) and inp.value is None:
            self.choose(self.model.menu.choose())
        elif inp.act == Act.BACK:
            self.app.stack.pop()

    def choose(self, key) -> None:
        if key == NEW:
            self.model.start_new()
        elif key:
            self.done(key)

    def done(self, name: str) -> None:
        self.app.set_player(name)
        self.app.stack.pop()
        if self.after is not None:
            self.after()

    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        chrome.header(surface, t("profiles.title"))
        x, y = self.pos()
        field = self.model.field
        if field is None:
            draw.text(
                surface,
                t("profiles.explain"),
                (x + W // 2, 100),
                18,
                theme.DIM,
                anchor="center",
            )
            draw_menu(surface, self.model.menu, (x, y), W)
            keys = [
                ("↑↓", t("footer.choose")),
                (t("key.enter"), t("footer.play_as")),
                (t("key.esc"), t("footer.back")),
            ]
        else:
            draw.text(surface, t("profiles.type_name"), (x, y), 22, theme.TEXT)
            box = pygame.Rect(x, y + 44, W, 56)
            draw.panel(surface, box, theme.PANEL_HI)
            draw.focus_ring(surface, box)
            shown = draw.fit(field.text, 26, W - 40) if field.text else ""
            r = draw.text(surface, shown, (box.x + 16, box.centery), 26, theme.TEXT, anchor="midleft")
            pygame.draw.line(
                surface, theme.FOCUS, (r.right + 3, box.y + 12), (r.right + 3, box.bottom - 12), 2
            )
            if field.error:
                draw.paragraph(surface, field.error, pygame.Rect(x, box.bottom + 16, W, 80), 17, theme.BAD)
            keys = [
                (t("key.enter"), t("footer.done")),
                (t("key.backspace"), t("footer.erase")),
                (t("key.esc"), t("footer.cancel")),
            ]
        chrome.footer(surface, keys)
