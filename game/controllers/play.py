"""The play screen's logic: which slot and gate has the keyboard, presets, stepping with an animation
clock, hints, autoplay and take-over, and a cached snapshot of everything the screen shows.

Every change to the game goes through the session's history (game/session); this class only keeps
what is about the screen (selection, help, messages, animation) and never reads a clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..levels import cells
from ..levels.training import Outcome
from ..session.commands import Action, ActionError, Advance, Redo, SetGates, Undo
from ..session.scripted import strategy_gates
from ..session.session import PlaySession
from ..strings import t
from ..ui.actions import Act, Input
from .autoplay import Autoplay
from .settings import Settings

SHOWN_GATES = cells.READING["lstm"]  # an LSTM level's controls, in the order a person reads them
PRESETS = {  # every gate of the selected slot, so a preset always means the same thing
    Act.KEEP: {"forget": 1.0, "input": 0.0, "output": 0.0},
    Act.WRITE: {"forget": 1.0, "input": 1.0, "output": 0.0},
    Act.ERASE: {"forget": 0.0, "input": 0.0, "output": 0.0},
    Act.REVEAL: {"forget": 1.0, "input": 0.0, "output": 1.0},
}
# A GRU's: keep (z = 1); write a fresh candidate that replaces the memory (z = 0, r = 0: it does not see
# the old memory); erase is the same replacement; reveal lets the candidate see the memory (z = 0, r = 1).
CELL_PRESETS = {
    "lstm": PRESETS,
    "gru": {
        Act.KEEP: {"update": 1.0, "reset": 1.0},
        Act.WRITE: {"update": 0.0, "reset": 0.0},
        Act.ERASE: {"update": 0.0, "reset": 0.0},
        Act.REVEAL: {"update": 0.0, "reset": 1.0},
    },
    "rnn": {},
}
NUDGE = 0.1
STEP_SECONDS = 0.55  # the conveyor moves one word
MESSAGE_SECONDS = 4.0
LEAVE_SECONDS = 3.0  # a second Esc within this time leaves the level
GATE_ACTS = {  # what sets or selects a gate (a plain RNN level has none)
    Act.UP, Act.DOWN, Act.INCREASE, Act.DECREASE, Act.LEFT, Act.RIGHT, Act.SET_MIN, Act.SET_MAX,
    Act.KEEP, Act.WRITE, Act.ERASE, Act.REVEAL,
}
TAKE_OVER = {
    Act.STEP,
    Act.UNDO,
    Act.REDO,
    Act.INCREASE,
    Act.DECREASE,
    Act.KEEP,
    Act.WRITE,
    Act.ERASE,
    Act.REVEAL,
    Act.HINT,
    Act.LEFT,
    Act.RIGHT,
}


@dataclass(frozen=True)
class Snapshot:
    """What the screen shows for one state of the history (recomputed only when the history grows)."""

    step: int  # the word being gated (T once finished)
    shown: int  # the word the cell drawing shows (the last one once finished)
    gates: tuple[dict, ...]  # per slot: the cell's gates at the shown word (LSTM forget, input, output;
    # GRU update, reset; a plain RNN none)
    c_prev: np.ndarray  # (H,) memory before the shown word (a GRU's or RNN's: the hidden state)
    g: np.ndarray  # (H,) candidate values the word offers (GRU: n; RNN: the new state itself)
    c: np.ndarray  # (H,) memory after it, with the player's gates
    h: np.ndarray  # (H,) hidden state after it
    says: tuple[tuple[tuple[str, float], ...], ...]  # per slot: its top answers if it alone were revealed
    prediction: Outcome | None  # the network's answer with the player's gates, from the blank on
    cell: str = "lstm"  # lstm, gru or rnn (game/levels/cells.py)
    hn: np.ndarray | None = None  # GRU: (H,) W_hn h + b_hn, what the reset gate lets into the candidate


def gate_row(session: PlaySession, step: int, slot: int) -> dict:
    """The player's gates for one slot at word ``step``: {"forget", "input", "output"} (LSTM),
    {"update", "reset"} (GRU), {} (plain RNN)."""
    row, S = session.state.gates[step], session.S
    return {name: float(row[g * S + slot]) for g, name in enumerate(session.gates)}


def snapshot_at(session: PlaySession, shown: int) -> Snapshot:
    """What the cell shows at word ``shown`` (at most the current one): the player's gates there, the
    memory before and after, the candidate, the hidden state, what the memory says, the answer."""
    states = session.states(shown + 1)  # cached: one network step per action, not a re-run
    H = session.model.cell.hidden_size
    now = states[-1]
    c_prev = states[-2].memory.copy() if shown > 0 else np.zeros(H)
    c = now.memory.copy()
    return Snapshot(
        session.step,
        shown,
        tuple(gate_row(session, shown, k) for k in range(session.S)),
        c_prev,
        now.candidate.copy(),
        c,
        now.h.copy(),
        tuple(tuple(session.memory_says(3, c, slot)) for slot in range(session.S)),
        session.prediction(),
        session.cell,
        None if now.hn is None else now.hn.copy(),
    )


def step_cues(gates: tuple[dict, ...]) -> list[str]:
    """The sounds of reading a word with these gates: a tick, and whether memory was written or
    erased (any slot's input, or forget, past half-way)."""
    cues = ["step"]
    if any(g.get("input", 0.0) >= 0.5 or g.get("update", 1.0) < 0.5 for g in gates):
        cues.append("write")  # a GRU writes by replacing: update below half
    if any(g.get("forget", 1.0) < 0.5 or g.get("reset", 1.0) < 0.5 for g in gates):
        cues.append("forget")
    return cues


@dataclass
class Animation:
    before: Snapshot  # the word just read
    elapsed: float = 0.0
    duration: float = STEP_SECONDS

    @property
    def progress(self) -> float:
        return min(1.0, self.elapsed / self.duration)


class PlayController:
    def __init__(self, session: PlaySession, settings: Settings | None = None):
        self.session = session
        self.settings = settings or Settings()
        self.slot = 0
        self.shown_gates = session.shown_gates  # this level's gates, in reading order
        self.presets = CELL_PRESETS[session.cell]
        self.gate = 0  # index into shown_gates
        self.help_open = False
        self.hint: dict | None = None  # the network's gates from the player's memory, at hint_step
        self.hint_step = -1
        self.text_hint: str | None = None  # the level's own hint last read (stays on screen; free)
        self.text_hints_read = 0
        self.text_hint_step = -1  # the word at which the last text hint was read
        self.message = ""
        self.message_age = 0.0
        self.leave_armed = 0.0  # >0: Esc pressed recently
        self.left = False  # the player asked to leave the level
        self.anim: Animation | None = None
        self.autoplay: Autoplay | None = None
        self.assisted: set[int] = set()  # words where autoplay acted
        self.drag: tuple[int, str, float] | None = None  # a slider being dragged: (slot, gate, value)
        self._snapshot: Snapshot | None = None
        self._key = -1
        self.cues: list[str] = []  # sound cues for the screen to play (and clear)
        self.class_hints = None  # in a class: its hint rules (game/classroom/student.ClassHints)
        self.time_limit: float | None = None  # in a class with a time limit: seconds for this attempt
        self.timed_out = False  # the time ran out and the attempt was finished as it stood
        self._clock: Callable[[], float] = time.monotonic
        self._clock_start = 0.0

    # -- a class's time limit (docs/classroom.md "Time limit") ---------------------------------------
    def start_clock(self, limit_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        """Time this attempt: ``limit_seconds`` from now, on ``clock`` (monotonic seconds)."""
        self.time_limit, self._clock, self._clock_start = float(limit_seconds), clock, clock()

    @property
    def time_left(self) -> float | None:
        """Seconds left (never below 0), or None with no limit."""
        if self.time_limit is None:
            return None
        return max(0.0, self.time_limit - (self._clock() - self._clock_start))

    def check_time(self) -> bool:
        """When the time is up and the sentence is not finished, finish it as it stands: the words left
        are read with the gates as they are now (no more changes), so the attempt ends within the limit
        and is handed in like any other. True when that happened just now."""
        left = self.time_left
        if left is None or left > 0 or self.session.finished:
            return False
        self.autoplay, self.anim, self.drag, self.help_open = None, None, None, False
        while not self.session.finished:
            self.session.apply(Advance())
        self.timed_out = True
        self._key = -1
        return True

    # -- what the screen shows ----------------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        key = len(self.session.history)
        if key != self._key or self._snapshot is None:
            self._snapshot, self._key = self._compute(), key
        return self._snapshot

    def _compute(self) -> Snapshot:
        return snapshot_at(self.session, min(self.session.step, self.session.T - 1))

    def gate_value(self, slot: int, gate: str) -> float:
        """The value a control shows: the one being dragged, else the session's."""
        if self.drag is not None and self.drag[:2] == (slot, gate):
            return self.drag[2]
        return self.snapshot.gates[slot][gate]

    @property
    def finished(self) -> bool:
        """The sentence is read and its last animation has played: time for the results."""
        return self.session.finished and self.anim is None

    @property
    def steps_assisted(self) -> int:
        return len(self.assisted)

    # -- input -----------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        self.message, self.message_age = text, 0.0

    def handle(self, inp: Input) -> None:
        act = inp.act
        if act == Act.HELP:
            self.help_open = not self.help_open
            return
        if self.help_open:  # the overlay is modal: Esc / F1 / Enter close it
            if act in (Act.BACK, Act.CONFIRM, Act.STEP):
                self.help_open = False
            return
        if self.session.finished and act != Act.BACK:
            return  # the last word is read: the attempt is final, its results come next (no undo)
        if act == Act.BACK:
            if self.leave_armed > 0:
                self.left = True
            else:
                self.leave_armed = LEAVE_SECONDS
                self.say(t("play.say.leave"))
            return
        if act == Act.PAUSE and self.autoplay:
            self.autoplay.toggle_pause()
            self.say(t("play.say.paused") if self.autoplay.paused else t("play.say.resumed"))
            return
        if act in (Act.FASTER, Act.SLOWER):
            self.settings = self.settings.faster(1 if act == Act.FASTER else -1)
            if self.autoplay:
                self.autoplay.speed = self.settings.autoplay_speed
            self.say(t("play.say.speed", speed=self.settings.autoplay_speed))
            return
        if act == Act.AUTOPLAY:
            if self.autoplay:
                self.take_over()
            else:
                self.start_autoplay("model")
            return
        if self.autoplay and act in TAKE_OVER:
            self.take_over()
        if act == Act.CONFIRM and inp.value is not None:
            self.select_slot(inp.value - 1)
        elif act in (Act.STEP, Act.CONFIRM):
            self.step()
        elif act == Act.NEXT_SLOT:
            self.select_slot((self.slot + 1) % self.session.S)
        elif act == Act.PREV_SLOT:
            self.select_slot((self.slot - 1) % self.session.S)
        elif not self.shown_gates and act in GATE_ACTS:
            self.say(t("play.say.no_gates"))  # a plain RNN: the player watches
        elif act == Act.UP:
            self.gate = (self.gate - 1) % len(self.shown_gates)
        elif act == Act.DOWN:
            self.gate = (self.gate + 1) % len(self.shown_gates)
        elif act in (Act.INCREASE, Act.RIGHT, Act.DECREASE, Act.LEFT):
            sign = 1 if act in (Act.INCREASE, Act.RIGHT) else -1
            v = self.snapshot.gates[self.slot][self.shown_gates[self.gate]]
            self.set_gate(self.slot, self.shown_gates[self.gate], round(v + sign * NUDGE, 2))
        elif act in (Act.SET_MIN, Act.SET_MAX):
            self.set_gate(self.slot, self.shown_gates[self.gate], 0.0 if act == Act.SET_MIN else 1.0)
        elif act in self.presets:
            self.apply(SetGates(self.session.step, self.slot, **self.presets[act]))
        elif act == Act.UNDO:
            self.apply(Undo())
        elif act == Act.REDO:
            self.apply(Redo())
        elif act == Act.HINT:
            self.ask_hint()

    def select_slot(self, slot: int) -> None:
        if 0 <= slot < self.session.S:
            self.slot = slot

    def set_gate(self, slot: int, gate: str, value: float) -> None:
        value = min(1.0, max(0.0, float(value)))
        if abs(value - self.snapshot.gates[slot][gate]) < 1e-12:
            return
        self.apply(SetGates(self.session.step, slot, **{gate: value}))

    # mouse dragging: preview while the button is held, one history entry on release
    def drag_to(self, slot: int, gate: str, value: float) -> None:
        if self.session.finished or self.anim is not None:
            return
        if self.autoplay:
            self.take_over()
        self.slot, self.gate = slot, self.shown_gates.index(gate)
        self.drag = (slot, gate, min(1.0, max(0.0, float(value))))

    def release(self) -> None:
        if self.drag is not None:
            slot, gate, value = self.drag
            self.drag = None
            self.set_gate(slot, gate, round(value, 2))

    def apply(self, action: Action) -> bool:
        if self.anim is not None:  # finish the animation first: what you see is what you set
            self.anim = None
        try:
            before = self.snapshot
            self.session.apply(action)
        except ActionError as e:
            self.say(t("play.say.refused", reason=str(e).capitalize()))
            return False
        if isinstance(action, Advance):
            self.hint = None
            self.cues += step_cues(before.gates)
            if not self.settings.reduced_motion:
                self.anim = Animation(before)
        return True

    def step(self) -> None:
        self.apply(Advance())

    def ask_hint(self) -> None:
        """H: at each word, first the level's next text hint (free, while any is unread), then the
        network's gates from the player's memory now (a counted hint, docs/scoring.md)."""
        if self.session.finished:
            return
        refusal = self.class_hints.refusal() if self.class_hints is not None else None
        if refusal:  # the challenge forbids hints: H says so, nothing is shown or counted
            self.say(refusal)
            return
        hints = self.session.level.hints
        if self.text_hint_step != self.session.step and self.text_hints_read < len(hints):
            self.text_hint = hints[self.text_hints_read]
            self.text_hints_read += 1
            self.text_hint_step = self.session.step
            self.say(t("play.say.text_hint", n=self.text_hints_read, total=len(hints)))
            return
        if self.hint_step == self.session.step and self.hint is not None:
            self.say(t("play.say.hint_shown"))
            return
        try:
            self.hint = self.session.hint()
        except ActionError as e:
            self.say(t("play.say.refused", reason=str(e).capitalize()))
            return
        self.hint_step = self.session.step
        if self.class_hints is not None:
            self.class_hints.used(self.session.step)  # the class server counts it (in the background)
        self.say(t("play.say.hint"))

    # -- autoplay ---------------------------------------------------------------------------------
    def start_autoplay(self, strategy: str) -> None:
        if self.session.finished:
            return
        self.autoplay = Autoplay(
            strategy, strategy_gates(self.session, strategy), self.settings.autoplay_speed
        )
        self.say(t("play.say.autoplay.model") if strategy == "model" else t("play.say.autoplay.solution"))

    def take_over(self) -> None:
        self.autoplay = None
        self.say(t("play.say.taken_over", n=self.session.step + 1))

    # -- time -------------------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        self.message_age += dt
        if self.message and self.message_age > MESSAGE_SECONDS:
            self.message = ""
        self.leave_armed = max(0.0, self.leave_armed - dt)
        if self.anim is not None:
            self.anim.elapsed += dt
            if self.anim.elapsed >= self.anim.duration:
                self.anim = None
            return  # autoplay waits for the conveyor
        if self.autoplay and not self.help_open:
            for action in self.autoplay.update(dt, self.session):
                step = self.session.step
                if self.apply(action):
                    self.assisted.add(step)
            if self.session.finished:
                self.autoplay = None
