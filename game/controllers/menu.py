"""A vertical menu: items, the focused one, and what choosing it means."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    enabled: bool = True
    detail: str = ""  # a line shown for the focused item (e.g. why it is disabled)


class Menu:
    def __init__(self, items: list[Item], focus: int = 0):
        if not items:
            raise ValueError("a menu needs at least one item")
        self.items = list(items)
        self.focus = max(0, min(focus, len(items) - 1))
        if not self.items[self.focus].enabled:
            self.move(1)

    @property
    def focused(self) -> Item:
        return self.items[self.focus]

    def move(self, delta: int) -> None:
        """Move the focus to the next enabled item that way (wrapping); stays put if there is none."""
        n = len(self.items)
        for k in range(1, n + 1):
            j = (self.focus + delta * k) % n
            if self.items[j].enabled:
                self.focus = j
                return

    def point(self, index: int) -> None:
        """Focus an item directly (mouse hover)."""
        if 0 <= index < len(self.items) and self.items[index].enabled:
            self.focus = index

    def choose(self) -> str | None:
        """The key of the focused item, or None when it cannot be chosen."""
        return self.focused.key if self.focused.enabled else None

    def index(self, key: str) -> int:
        return next(k for k, item in enumerate(self.items) if item.key == key)

    def window(self, first: int, n: int) -> Menu:
        """The n items from ``first`` as a menu of their own (a scrolled view; focus kept if inside)."""
        first = max(0, min(first, len(self.items) - 1))
        view = Menu(self.items[first : first + n], max(0, self.focus - first))
        view.offset = first
        return view
