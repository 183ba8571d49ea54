"""Join a class: classes found on the network (zeroconf, optional) or an address and code typed in, a
nickname (friendly ones offered); joining runs in the background. "Play a challenge file" opens a
challenge with no network at all. Both lead to the challenge's level list (class_levels.py)."""

from __future__ import annotations

import random

import pygame

from ...classroom.student import (
    Background,
    challenges_dir,
    friendly_names,
    join_class,
    list_challenge_files,
    load_offline,
)
from ...controllers.classroom import Button, Field, Form
from ...strings import t
from .. import chrome, draw, theme
from ..form_view import FormScene, draw_form
from ..scenes import Scene

W = 640
FOUND = "found:"
SUGGEST = "nick:"
FILE = "file:"


def nickname_field(app) -> Field:
    return Field("nickname", t("join.nickname"), app.player or "", most=40)


def form_rect(app, top: int = 110) -> pygame.Rect:
    w, h = app.screen.get_size()
    width = min(W, w - 80)
    return pygame.Rect((w - width) // 2, chrome.HEADER_H + top - 56, width,
                       h - chrome.HEADER_H - top + 56 - chrome.FOOTER_H - 56)


class JoinScene(FormScene, Scene):
    name = "join"

    def __init__(self, app, rng: random.Random | None = None):
        super().__init__(app)
        self.rng = rng or random.Random()
        self.job: Background | None = None
        self.browser = None
        self.shown_found: list = []
        self.browsing_for = 0.0  # seconds: "looking…", then "none found" once it had time

    def enter(self) -> None:
        last = None
        if self.app.store is not None:
            try:
                last = next(iter(self.app.store.memberships()), None)
            except Exception:  # noqa: BLE001 - a damaged store only loses the prefill
                last = None
        address = Field("address", t("join.address"), last["server"].split("://", 1)[-1] if last else "",
                        t("join.placeholder.address"))
        code = Field("code", t("join.code"), last["code"] if last else "", t("join.placeholder.code"),
                     most=12)
        nick = nickname_field(self.app)
        if last and not nick.text:
            nick.text = last["nickname"]
        rows = [address, code, nick]
        rows += [Button(f"{SUGGEST}{n}", t("join.suggest", name=n)) for n in friendly_names(self.rng, 2)]
        rows += [Button("join", t("join.go")), Button("offline", t("join.offline"))]
        self.form = Form(rows)
        self.form.say(t("join.explain"))
        self.start_browsing()

    def start_browsing(self) -> None:
        try:
            from ...server.browse import ClassBrowser
        except ImportError:
            return
        self.browser = ClassBrowser()
        self.browser.start()

    def leave(self) -> None:
        if self.browser is not None:
            self.browser.stop()
            self.browser = None

    def form_rect(self) -> pygame.Rect:
        return form_rect(self.app)

    def update(self, dt: float) -> None:
        self.browsing_for += dt
        if self.browser is not None:
            found = self.browser.found()
            if found != self.shown_found:
                self.shown_found = found
                self.form.replace_buttons("code", FOUND, [
                    Button(f"{FOUND}{f.address}", t("join.found", name=f.name, address=f.address))
                    for f in found])
        if self.job is not None and self.job.done:
            job, self.job = self.job, None
            if job.error:
                self.form.say(t("join.failed", error=job.error), error=True)
            else:
                self.app.classroom = job.result
                from .class_levels import ClassLevelsScene

                self.app.stack.replace(ClassLevelsScene(self.app))

    def choose(self, key: str) -> None:
        if self.job is not None:
            return
        if key.startswith(FOUND):
            self.form.field("address").text = key[len(FOUND):]
            self.form.focus = self.form.index("code")
        elif key.startswith(SUGGEST):
            self.form.field("nickname").text = key[len(SUGGEST):]
            self.form.focus = self.form.index("join")
        elif key == "join":
            self.join()
        elif key == "offline":
            self.app.stack.push(OpenChallengeScene(self.app, self.form.field("nickname").text))

    def join(self) -> None:
        address, code, nick = (self.form.field(k).text.strip() for k in ("address", "code", "nickname"))
        if not (address and code and nick):
            self.form.say(t("join.need"), error=True)
            return
        store, player, queue = self.app.store, self.app.player, self.app.upload_queue()
        self.form.say(t("join.joining", address=address))
        self.job = Background(lambda: join_class(store, address, code, nick, player, queue))

    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        chrome.header(surface, t("join.title"), self.app.player or "")
        rect = self.form_rect()
        colour = theme.BAD if self.form.error else theme.DIM
        box = pygame.Rect(rect.x, chrome.HEADER_H + 12, rect.width, 46)
        draw.paragraph(surface, self.form.message, box, 16, colour)
        draw_form(surface, self.form, rect)
        if self.browser is not None and not self.shown_found:
            note = t("join.searching") if self.browsing_for < 6 else t("join.none_found")
            draw.text(surface, draw.fit(note, 14, rect.width), (rect.x, rect.bottom + 14), 14, theme.DIM)
        chrome.footer(surface, footer_keys(self.form.typing))


def footer_keys(typing: bool) -> list[tuple[str, str]]:
    return [("↑↓", t("footer.choose")),
            (t("key.enter"), t("footer.next_field") if typing else t("footer.open")),
            (t("key.esc"), t("footer.back"))]


class OpenChallengeScene(FormScene, Scene):
    """A challenge file with no network: a path typed in, or one of the files in challenges/."""

    name = "open_challenge"

    def __init__(self, app, nickname: str = ""):
        super().__init__(app)
        self.nickname = nickname

    def enter(self) -> None:
        nick = nickname_field(self.app)
        nick.text = self.nickname or nick.text
        rows = [Field("path", t("open.path"), "", str(challenges_dir() / "challenge.yaml")), nick,
                Button("open", t("open.go"))]
        files = list_challenge_files()
        rows += [Button(f"{FILE}{p}", p.name) for p in files]
        self.form = Form(rows, focus=3 if files else 0)
        folder = str(challenges_dir())
        self.form.say(t("open.explain", folder=folder) if files else t("open.none", folder=folder))

    def form_rect(self) -> pygame.Rect:
        return form_rect(self.app)

    def choose(self, key: str) -> None:
        if key.startswith(FILE):
            self.form.field("path").text = key[len(FILE):]
            self.form.focus = self.form.index("nickname")
            if self.form.field("nickname").text.strip():
                self.open()
        elif key == "open":
            self.open()

    def open(self) -> None:
        path, nick = self.form.field("path").text.strip(), self.form.field("nickname").text.strip()
        if not (path and nick):
            self.form.say(t("join.need"), error=True)
            return
        job = Background(lambda: load_offline(path, nick, self.app.store), start=False)  # a local file: quick
        if job.error:
            self.form.say(t("open.failed", error=job.error), error=True)
            return
        self.app.classroom = job.result
        from .class_levels import ClassLevelsScene

        self.app.stack.pop()
        self.app.stack.replace(ClassLevelsScene(self.app))

    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        chrome.header(surface, t("open.title"), self.app.player or "")
        rect = self.form_rect()
        colour = theme.BAD if self.form.error else theme.DIM
        box = pygame.Rect(rect.x, chrome.HEADER_H + 12, rect.width, 46)
        draw.paragraph(surface, self.form.message, box, 16, colour)
        draw_form(surface, self.form, rect)
        chrome.footer(surface, footer_keys(self.form.typing))
