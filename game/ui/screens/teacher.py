"""The teacher's screens: a menu (Host a class, Collect a folder); hosting runs ``classroom serve`` as a
child process and shows the join code, the projector page and the teacher page (leaving stops it);
collecting verifies a folder of offline submissions and shows the per-file report and the CSV's path.
The work runs off the frame (game/controllers/teacher.py)."""

from __future__ import annotations

import pygame

from ... import paths
from ...classroom.student import Background, challenges_dir, list_challenge_files
from ...controllers.classroom import Button, Field, Form
from ...controllers.menu import Item, Menu
from ...controllers.teacher import FAILED, RUNNING, STARTING, ClassHost, collect_folder
from ...strings import t
from .. import chrome, draw, theme
from ..form_view import FormScene, draw_form
from ..menu_view import MenuScene, draw_menu
from ..scenes import Scene
from .join import FILE, footer_keys

W = 680


class TeacherScene(MenuScene, Scene):
    MENU_W = 460
    name = "teacher"

    def enter(self) -> None:
        self.menu = Menu([Item("host", t("teacher.host"), detail=t("teacher.host.detail")),
                          Item("collect", t("teacher.collect"), detail=t("teacher.collect.detail")),
                          Item("back", t("teacher.back"))])

    def menu_pos(self):
        w, _ = self.app.screen.get_size()
        return ((w - self.MENU_W) // 2, chrome.HEADER_H + 80)

    def choose(self, key: str) -> None:
        if key == "host":
            self.app.stack.push(HostScene(self.app))
        elif key == "collect":
            self.app.stack.push(CollectScene(self.app))
        else:
            self.app.stack.pop()

    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        chrome.header(surface, t("teacher.title"))
        draw_menu(surface, self.menu, self.menu_pos(), self.MENU_W)
        chrome.footer(surface, [("↑↓", t("footer.choose")), (t("key.enter"), t("footer.open")),
                                (t("key.esc"), t("footer.back"))])


def file_rows(default: str = "") -> tuple[Field, list[Button]]:
    files = list_challenge_files()
    field = Field("path", t("host.file"), str(files[0]) if files and not default else default,
                  str(challenges_dir() / "challenge.yaml"))
    return field, [Button(f"{FILE}{p}", p.name) for p in files[:6]]


def layout(app, form_rows: int) -> tuple[pygame.Rect, pygame.Rect]:
    """(the form, the report under it) in the window's room."""
    w, h = app.screen.get_size()
    width = min(W, w - 80)
    x = (w - width) // 2
    top = chrome.HEADER_H + 60
    form_h = min(form_rows * 48, (h - top - chrome.FOOTER_H) // 2)
    return (pygame.Rect(x, top, width, form_h),
            pygame.Rect(x, top + form_h + 12, width, h - chrome.FOOTER_H - 12 - (top + form_h + 12)))


class HostScene(FormScene, Scene):
    name = "host"

    def __init__(self, app, host_factory=ClassHost):
        super().__init__(app)
        self.host: ClassHost | None = None
        self.host_factory = host_factory

    def enter(self) -> None:
        field, files = file_rows()
        self.form = Form([field, Button("start", t("host.start")), *files])
        self.form.say(t("host.need_file") if not field.text else "")

    def leave(self) -> None:
        if self.host is not None:
            self.host.stop()  # the class's data stays: hosting it again resumes it
            self.host = None

    def form_rect(self) -> pygame.Rect:
        return layout(self.app, len(self.form.rows))[0]

    def choose(self, key: str) -> None:
        if key.startswith(FILE):
            self.form.field("path").text = key[len(FILE):]
            self.form.focus = self.form.index("start")
        elif key == "start":
            path = self.form.field("path").text.strip()
            if not path:
                self.form.say(t("host.need_file"), error=True)
                return
            self.host = self.host_factory(path)
            self.form = Form([Button("stop", t("host.stop"))])
        elif key == "stop":
            self.leave()
            self.enter()

    def update(self, dt: float) -> None:
        if self.host is not None and self.host.poll() == FAILED and self.form.rows[0].key == "stop":
            self.form.say(t("host.failed", error=self.host.error), error=True)

    def lines(self) -> list[tuple[str, tuple, int]]:
        """What the report area shows: (text, colour, size)."""
        h = self.host
        if h is None:
            return []
        if h.state == STARTING:
            return [(t("host.starting"), theme.DIM, 18)]
        if h.state == RUNNING:
            return [(t("host.code", code=h.code), theme.FOCUS, 40),
                    (t("host.projector", url=h.url), theme.TEXT, 18),
                    (t("host.teacher_page", url=h.teacher_url), theme.TEXT, 16),
                    (t("host.running"), theme.DIM, 15)]
        return []

    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        chrome.header(surface, t("host.title"))
        form, report = layout(self.app, len(self.form.rows))
        colour = theme.BAD if self.form.error else theme.DIM
        box = pygame.Rect(form.x, chrome.HEADER_H + 10, form.width, 46)
        draw.paragraph(surface, self.form.message, box, 16, colour)
        draw_form(surface, self.form, form)
        y = report.y
        for text, c, size in self.lines():
            room = pygame.Rect(report.x, y, report.width, report.bottom - y)
            y += draw.paragraph(surface, text, room, size, c, "bold" if size >= 30 else "regular") + 10
        chrome.footer(surface, footer_keys(self.form.typing))


class CollectScene(FormScene, Scene):
    name = "collect"

    def enter(self) -> None:
        field, files = file_rows()
        field.label = t("collect.file")
        folder = Field("folder", t("collect.folder"), str(paths.user_data_dir() / "submissions"))
        csv = Field("csv", t("collect.csv"), str(paths.user_data_dir() / "gradebook.csv"))
        self.form = Form([field, folder, csv, Button("collect", t("collect.go")), *files])
        self.job: Background | None = None
        self.report: list[str] = []

    def form_rect(self) -> pygame.Rect:
        return layout(self.app, len(self.form.rows))[0]

    def choose(self, key: str) -> None:
        if key.startswith(FILE):
            self.form.field("path").text = key[len(FILE):]
            self.form.focus = self.form.index("folder")
        elif key == "collect" and self.job is None:
            path, folder, csv = (self.form.field(k).text.strip() for k in ("path", "folder", "csv"))
            self.form.say(t("collect.working"))
            self.report = []
            self.job = Background(lambda: collect_folder(path, folder, csv))

    def update(self, dt: float) -> None:
        if self.job is not None and self.job.done:
            job, self.job = self.job, None
            if job.error:
                self.form.say(t("collect.failed", error=job.error), error=True)
            else:
                lines, csv = job.result
                self.report = lines
                self.form.say(t("collect.done", path=csv, summary=lines[-1] if lines else ""))

    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        chrome.header(surface, t("collect.title"))
        form, report = layout(self.app, len(self.form.rows))
        colour = theme.BAD if self.form.error else theme.DIM
        box = pygame.Rect(form.x, chrome.HEADER_H + 10, form.width, 46)
        draw.paragraph(surface, self.form.message, box, 15, colour)
        draw_form(surface, self.form, form)
        y = report.y
        for line in self.report[:-1]:
            if y + 20 > report.bottom:
                break
            indent = 24 if line.startswith("  ") else 0
            colour = theme.BAD if indent else theme.TEXT
            shown = draw.fit(line.strip(), 15, report.width - indent)
            draw.text(surface, shown, (report.x + indent, y), 15, colour)
            y += 20
        chrome.footer(surface, footer_keys(self.form.typing))
