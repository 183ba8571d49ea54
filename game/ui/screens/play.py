"""The play screen: word ribbon, the conveyor-belt cell, the side panel and one control group per slot.

Input goes to the PlayController (game/controllers/play.py); sliders are pygame_gui widgets whose
moves become the same gate commands as the keyboard's. Drawing reads the controller, never changes it.
"""

from __future__ import annotations

import pygame
import pygame_gui

from ...controllers.explain import default_target
from ...controllers.level_select import Row
from ...controllers.play import PlayController
from ...session.replay import now
from ...session.session import PlaySession
from ...strings import t
from .. import chrome, draw, theme
from ..actions import Act, Input
from ..scenes import Scene
from ..views.cell import draw_cell, target_at
from ..views.controls import draw_controls
from ..views.layout import play_layout
from ..views.ribbon import draw_ribbon
from ..views.side import draw_side
from .explain import ExplainScene

BUTTON_ACTS = (Act.STEP, Act.UNDO, Act.REDO, Act.HINT)
SIDE_CONTENT_H = 124  # the side panel's "memory says" at the first word: title and three rows
# pygame_gui's own events (an arrow button pressed…): they must reach the UIManager, or the slider
# never applies its click_increment
GUI_EVENTS = frozenset(
    {
        pygame_gui.UI_BUTTON_PRESSED,
        pygame_gui.UI_BUTTON_START_PRESS,
        pygame_gui.UI_BUTTON_DOUBLE_CLICKED,
        pygame_gui.UI_BUTTON_ON_HOVERED,
        pygame_gui.UI_BUTTON_ON_UNHOVERED,
    }
)


def footer_keys() -> list[tuple[str, str]]:
    """The footer's key hints, in the active language."""
    return [
        (t("key.space"), t("footer.read_word")),
        (t("key.tab"), t("footer.slot")),
        ("↑↓", t("footer.gate")),
        ("←→", t("footer.adjust")),
        ("K W E R", t("footer.presets")),
        (t("key.bksp"), t("footer.undo")),
        ("H", t("footer.hint")),
        ("X", t("footer.explain")),
        ("A", t("footer.autoplay")),
        ("F1", t("footer.all_keys")),
        (t("key.esc"), t("footer.leave")),
    ]


def gui_theme() -> dict:
    """The sliders in the current palette."""

    def hex_(c) -> str:
        return "#{:02X}{:02X}{:02X}".format(*c)

    return {
        "horizontal_slider": {"colours": {"dark_bg": hex_(theme.BG), "normal_border": hex_(theme.LINE)}},
        "horizontal_slider.#sliding_button": {
            "colours": {
                "normal_bg": hex_(theme.TEXT),
                "hovered_bg": hex_(theme.FOCUS),
                "active_bg": hex_(theme.FOCUS),
                "normal_border": hex_(theme.LINE),
            }
        },
    }


def clock_text(seconds: float) -> str:
    """m:ss, rounded up (so 0:00 shows only when the time is up)."""
    whole = int(-(-seconds // 1))
    return f"{whole // 60}:{whole % 60:02d}"


class PlayScene(Scene):
    name = "play"

    def __init__(self, app, row: Row, model, autoplay: str | None = None):
        super().__init__(app)
        self.row, self.model, self.autoplay = row, model, autoplay

    def enter(self) -> None:
        self.session = PlaySession(self.row.level, self.model)
        self.ctl = PlayController(self.session, self.app.settings)
        cls = getattr(self.app, "classroom", None)
        if cls is not None and cls.owns(self.row.ref):
            self.ctl.class_hints = cls.hint_rules(self.row.ref)
            if cls.rules.time_limit_seconds is not None:  # timed from now, as the replay's "started"
                self.ctl.start_clock(cls.rules.time_limit_seconds)
        if self.autoplay:
            self.ctl.start_autoplay(self.autoplay)
        self.started = now()
        self.words = tuple(self.session.sequence.words)
        self.blanks = frozenset(
            k
            for k, token in enumerate(self.session.sequence.tokens)
            if token.role == "question" and token.key
        )
        self.build_widgets(self.app.screen.get_size())

    def leave(self) -> None:
        self.gui.clear_and_reset()

    # -- widgets -----------------------------------------------------------------------------------
    def build_widgets(self, size) -> None:
        self.layout = play_layout(tuple(size), self.session.S)
        self.gui = pygame_gui.UIManager(size, gui_theme())
        self.gui.mouse_pos_scale_factor = [1 / self.app.scale, 1 / self.app.scale]  # hover in canvas pixels
        self.sliders = {}
        for slot in range(self.session.S):
            for k, gate in enumerate(self.ctl.shown_gates):
                s = pygame_gui.elements.UIHorizontalSlider(
                    self.layout.slider(slot, k),
                    float(self.ctl.gate_value(slot, gate)),
                    (0.0, 1.0),
                    self.gui,
                    click_increment=0.1,
                )
                self.sliders[s] = (slot, gate)
        self.synced = -1

    def resize(self, size) -> None:
        self.gui.clear_and_reset()
        self.build_widgets(size)

    def sync_sliders(self) -> None:
        """Move the sliders to the session's values after keyboard changes, undo, autoplay…"""
        key = (len(self.session.history), self.ctl.drag)
        if key == self.synced:
            return
        for s, (slot, gate) in self.sliders.items():
            v = self.ctl.gate_value(slot, gate)
            if not getattr(s, "grabbed_slider", False) and abs(s.current_value - v) > 1e-9:
                s.set_current_value(float(v), warn=False)
        self.synced = key

    # -- input -------------------------------------------------------------------------------------
    def raw(self, event) -> bool:
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED and event.ui_element in self.sliders:
            slot, gate = self.sliders[event.ui_element]
            if getattr(event.ui_element, "grabbed_slider", False):
                self.ctl.drag_to(slot, gate, event.value)
            else:  # an arrow button: one step at once
                if self.ctl.autoplay:
                    self.ctl.take_over()
                self.ctl.slot, self.ctl.gate = slot, self.ctl.shown_gates.index(gate)
                self.ctl.set_gate(slot, gate, round(float(event.value), 2))
            return True
        if event.type in GUI_EVENTS:  # a slider's arrow was clicked: the slider takes its step
            self.gui.process_events(event)
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            hit = self.track_hit(event.pos)
            if hit is not None:  # a click on a slider's track sets the gate to that point
                slot, gate, value = hit
                if self.ctl.autoplay:
                    self.ctl.take_over()
                self.ctl.slot, self.ctl.gate = slot, self.ctl.shown_gates.index(gate)
                self.ctl.set_gate(slot, gate, value)
                return True
        if event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION):
            used = self.gui.process_events(self.in_window(event))
            if event.type == pygame.MOUSEBUTTONUP and event.button == 1:
                self.ctl.release()
                for act, r in zip(BUTTON_ACTS, self.layout.buttons, strict=True):
                    if r.collidepoint(event.pos):
                        self.ctl.handle(Input(act))
                        return True
                for slot, group in enumerate(self.layout.groups):
                    if group.collidepoint(event.pos):
                        self.ctl.select_slot(slot)
                for slot in range(self.session.S):
                    lane = self.layout.lane(slot, self.session.S)
                    if lane.collidepoint(event.pos):
                        self.explain(target_at(lane, event.pos, self.ctl.snapshot, slot, self.session.S))
                        return True
            return used or event.type != pygame.MOUSEMOTION
        return False

    def in_window(self, event):
        """The event with its position in window pixels: pygame_gui scales positions to the canvas
        itself (mouse_pos_scale_factor), and the app has already given this one in canvas pixels."""
        if self.app.scale == 1.0 or not hasattr(event, "pos"):
            return event
        d = dict(event.dict)
        k = self.app.scale
        d["pos"] = (round((event.pos[0] + 0.5) * k), round((event.pos[1] + 0.5) * k))
        return pygame.event.Event(event.type, d)

    def track_hit(self, pos) -> tuple[int, str, float] | None:
        """(slot, gate, value) for a point on a slider's track, between its arrows and off its handle
        (pygame_gui moves a slider only by its arrows or by dragging the handle)."""
        for s, (slot, gate) in self.sliders.items():
            left, right, handle = s.left_button, s.right_button, s.sliding_button
            if left is None or right is None or handle is None:
                continue
            track = pygame.Rect(left.rect.right, s.rect.y, right.rect.x - left.rect.right, s.rect.height)
            if not track.collidepoint(pos) or handle.rect.collidepoint(pos):
                continue
            span = track.width - handle.rect.width
            value = (pos[0] - track.x - handle.rect.width / 2) / max(1, span)
            return slot, gate, round(min(1.0, max(0.0, value)), 2)
        return None

    def handle(self, inp) -> None:
        if isinstance(inp, Input) and inp.act == Act.EXPLAIN:
            gate = self.ctl.shown_gates[self.ctl.gate] if self.ctl.shown_gates else "hidden"
            self.explain(default_target(self.ctl.snapshot, self.ctl.slot, gate, self.session.S))
        elif isinstance(inp, Input):
            self.ctl.handle(inp)

    def explain(self, target) -> None:
        """The explanation panel for one number of the word on screen."""
        if self.ctl.autoplay and not self.ctl.autoplay.paused:
            self.ctl.autoplay.paused = True  # reading an explanation should not miss the play
        self.ctl.anim = None
        self.app.stack.push(ExplainScene(self.app, self.session, self.ctl.snapshot.shown, False, target))

    def moving(self) -> bool:
        ctl = self.ctl
        return ctl.anim is not None or (ctl.autoplay is not None and not ctl.autoplay.paused
                                        and not ctl.help_open and not self.session.finished)

    def update(self, dt: float) -> None:
        self.ctl.update(dt)
        self.ctl.check_time()
        for cue in self.ctl.cues:
            self.app.sound.play(cue)
        self.ctl.cues.clear()
        self.gui.update(dt)
        self.sync_sliders()
        if self.ctl.left:
            self.app.stack.pop()
        elif self.ctl.finished:
            from .results import ResultsScene

            results = ResultsScene(
                self.app, self.row, self.model, self.session, self.ctl.steps_assisted, self.started
            )
            self.app.stack.replace(results)
            if self.ctl.timed_out:
                results.time_up = t("results.time_up", time=clock_text(self.ctl.time_limit or 0))

    # -- drawing -----------------------------------------------------------------------------------
    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        s, ctl, lay = self.session, self.ctl, self.layout
        step = min(s.step, s.T)
        hints = s.state.hints
        # the word the cell drawing shows (the one just read while the belt moves): one count on screen
        shown = ctl.anim.before.shown if ctl.anim is not None else ctl.snapshot.shown
        right = t("play.header.progress", n=shown + 1, total=s.T, hints=hints)
        left = ctl.time_left
        if left is not None:  # a class's time limit: the time left, in the header, always in view
            right = t("play.header.time_left", progress=right, time=clock_text(left))
        chrome.header(surface, t("level.numbered", number=self.row.number, title=self.row.level.title), right)
        position = float(step)
        if ctl.anim is not None:
            position = ctl.anim.before.shown + ctl.anim.progress
        draw_ribbon(surface, lay.ribbon, self.words, self.blanks, step, min(position, s.T - 1))
        lanes = [lay.lane(k, s.S) for k in range(s.S)]
        draw_cell(
            surface,
            lay.cell,
            lanes,
            ctl.snapshot,
            self.words,
            ctl.anim,
            ctl.settings.show_numbers,
            ctl.slot,
            self.autoplay_status(),
            self.explained(),
        )
        draw_side(surface, lay.side, lay.buttons, ctl)
        draw_controls(surface, lay, ctl)
        self.gui.draw_ui(surface)
        chrome.footer(surface, footer_keys(), ctl.message)
        if ctl.message == "" and ctl.autoplay is None and s.step == 0 and not s.history:
            self.draw_first_tip(surface)

    def explained(self):
        """The number the explanation panel over this screen is about (drawn with a ring)."""
        top = self.app.stack.top
        return top.ex.cursor.target if isinstance(top, ExplainScene) else None

    def autoplay_status(self) -> str:
        a = self.ctl.autoplay
        if a is None:
            return ""
        if a.strategy == "model":
            return (
                t("play.autoplay.model.paused") if a.paused else t("play.autoplay.model.speed", speed=a.speed)
            )
        return (
            t("play.autoplay.solution.paused")
            if a.paused
            else t("play.autoplay.solution.speed", speed=a.speed)
        )

    def draw_first_tip(self, surface) -> None:
        """The first word's tip, in the side panel's free room above its buttons (where it covers
        nothing: over the cell it hid the second slot's labels)."""
        side, size, step = self.layout.side, 16, 21
        width = side.width - 32
        lines = draw.wrap(t("play.tip"), size, width)
        bottom = self.layout.buttons[0].y - 10
        top = bottom - len(lines) * step
        if top < side.y + SIDE_CONTENT_H:  # no room in this window: the tip waits in the footer
            chrome.footer(surface, footer_keys(), t("play.tip"))
            return
        pygame.draw.line(surface, theme.LINE, (side.x + 16, top - 8), (side.right - 16, top - 8))
        draw.paragraph(surface, t("play.tip"), pygame.Rect(side.x + 16, top, width, bottom - top), size,
                       theme.FOCUS, spacing=step / size)
