"""The level studio: pick a pattern, fill in its form by keyboard, and see the loader's messages beside the
field they are about as you type, with a live preview of the played sentence and its roles.

Keys: Up/Down or Tab/Shift+Tab move between fields, typing edits the focused one, Backspace erases;
F5 trains the level (the loading screen's progress bar, Esc cancels) and play-tests it; F6 runs the
playability check over 3 seeds in the background; Ctrl+S saves into the user's studio pack; F8 exports a
copy to share; Esc goes back. A file that no longer fits a pattern opens read-only, with the reason.
"""

from __future__ import annotations

import pygame

from ...controllers.level_select import Row
from ...controllers.studio import ChallengeExport, SeedsCheck, StudioForm
from ...strings import t
from ...studio import files, patterns
from .. import chrome, draw, theme
from ..actions import Act, Input, TextInput
from ..scenes import Scene

TOP = chrome.HEADER_H + 12
FIELD_H = 50
CHECK_SEEDS = 3  # the playability check trains this many seeds (the studio shows how many play)


def pattern_label(name: str) -> str:
    return {
        "one-clue": t("studio.pattern.one-clue"),
        "distractor": t("studio.pattern.distractor"),
        "reset": t("studio.pattern.reset"),
        "two-slots": t("studio.pattern.two-slots"),
        "long-gap": t("studio.pattern.long-gap"),
        "hidden-state": t("studio.pattern.hidden-state"),
        "adding": t("studio.pattern.adding"),
        "time-series": t("studio.pattern.time-series"),
        "gru": t("studio.pattern.gru"),
        "rnn": t("studio.pattern.rnn"),
    }.get(name, name)


def field_label(key: str) -> str:
    return {
        "id": t("studio.field.id"),
        "title": t("studio.field.title"),
        "intro": t("studio.field.intro"),
        "hints": t("studio.field.hints"),
        "category": t("studio.field.category"),
        "words": t("studio.field.words"),
        "answers": t("studio.field.answers"),
        "clue": t("studio.field.clue"),
        "question": t("studio.field.question"),
        "distractor": t("studio.field.distractor"),
        "fillers": t("studio.field.fillers"),
        "played": t("studio.field.played"),
        "distractor_played": t("studio.field.distractor_played"),
        "first": t("studio.field.first"),
        "second": t("studio.field.second"),
        "reset": t("studio.field.reset"),
        "first_played": t("studio.field.first_played"),
        "second_played": t("studio.field.second_played"),
        "ask_first": t("studio.field.ask_first"),
        "ask_second": t("studio.field.ask_second"),
        "gap": t("studio.field.gap"),
        "values": t("studio.field.values"),
        "marked": t("studio.field.marked"),
        "signs": t("studio.field.signs"),
    }.get(key, key)


class StudioPickScene(Scene):
    """Choose the pattern a new level starts from."""

    name = "studio_pick"

    def __init__(self, app):
        super().__init__(app)
        self.focus = 0

    def handle(self, inp) -> None:
        if not isinstance(inp, Input):
            return
        n = len(patterns.PATTERNS)
        if inp.act == Act.UP:
            self.focus = (self.focus - 1) % n
        elif inp.act == Act.DOWN:
            self.focus = (self.focus + 1) % n
        elif inp.act == Act.CONFIRM:
            if inp.value is not None and 1 <= inp.value <= n:
                self.focus = inp.value - 1
            self.app.stack.replace(StudioScene(self.app, StudioForm(patterns.PATTERNS[self.focus])))
        elif inp.act == Act.BACK:
            self.app.stack.pop()

    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        chrome.header(surface, t("studio.pick.title"))
        w, h = surface.get_size()
        for k, p in enumerate(patterns.PATTERNS):
            box = pygame.Rect(24, TOP + k * 50, int(w * 0.5), 44)
            draw.panel(surface, box, theme.PANEL_HI if k == self.focus else theme.PANEL, radius=8)
            draw.text(
                surface,
                f"{k + 1:>2}  {pattern_label(p.name)}",
                (box.x + 14, box.centery),
                19,
                theme.TEXT,
                "bold" if k == self.focus else "regular",
                "midleft",
            )
            if k == self.focus:
                draw.focus_ring(surface, box, 8)
        info = pygame.Rect(int(w * 0.5) + 48, TOP, w - int(w * 0.5) - 72, h - TOP - chrome.FOOTER_H - 16)
        draw.panel(surface, info)
        p = patterns.PATTERNS[self.focus]
        draw.paragraph(surface, p.example["intro"], info.inflate(-40, -40), 18)
        chrome.footer(
            surface,
            [
                ("↑↓", t("footer.choose")),
                (t("key.enter"), t("footer.open")),
                (t("key.esc"), t("footer.back")),
            ],
        )


class StudioReadOnlyScene(Scene):
    """A level file that no pattern's form can hold: shown as it is, with a plain message."""

    name = "studio_read_only"

    def __init__(self, app, opened: files.Opened):
        super().__init__(app)
        self.opened = opened

    def handle(self, inp) -> None:
        if isinstance(inp, Input) and inp.act in (Act.BACK, Act.CONFIRM):
            self.app.stack.pop()

    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        chrome.header(surface, t("studio.read_only.title"), str(self.opened.path.name))
        w, h = surface.get_size()
        msg = t("studio.read_only.no_pattern") if self.opened.problem == "no pattern" else self.opened.problem
        y = TOP + draw.paragraph(surface, msg, pygame.Rect(24, TOP, w - 48, 80), 18, theme.BAD)
        y += 16
        for line in self.opened.text.splitlines():  # line by line: the indentation is the YAML's meaning
            if y > h - chrome.FOOTER_H - 30:
                draw.text(surface, "…", (24, y), 14, theme.DIM, "mono")
                break
            draw.text(surface, draw.fit(line, 14, w - 48, "mono"), (24, y), 14, theme.DIM, "mono")
            y += 18
        chrome.footer(surface, [(t("key.esc"), t("footer.back"))])


class StudioScene(Scene):
    name = "studio"
    typing = True

    def __init__(self, app, form: StudioForm):
        super().__init__(app)
        self.form = form
        self.check: SeedsCheck | None = None
        self.status = ""
        self.saved_path = None
        self.confirm_overwrite = False
        self.challenge: ChallengeExport | None = None

    # -- input ---------------------------------------------------------------------------------------
    def raw(self, event) -> bool:
        if event.type != pygame.KEYDOWN:
            return False
        ctrl = bool(event.mod & pygame.KMOD_CTRL)
        if event.key == pygame.K_TAB:
            self.form.move(-1 if event.mod & pygame.KMOD_SHIFT else 1)
        elif event.key == pygame.K_F5:
            self.play_test()
        elif event.key == pygame.K_F6:
            self.start_check()
        elif ctrl and event.key == pygame.K_s:
            self.save()
        elif event.key == pygame.K_F8:
            self.export()
        elif event.key == pygame.K_F9:
            self.to_challenge()
        else:
            return False
        return True

    def handle(self, inp) -> None:
        if isinstance(inp, TextInput):
            self.form.type(inp.text)
            self.edited()
            return
        if not isinstance(inp, Input):
            return
        if inp.act == Act.UNDO:  # Backspace while typing
            self.form.backspace()
            self.edited()
        elif inp.act in (Act.DOWN, Act.CONFIRM):
            self.form.move(1)
        elif inp.act == Act.UP:
            self.form.move(-1)
        elif inp.act == Act.BACK:
            if self.check is not None and self.check.state == "running":
                self.check.cancel()
            else:
                self.app.stack.pop()

    def edited(self) -> None:
        """An edit: an earlier warning or status no longer applies."""
        self.confirm_overwrite = False
        self.status = ""

    def leave(self) -> None:
        if self.check is not None and self.check.state == "running":
            self.check.cancel()

    # -- actions -------------------------------------------------------------------------------------
    def row(self) -> Row:
        level = self.form.level
        return Row(
            f"{self.app_user_prefix()}{files.PACK}/{level.id}",
            files.PACK_TITLE,
            1,
            level.title,
            level,
            None,
            None,
            False,
            str(self.saved_path) if self.saved_path else None,
        )

    @staticmethod
    def app_user_prefix() -> str:
        from ..app import USER_PACKS

        return USER_PACKS

    def play_test(self) -> None:
        """Train (or load the cached network) with the loading screen's bar, then play the level."""
        if not self.form.valid:
            self.status = t("studio.status.invalid")
            return
        from .loading import LoadingScene

        self.app.stack.push(LoadingScene(self.app, self.row()))

    def start_check(self) -> None:
        if not self.form.valid:
            self.status = t("studio.status.invalid")
            return
        if self.check is not None and self.check.state == "running":
            return
        self.check = SeedsCheck(self.form.level, CHECK_SEEDS)

    def save(self) -> None:
        if not self.form.valid:
            self.status = t("studio.status.invalid")
            return
        if self.form.loses_comments and not self.confirm_overwrite:
            self.confirm_overwrite = True
            self.status = t("studio.status.inline_comments")
            return
        try:
            self.saved_path = files.save_level(self.form.yaml_text(), self.form.level_id, self.form.comments)
        except (OSError, ValueError) as e:
            self.status = t("studio.status.save_failed", error=e)
            return
        self.confirm_overwrite = False
        self.form.dirty = False
        self.status = t("studio.status.saved", path=self.saved_path)

    def export(self) -> None:
        if not self.form.valid:
            self.status = t("studio.status.invalid")
            return
        from ... import paths

        target = paths.user_data_dir() / "exports" / f"{self.form.level_id}.yaml"
        try:
            files.export_level(self.form.yaml_text(), target, self.form.comments)
        except OSError as e:
            self.status = t("studio.status.save_failed", error=e)
            return
        self.status = t("studio.status.exported", path=target)

    def to_challenge(self) -> None:
        """A one-level challenge file for a class (classroom serve), from the saved level."""
        if self.saved_path is None or self.form.dirty:
            self.status = t("studio.status.save_first")
            return
        from ... import paths

        target = paths.user_data_dir() / "challenges" / f"{self.form.level_id}.yaml"
        self.challenge = ChallengeExport(self.saved_path, self.form.values.get("title", ""), target)
        self.status = t("studio.status.challenge_making")

    def update(self, dt: float) -> None:
        c = self.challenge
        if c is not None and c.state != "running":
            self.status = (
                t("studio.status.challenge_done", path=c.out_path)
                if c.state == "done"
                else t("studio.status.save_failed", error=c.error)
            )
            self.challenge = None

    def moving(self) -> bool:
        return (self.check is not None and self.check.state == "running") or self.challenge is not None

    # -- drawing -------------------------------------------------------------------------------------
    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        w, h = surface.get_size()
        chrome.header(
            surface,
            t("studio.title", pattern=pattern_label(self.form.pattern.name)),
            self.form.level_id + (" *" if self.form.dirty else ""),
        )
        left = pygame.Rect(24, TOP, int(w * 0.56), h - TOP - chrome.FOOTER_H - 12)
        problems = self.form.problems
        visible = max(1, left.height // FIELD_H)
        first = max(0, min(self.form.focus - visible // 2, len(self.form.fields) - visible))
        y = left.y
        for k, f in enumerate(self.form.fields[first : first + visible], first):
            msgs = problems.get(f.key, [])
            extra = 18 * min(2, len(msgs))
            if y + FIELD_H + extra > left.bottom:
                break
            focused = k == self.form.focus
            draw.text(surface, field_label(f.key), (left.x, y + 2), 14, theme.DIM)
            box = pygame.Rect(left.x + 190, y, left.width - 190, 34)
            draw.panel(
                surface,
                box,
                theme.PANEL_HI if focused else theme.PANEL,
                radius=6,
                border=theme.BAD if msgs else None,
                width=1,
            )
            value = self.form.values.get(f.key, "") + ("|" if focused else "")
            shown = value if draw.font(16).size(value)[0] < box.width - 16 else "…" + value[-60:]
            draw.text(
                surface,
                draw.fit(shown, 16, box.width - 16),
                (box.x + 8, box.centery),
                16,
                theme.TEXT,
                anchor="midleft",
            )
            if focused:
                draw.focus_ring(surface, box, 6)
            y += 40
            for part in [p for m in msgs for p in draw.wrap(m, 13, box.width, "mono")][:2]:
                draw.text(surface, part, (box.x, y), 13, theme.BAD, "mono")
                y += 18
            y += FIELD_H - 40
        right = pygame.Rect(left.right + 24, TOP, w - left.right - 48, left.height)
        draw.panel(surface, right)
        inner = right.inflate(-28, -24)
        y = inner.y
        draw.text(surface, t("studio.preview"), (inner.x, y), 16, theme.DIM, "bold")
        y += 26
        y = self.draw_preview(surface, pygame.Rect(inner.x, y, inner.width, 200)) + 10
        general = problems.get("", [])
        for m in general[:3]:
            y += draw.paragraph(surface, m, pygame.Rect(inner.x, y, inner.width, 60), 13, theme.BAD, "mono")
        if self.form.valid:
            draw.text(surface, t("studio.valid"), (inner.x, y), 15, theme.GOOD)
            y += 24
        y = self.draw_check(surface, pygame.Rect(inner.x, y, inner.width, inner.bottom - y))
        chrome.footer(
            surface,
            [
                ("Tab", t("footer.studio.field")),
                ("F5", t("footer.studio.train")),
                ("F6", t("footer.studio.check")),
                ("Ctrl+S", t("footer.studio.save")),
                ("F8", t("footer.studio.export")),
                ("F9", t("footer.studio.challenge")),
                (t("key.esc"), t("footer.back")),
            ],
            self.status,
        )

    def draw_preview(self, surface, rect) -> int:
        colours = {
            "clue": theme.GATE_COLOURS["input"],
            "distractor": theme.BAD,
            "reset": theme.GATE_COLOURS["forget"],
            "question": theme.GATE_COLOURS["output"],
        }
        x, y = rect.x, rect.y
        words = self.form.preview()
        if not words:
            draw.text(surface, t("studio.preview.none"), (x, y), 15, theme.FAINT)
            return y + 22
        shown = words[:80]
        for word, role, key in shown:
            colour = colours.get(role, theme.DIM)
            wd = draw.font(15, "bold" if key else "regular").size(word)[0]
            if x + wd > rect.right:
                x, y = rect.x, y + 22
                if y > rect.bottom:
                    break
            draw.text(surface, word, (x, y), 15, colour, "bold" if key else "regular")
            if key:
                pygame.draw.line(surface, colour, (x, y + 19), (x + wd, y + 19), 2)
            x += wd + 7
        y += 28
        x = rect.x
        for role, label in (
            ("clue", t("studio.role.clue")),
            ("distractor", t("studio.role.distractor")),
            ("reset", t("studio.role.reset")),
            ("question", t("studio.role.question")),
        ):
            r = draw.text(surface, label, (x, y), 13, colours[role])
            x = r.right + 14
        return y + 22

    def draw_check(self, surface, rect) -> int:
        y = rect.y
        c = self.check
        if c is None:
            return draw.paragraph(surface, t("studio.check.hint"), rect, 14, theme.FAINT) + y
        if c.state == "running":
            draw.text(
                surface, t("studio.check.running", done=c.done_seeds, seeds=c.n), (rect.x, y), 15, theme.TEXT
            )
            draw.bar(
                surface, pygame.Rect(rect.x, y + 24, rect.width, 14), c.fraction, theme.GATE_COLOURS["input"]
            )
            return y + 48
        if c.state == "cancelled":
            draw.text(surface, t("studio.check.cancelled"), (rect.x, y), 15, theme.DIM)
            return y + 24
        verdict = t("studio.check.playable") if c.playable else t("studio.check.not_playable")
        draw.text(surface, verdict, (rect.x, y), 16, theme.GOOD if c.playable else theme.BAD, "bold")
        y += 26
        summary, table = (c.lines[:1], c.lines[1:]) if c.lines else ([], [])
        for line in summary + c.verdicts:
            if y > rect.bottom - 20:
                return y
            y += draw.paragraph(
                surface, line, pygame.Rect(rect.x, y, rect.width, rect.bottom - y), 13, theme.TEXT
            )
            y += 4
        for line in table:
            for part in draw.wrap(line, 12, rect.width, "mono"):
                if y > rect.bottom - 16:
                    return y
                draw.text(surface, part, (rect.x, y), 12, theme.DIM, "mono")
                y += 16
        return y


def open_own(app, path) -> None:
    """Edit: open an own level file in the studio, or read-only when no pattern's form holds it."""
    opened = files.open_level(path)
    if opened.read_only:
        app.stack.push(StudioReadOnlyScene(app, opened))
    else:
        app.stack.push(StudioScene(app, StudioForm(opened.pattern, opened.values, opened)))
