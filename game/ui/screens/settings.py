"""Settings of the current player; each change is saved at once."""

from __future__ import annotations

from ...controllers.menu import Item, Menu
from .. import chrome, theme
from ..actions import Act
from ..menu_view import MenuScene, draw_menu
from ..scenes import Scene

W = 560
DESCRIPTIONS = {
    "reduced_motion": "The conveyor does not move between words; values change at once.",
    "autoplay_speed": "How fast the trained network plays when you watch it (also [ and ] while watching).",
    "show_numbers": "Print each gate's value beside its valve.",
    "unlock_all": "Every level can be played, won or not (for classrooms and revisiting).",
}


class SettingsScene(MenuScene, Scene):
    MENU_W = W
    name = "settings"

    def enter(self) -> None:
        self.menu = Menu(self.items())

    def items(self) -> list[Item]:
        s = self.app.settings
        onoff = {True: "on", False: "off"}
        return [
            Item(
                "reduced_motion",
                f"Reduced motion: {onoff[s.reduced_motion]}",
                detail=DESCRIPTIONS["reduced_motion"],
            ),
            Item(
                "autoplay_speed",
                f"Autoplay speed: ×{s.autoplay_speed:g}",
                detail=DESCRIPTIONS["autoplay_speed"],
            ),
            Item(
                "show_numbers",
                f"Numbers on the valves: {onoff[s.show_numbers]}",
                detail=DESCRIPTIONS["show_numbers"],
            ),
            Item(
                "unlock_all", f"Unlock every level: {onoff[s.unlock_all]}", detail=DESCRIPTIONS["unlock_all"]
            ),
            Item("back", "Back"),
        ]

    def pos(self):
        w, _ = self.app.screen.get_size()
        return ((w - W) // 2, 120)

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
        s = s.faster(direction) if key == "autoplay_speed" else s.toggled(key)
        self.app.save_settings(s)
        focus = self.menu.focus
        self.menu = Menu(self.items(), focus)

    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        who = self.app.player or "no player chosen: not saved"
        chrome.header(surface, "Settings", who)
        draw_menu(surface, self.menu, self.pos(), W)
        chrome.footer(surface, [("↑↓", "choose"), ("Enter / ←→", "change"), ("Esc", "back")])
