"""Settings of the current player; each change is saved at once and takes effect at once."""

from __future__ import annotations

import pygame

from ...controllers.menu import Item, Menu
from ...strings import t
from .. import chrome, theme
from ..actions import Act
from ..menu_view import MenuScene, draw_menu
from ..scenes import Scene

W, ITEM_H = 500, 38
TOGGLES = ("reduced_motion", "show_numbers", "high_contrast", "unlock_all")


def onoff(value: bool) -> str:
    return t("settings.on") if value else t("settings.off")


def palette_name(palette: str) -> str:
    return t("settings.palette.colour_blind") if palette == "colour-blind" else t("settings.palette.standard")


def items(s, scale_now: float) -> list[Item]:
    """The settings menu: every label says the current value; the detail what it does."""
    if abs(scale_now - s.ui_scale) > 1e-9:
        scale = t("settings.ui_scale.label.here", scale=s.ui_scale, here=scale_now)
    else:
        scale = t("settings.ui_scale.label", scale=s.ui_scale)
    return [
        Item("ui_scale", scale, detail=t("settings.ui_scale.detail")),
        Item(
            "palette",
            t("settings.palette.label", palette=palette_name(s.palette)),
            detail=t("settings.palette.detail"),
        ),
        Item(
            "high_contrast",
            t("settings.high_contrast.label", state=onoff(s.high_contrast)),
            detail=t("settings.high_contrast.detail"),
        ),
        Item(
            "reduced_motion",
            t("settings.reduced_motion.label", state=onoff(s.reduced_motion)),
            detail=t("settings.reduced_motion.detail"),
        ),
        Item(
            "volume",
            t("settings.volume.label", volume=s.volume) if s.volume else t("settings.volume.off"),
            detail=t("settings.volume.detail"),
        ),
        Item(
            "autoplay_speed",
            t("settings.autoplay_speed.label", speed=s.autoplay_speed),
            detail=t("settings.autoplay_speed.detail"),
        ),
        Item(
            "show_numbers",
            t("settings.show_numbers.label", state=onoff(s.show_numbers)),
            detail=t("settings.show_numbers.detail"),
        ),
        Item(
            "unlock_all",
            t("settings.unlock_all.label", state=onoff(s.unlock_all)),
            detail=t("settings.unlock_all.detail"),
        ),
        Item("back", t("menu.back")),
    ]


class SettingsScene(MenuScene, Scene):
    MENU_W = W
    MENU_ITEM_H = ITEM_H
    name = "settings"

    def enter(self) -> None:
        self.menu = Menu(items(self.app.settings, self.app.scale))

    def resize(self, size) -> None:
        self.menu = Menu(items(self.app.settings, self.app.scale), self.menu.focus)

    def menu_pos(self):
        w, _ = self.app.screen.get_size()
        return (max(24, (w - W - 360) // 2), chrome.HEADER_H + 20)

    def detail_rect(self) -> pygame.Rect:
        w, h = self.app.screen.get_size()
        x = self.menu_pos()[0] + W + 32
        return pygame.Rect(
            x, chrome.HEADER_H + 24, min(360, w - x - 24), h - chrome.HEADER_H - chrome.FOOTER_H - 48
        )

    def choose(self, key: str) -> None:
        self.change(key)

    def other(self, inp) -> None:
        if inp.act in (Act.RIGHT, Act.INCREASE, Act.LEFT, Act.DECREASE) and self.menu.choose() != "back":
            self.change(self.menu.choose(), 1 if inp.act in (Act.RIGHT, Act.INCREASE) else -1)

    def change(self, key: str, direction: int = 1) -> None:
        if key == "back":
            self.app.stack.pop()
            return
        s = self.app.settings
        s = s.toggled(key) if key in TOGGLES else s.stepped(key, direction)
        self.app.save_settings(s)  # may lay every screen out again (scale, palette)
        if key == "volume":
            self.app.sound.set_volume(s.volume)
            self.app.sound.play("write")  # hear the new level at once
        self.menu = Menu(items(s, self.app.scale), self.menu.focus)

    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        who = self.app.player or t("settings.no_player")
        chrome.header(surface, t("settings.title"), who)
        draw_menu(surface, self.menu, self.menu_pos(), W, 18, ITEM_H, self.detail_rect())
        chrome.footer(
            surface,
            [
                ("↑↓", t("footer.choose")),
                (t("key.enter_or_arrows"), t("footer.change")),
                (t("key.esc"), t("footer.back")),
            ],
        )
