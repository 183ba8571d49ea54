"""Keyboard-first forms for the classroom screens: text fields and buttons in one column, one of them
focused. Up/Down move the focus; typing goes to a focused field; Enter on a field moves on, Enter on a
button chooses it. Plain Python: tests drive it without a window."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_FIELD = 300  # a path or an address; nicknames are cut to 40 by their own field


@dataclass
class Field:
    key: str
    label: str
    text: str = ""
    placeholder: str = ""
    most: int = MAX_FIELD

    def type(self, chars: str) -> None:
        chars = "".join(ch for ch in chars if ch.isprintable())
        self.text = (self.text + chars)[: self.most]

    def erase(self) -> None:
        self.text = self.text[:-1]


@dataclass
class Button:
    key: str
    label: str
    enabled: bool = True
    detail: str = ""


@dataclass
class Form:
    rows: list[Field | Button]
    focus: int = 0
    message: str = ""
    error: bool = False
    _keys: dict = field(default_factory=dict, repr=False)

    @property
    def focused(self) -> Field | Button:
        return self.rows[self.focus]

    @property
    def typing(self) -> bool:
        return isinstance(self.focused, Field)

    def field(self, key: str) -> Field:
        return next(r for r in self.rows if isinstance(r, Field) and r.key == key)

    def index(self, key: str) -> int:
        return next(k for k, r in enumerate(self.rows) if r.key == key)

    def move(self, delta: int) -> None:
        """The next usable row that way (wrapping): a field, or an enabled button."""
        n = len(self.rows)
        for k in range(1, n + 1):
            j = (self.focus + delta * k) % n
            row = self.rows[j]
            if isinstance(row, Field) or row.enabled:
                self.focus = j
                return

    def point(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            row = self.rows[index]
            if isinstance(row, Field) or row.enabled:
                self.focus = index

    def type(self, chars: str) -> None:
        if isinstance(self.focused, Field):
            self.focused.type(chars)

    def erase(self) -> None:
        if isinstance(self.focused, Field):
            self.focused.erase()

    def confirm(self) -> str | None:
        """Enter: a button's key (None for a field, which moves the focus on)."""
        row = self.focused
        if isinstance(row, Field):
            self.move(1)
            return None
        return row.key if row.enabled else None

    def say(self, message: str, error: bool = False) -> None:
        self.message, self.error = message, error

    def replace_buttons(self, after: str, prefix: str, buttons: list[Button]) -> None:
        """Put ``buttons`` right after row ``after``, replacing the buttons there whose key starts with
        ``prefix`` (e.g. discovered classes, which come and go); the focus stays on its row."""
        focused = self.focused
        kept = [r for r in self.rows if not (isinstance(r, Button) and r.key.startswith(prefix))]
        at = next(k for k, r in enumerate(kept) if r.key == after) + 1
        self.rows = kept[:at] + buttons + kept[at:]
        self.focus = self.rows.index(focused) if focused in self.rows else min(self.focus, len(self.rows) - 1)
