"""Title: continue, campaign, player, settings, quit."""

from __future__ import annotations

import pygame

from ...controllers.menu import Item, Menu
from ...strings import t
from .. import chrome, draw, theme
from ..actions import Act
from ..menu_view import GAP, ITEM_H, MenuScene, draw_menu
from ..scenes import Scene

MENU_W = 420


class TitleScene(MenuScene, Scene):
    MENU_W = MENU_W
    name = "title"

    def enter(self) -> None:
        self.build()

    def resume(self) -> None:
        self.build()

    def build(self) -> None:
        old = getattr(self, "menu", None)
        focus = old.focus if old and getattr(self, "player", None) == self.app.player else 0
        self.player = self.app.player  # a new player starts at "Continue"
        who = self.app.player or t("title.nobody")
        items = [
            Item(
                "continue",
                t("title.continue"),
                enabled=self.app.player is not None,
                detail="" if self.app.player else t("title.need_player"),
            ),
            Item("campaign", t("title.campaign")),
            Item("join", t("title.join")),
            Item("teacher", t("title.teacher")),
            Item("player", t("title.player", name=who)),
            Item("settings", t("title.settings")),
            Item("quit", t("title.quit")),
        ]
        self.menu = Menu(items, focus)

    def other(self, inp) -> None:
        if inp.act == Act.LAB:
            from .lab import LabScene

            self.app.stack.push(LabScene(self.app))

    def back(self) -> None:
        self.menu.focus = self.menu.index("quit")   # Esc on the title: one more Enter quits

    @property
    def MENU_ITEM_H(self) -> int:  # noqa: N802 - MenuScene's name for it
        return self.item_h()

    def item_h(self, surface_size=None) -> int:
        """Buttons as tall as menus elsewhere when the window has the room, shorter when not: the menu
        fits between the emblem and the notice line."""
        w, h = surface_size or self.app.screen.get_size()
        room = h - chrome.FOOTER_H - 70 - self.top(h)
        per = room / max(1, len(self.menu.items))
        return max(30, min(ITEM_H, int(per * ITEM_H / (ITEM_H + GAP))))

    @staticmethod
    def top(h: int) -> int:
        return min(int(h * 0.42), int(h * 0.16) + 162)

    def menu_pos(self, surface_size=None):
        w, h = surface_size or self.app.screen.get_size()
        return ((w - MENU_W) // 2, self.top(h))

    def choose(self, key: str) -> None:
        from .level_select import LevelSelectScene
        from .profiles import ProfilesScene
        from .settings import SettingsScene

        if key == "quit":
            self.app.running = False
        elif key == "join":  # a class needs a nickname, not a player of this computer
            from .join import JoinScene

            self.app.stack.push(JoinScene(self.app))
        elif key == "teacher":
            from .teacher import TeacherScene

            self.app.stack.push(TeacherScene(self.app))
        elif key == "player" or self.app.player is None:
            # a new player who asked for the campaign goes on to it once named
            after = self.open_campaign if key == "campaign" else None
            self.app.stack.push(ProfilesScene(self.app, after))
        elif key == "campaign":
            self.open_campaign()
        elif key == "continue":
            scene = LevelSelectScene(self.app)
            self.app.stack.push(scene)
            scene.open_focused()
        elif key == "settings":
            self.app.stack.push(SettingsScene(self.app))

    def open_campaign(self) -> None:
        from .level_select import LevelSelectScene

        self.app.stack.push(LevelSelectScene(self.app))

    def draw(self, surface) -> None:
        w, h = surface.get_size()
        surface.fill(theme.BG)
        draw.text(surface, t("app.name"), (w // 2, int(h * 0.16)), 64, theme.FOCUS, "bold", "center")
        draw.text(
            surface,
            t("title.tagline"),
            (w // 2, int(h * 0.16) + 58),
            22,
            theme.TEXT,
            anchor="center",
        )
        self.draw_belt(surface, pygame.Rect(w // 2 - 260, int(h * 0.16) + 92, 520, 40))
        item_h = self.item_h((w, h))
        draw_menu(surface, self.menu, self.menu_pos((w, h)), MENU_W, min(20, item_h // 2), item_h)
        if self.app.notice:
            draw.paragraph(
                surface, self.app.notice, pygame.Rect(24, h - chrome.FOOTER_H - 60, w - 48, 50), 16, theme.BAD
            )
        chrome.footer(
            surface,
            [
                ("↑↓", t("footer.choose")),
                (t("key.enter"), t("footer.open")),
                ("L", t("footer.lab")),
                ("F1", t("footer.help")),
                (t("key.esc"), t("footer.quit")),
            ],
        )

    @staticmethod
    def draw_belt(surface, rect) -> None:
        """A small conveyor belt with the three valves: the game's emblem."""
        pygame.draw.rect(surface, theme.BELT, rect, border_radius=8)
        pygame.draw.rect(surface, theme.BELT_EDGE, rect, 2, border_radius=8)
        for k, gate in enumerate(("forget", "input", "output")):
            cx = rect.x + rect.width * (k + 1) // 4
            box = pygame.Rect(0, 0, 34, rect.height + 12)
            box.center = (cx, rect.centery)
            pygame.draw.rect(surface, theme.GATE_COLOURS[gate], box, border_radius=6)
            draw.text(surface, theme.GATE_SYMBOLS[gate], box.center, 22, theme.BG, "bold", "center")
