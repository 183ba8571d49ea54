"""Settings of the current player; each change is saved at once and takes effect at once."""

from __future__ import annotations

import pygame

from ...controllers.menu import Item, Menu
from .. import chrome, theme
from ..actions import Act
from ..menu_view import MenuScene, draw_menu
from ..scenes import Scene

W, ITEM_H = 500, 38
ONOFF = {True: "on", False: "off"}
TOGGLES = ("reduced_motion", "show_numbers", "high_contrast", "unlock_all")


def items(s, scale_now: float) -> list[Item]:
    """The settings menu: every label says the current value; the detail what it does."""
    scale = f"UI scale: {s.ui_scale:.0%}"
    if abs(scale_now - s.ui_scale) > 1e-9:
        scale += f" (here {scale_now:.0%})"
    return [
        Item(
            "ui_scale",
            scale,
            detail=(
                "Everything larger: text, buttons, the cell. A window too small for the whole scale shows "
                "as much as fits; make the window larger (or full screen) for the rest."
            ),
        ),
        Item(
            "palette",
            f"Colours: {s.palette}",
            detail=(
                "standard, or colour-blind: the Okabe–Ito colours, told apart with any colour vision. "
                "Gates also always carry their symbol: × forget, + input, ▸ output."
            ),
        ),
        Item(
            "high_contrast",
            f"High contrast: {ONOFF[s.high_contrast]}",
            detail="Black background, white text and outlined panels.",
        ),
        Item(
            "reduced_motion",
            f"Reduced motion: {ONOFF[s.reduced_motion]}",
            detail="The conveyor does not move between words; values change at once.",
        ),
        Item(
            "volume",
            f"Sound volume: {s.volume:.0%}" if s.volume else "Sound: off",
            detail="Short, quiet cues when a word is read, memory is written or erased, and at the end.",
        ),
        Item(
            "autoplay_speed",
            f"Autoplay speed: ×{s.autoplay_speed:g}",
            detail=("How fast the trained network plays when you watch it (also [ and ] while watching)."),
        ),
        Item(
            "show_numbers",
            f"Numbers on the valves: {ONOFF[s.show_numbers]}",
            detail="Print each gate's value beside its valve.",
        ),
        Item(
            "unlock_all",
            f"Unlock every level: {ONOFF[s.unlock_all]}",
            detail="Every level can be played, won or not (for classrooms and revisiting).",
        ),
        Item("back", "Back"),
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
        who = self.app.player or "no player chosen: not saved"
        chrome.header(surface, "Settings", who)
        draw_menu(surface, self.menu, self.menu_pos(), W, 18, ITEM_H, self.detail_rect())
        chrome.footer(surface, [("↑↓", "choose"), ("Enter / ←→", "change"), ("Esc", "back")])
