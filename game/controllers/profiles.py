"""Choosing who plays: the existing players and a field to type a new name."""

from __future__ import annotations

from ..progress import StoreError, normalize_name
from ..strings import t
from .menu import Item, Menu

NEW = "\0new"  # the menu key of "New player" (no real name can contain NUL)
MAX_NAME = 40


class NameField:
    """A one-line text field (the typed characters arrive as game input, never as raw keys)."""

    def __init__(self, text: str = ""):
        self.text = text
        self.error = ""

    def type(self, chars: str) -> None:
        chars = "".join(ch for ch in chars if ch.isprintable())
        self.text = (self.text + chars)[:MAX_NAME]
        self.error = ""

    def erase(self) -> None:
        self.text = self.text[:-1]
        self.error = ""

    def submit(self) -> str | None:
        """The cleaned name, or None with ``error`` saying what is wrong."""
        try:
            return normalize_name(self.text)
        except StoreError as e:
            self.error = str(e)
            return None


class Profiles:
    def __init__(self, players: list[str], current: str | None):
        items = [Item(name, name) for name in players] + [Item(NEW, t("profiles.new"))]
        focus = players.index(current) if current in players else (0 if players else len(items) - 1)
        self.menu = Menu(items, focus)
        self.field: NameField | None = None if players else NameField()

    @property
    def typing(self) -> bool:
        return self.field is not None

    def start_new(self) -> None:
        self.field = NameField()

    def cancel_new(self) -> bool:
        """Close the name field; False if there is nothing else to go back to (no players yet)."""
        if len(self.menu.items) == 1:
            return False
        self.field = None
        return True
