"""A class's challenge: its levels with the rules (attempts left, hints, time window), the class status
line (verified / waiting / refused, or why the server is away), and — offline — "Export my
submission". Playing a level uses the level and the trained network embedded in the challenge file."""

from __future__ import annotations

import pygame

from ...classroom.student import Background
from ...controllers.level_select import Row
from ...controllers.menu import Item, Menu
from ...progress import StoreError
from ...strings import t
from .. import chrome, draw, theme
from ..form_view import tail_fit
from ..menu_view import MenuScene, item_rects, menu_height
from ..scenes import Scene

W = 560
ITEM_H = 44
DETAIL_H = 52  # the focused level's detail (two lines) under the list
LEVEL = "level:"


def class_row(cls, level_id: str) -> Row:
    """The level-select row the play and results screens use for a challenge level."""
    k, cl = next((k, cl) for k, cl in enumerate(cls.challenge.levels) if cl.id == level_id)
    return Row(cl.id, cls.challenge.title, k + 1, cl.title, cl.level, None, None, False)


class ClassLevelsScene(MenuScene, Scene):
    MENU_W = W
    MENU_ITEM_H = ITEM_H
    name = "class_levels"

    def enter(self) -> None:
        self.message = ""
        self.build()

    def resume(self) -> None:
        self.build()

    @property
    def cls(self):
        return self.app.classroom

    def best(self) -> dict[str, float]:
        """The best score the server verified at each level (online), from the upload queue's record."""
        out: dict[str, float] = {}
        if self.app.store is None or not self.cls.membership_id:
            return out
        try:
            for u in self.app.store.class_uploads(self.cls.membership_id):
                if u["state"] == "accepted":
                    out[u["level_id"]] = max(out.get(u["level_id"], 0.0), u["score"])
        except StoreError as e:
            self.message = str(e)
        return out

    def build(self) -> None:
        old = getattr(self, "menu", None)
        cls, best, items = self.cls, self.best(), []
        closed = cls.window_problem()
        for cl in cls.challenge.levels:
            left = cls.attempts_left(self.app.store, cl.id)
            left_text = (t("class.left.unlimited") if left is None else
                         t("class.left.none") if left == 0 else t("class.left", n=left))
            detail = (t("class.level.detail", left=left_text, best=f"{best[cl.id]:.1f}") if cl.id in best
                      else t("class.level.detail.none", left=left_text))
            if closed:
                detail = t("class.closed", reason=closed)
            items.append(Item(f"{LEVEL}{cl.id}", t("class.level", title=cl.title),
                              enabled=not closed and left != 0, detail=detail))
        if not cls.online:
            items.append(Item("export", t("class.export")))
        items.append(Item("back", t("class.back")))
        self.menu = Menu(items, old.focus if old else 0)

    # -- geometry: the list scrolls with the focus (like level select), the detail stays under it ------
    def list_rect(self) -> pygame.Rect:
        """Where the level buttons show: under the rules and status, above the detail and message."""
        w, h = self.app.screen.get_size()
        top = chrome.HEADER_H + 96
        bottom = h - chrome.FOOTER_H - 40 - DETAIL_H
        return pygame.Rect((w - W) // 2, top, W, max(ITEM_H, bottom - top))

    def scroll(self) -> int:
        """How far the list is scrolled: the focused button and the next one stay in view (pure: from
        the focus and the list's size)."""
        rect, step = self.list_rect(), menu_height(1, ITEM_H)
        total = menu_height(len(self.menu.items), ITEM_H)
        wanted = max(0, (self.menu.focus + 2) * step - rect.height)
        return min(wanted, max(0, total - rect.height))

    def menu_pos(self):
        rect = self.list_rect()
        return (rect.x, rect.y - self.scroll())

    def raw(self, event) -> bool:
        if event.type in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONUP) and \
                not self.list_rect().collidepoint(event.pos):
            return True  # a button scrolled out of view is not there to hover or click
        if event.type == pygame.MOUSEWHEEL:
            self.menu.move(-event.y)
            return True
        return super().raw(event)

    def update(self, dt: float) -> None:
        if self.cls is not None and self.cls.poll():
            self.build()

    def choose(self, key: str) -> None:
        if key.startswith(LEVEL):
            self.play(key[len(LEVEL):])
        elif key == "export":
            self.export()
        elif key == "back":
            self.back()

    def back(self) -> None:
        self.app.classroom = None
        self.app.stack.pop()

    def play(self, level_id: str) -> None:
        from .play import PlayScene

        job = Background(lambda: self.cls.level(level_id).model(), start=False)  # embedded: no training
        if job.error:
            self.message = job.error
            return
        self.app.stack.push(PlayScene(self.app, class_row(self.cls, level_id), job.result))

    def export(self) -> None:
        """Write "my submission" (game/classroom/submission.py) into the user data folder."""
        from ... import paths
        from ...classroom.submission import write_submission

        attempts = list(self.cls.offline_attempts)
        if not attempts:
            self.message = t("class.export.none")
            return
        folder = paths.user_data_dir() / "submissions"
        job = Background(lambda: write_submission(folder, self.cls.nickname, self.cls.challenge, attempts),
                         start=False)
        self.message = t("class.export.failed", error=job.error) if job.error else \
            t("class.export.done", path=job.result)

    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        cls = self.cls
        right = (t("class.header.online", nickname=cls.nickname, address=cls.server.split("://", 1)[-1])
                 if cls.online else t("class.header.offline", nickname=cls.nickname))
        chrome.header(surface, t("class.title", title=cls.challenge.title), right)
        x, y = self.menu_pos()
        draw.text(surface, draw.fit(cls.rules_line(), 17, W), (x, chrome.HEADER_H + 18), 17, theme.TEXT)
        status = cls.status_line(self.app.store)
        draw.paragraph(surface, status, pygame.Rect(x, chrome.HEADER_H + 44, W, 44), 15, theme.DIM)
        w, h = surface.get_size()
        rect = self.list_rect()
        clip = surface.get_clip()
        surface.set_clip(rect)
        rects = item_rects(self.menu, (x, y), W, ITEM_H)
        for k, (item, r) in enumerate(zip(self.menu.items, rects, strict=True)):
            if r.bottom >= rect.y and r.y <= rect.bottom:
                draw.button(surface, r, item.label, focused=k == self.menu.focus, enabled=item.enabled,
                            size=18)
        surface.set_clip(clip)
        if self.scroll() > 0:
            draw.text(surface, "▲", (rect.right + 14, rect.y + 8), 14, theme.DIM, anchor="center")
        if rects[-1].bottom > rect.bottom:
            draw.text(surface, "▼", (rect.right + 14, rect.bottom - 8), 14, theme.DIM, anchor="center")
        detail = self.menu.focused.detail
        if detail:
            under = min(rects[-1].bottom, rect.bottom) + 8  # right under the list, wherever it ends
            draw.paragraph(surface, detail, pygame.Rect(x, under, W, DETAIL_H - 8), 16, theme.DIM)
        if self.message:  # a path must show its end (the file's name): cut at the start if need be
            draw.text(surface, tail_fit(self.message, 15, w - 48), (24, h - chrome.FOOTER_H - 30), 15,
                      theme.FOCUS)
        chrome.footer(surface, [("↑↓", t("footer.choose")), (t("key.enter"), t("footer.open")),
                                (t("key.esc"), t("footer.back"))])
