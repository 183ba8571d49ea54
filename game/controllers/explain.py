"""Explanations of single quantities of the cell: select a gate, a memory cell, a candidate or a hidden
value and get its formula, the same formula with the shown word's numbers, and one plain sentence.

The numbers come from a play Snapshot (the player's gates, run through the real network); the
trained network's own gates come from the session's model_run. The panel that shows an Explanation
is drawn elsewhere (game/ui); this module is plain Python and NumPy.

Notation (one convention everywhere): time as unicode subscripts (cₜ, cₜ₋₁), the middle dot "·" for a
product, the real minus sign "−" in numbers, and weights named after their gate, W_f and b_f.

A GRU level explains its update gate z, reset gate r, candidate n and hidden state h (its memory):
    nₜ = tanh(W_n·xₜ + b_n + rₜ·(U_n·hₜ₋₁ + b_hn))      hₜ = (1 − zₜ)·nₜ + zₜ·hₜ₋₁
A plain RNN level has only its hidden state, hₜ = tanh(W·xₜ + U·hₜ₋₁ + b): no gate decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..levels.sequence import BLANK
from ..strings import t

if TYPE_CHECKING:  # annotations only
    from ..session.session import PlaySession
    from .play import Snapshot

QUANTITIES = ("forget", "input", "output", "candidate", "cell", "hidden")  # an LSTM's
CELL_QUANTITIES = {"lstm": QUANTITIES, "gru": ("update", "reset", "candidate", "hidden"), "rnn": ("hidden",)}
GATE_QUANTITIES = ("forget", "input", "output", "update", "reset")  # one value per slot
SYMBOLS = {"forget": "f", "input": "i", "output": "o", "candidate": "g", "cell": "c", "hidden": "h",
           "update": "z", "reset": "r"}
WRITTEN = 0.5  # an input gate at least this open writes the word; a forget gate below it erases
ATANH_CLIP = 1.0 - 1e-12  # |g| is < 1, but arctanh(±1) would be infinite


def quantity_name(q: str) -> str:
    """A quantity's name in the active language ("Forget gate")."""
    return {
        "forget": t("explain.name.forget"),
        "input": t("explain.name.input"),
        "output": t("explain.name.output"),
        "update": t("explain.name.update"),
        "reset": t("explain.name.reset"),
        "candidate": t("explain.name.candidate"),
        "cell": t("explain.name.cell"),
        "hidden": t("explain.name.hidden"),
    }[q]


def symbol(q: str, cell: str = "lstm") -> str:
    """A quantity's letter: a GRU's candidate is n (g is an LSTM's)."""
    return "n" if cell == "gru" and q == "candidate" else SYMBOLS[q]


def formula(q: str, cell: str = "lstm") -> str:
    """A quantity's formula, symbolic ("cₜ = fₜ·cₜ₋₁ + iₜ·gₜ"; a gate's is the player's setting)."""
    if cell == "gru" and q == "candidate":
        return t("explain.formula.gru.candidate")
    if cell == "gru" and q == "hidden":
        return t("explain.formula.gru.hidden")
    if cell == "rnn":
        return t("explain.formula.rnn.hidden")
    return {
        "update": t("explain.formula.update"),
        "reset": t("explain.formula.reset"),
        "forget": t("explain.formula.forget"),
        "input": t("explain.formula.input"),
        "output": t("explain.formula.output"),
        "candidate": t("explain.formula.candidate"),
        "cell": t("explain.formula.cell"),
        "hidden": t("explain.formula.hidden"),
    }[q]


@dataclass(frozen=True)
class Target:
    quantity: str  # one of QUANTITIES
    slot: int
    unit: int  # index into the full H vector; a gate (one value per slot) uses its slot's first unit


@dataclass(frozen=True)
class Explanation:
    title: str  # "Forget gate f, slot 1, word 5 'France'"
    formula: str  # symbolic: "cₜ = fₜ·cₜ₋₁ + iₜ·gₜ"
    plugged: str  # with the numbers: "0.71 = 0.98·0.72 + 0.00·0.35" (the result is the exact one, rounded)
    meaning: str  # one sentence
    model: str  # what the trained network itself chose here, or ""


def validate(target: Target, slots: int, H: int, quantities: tuple[str, ...] = QUANTITIES) -> None:
    """Raise ValueError unless the target names a quantity of this cell (S slots, H units)."""
    if target.quantity not in quantities:
        raise ValueError(f"unknown quantity {target.quantity!r}; one of {', '.join(quantities)}")
    for name in ("slot", "unit"):
        v = getattr(target, name)
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ValueError(f"{name} must be an integer, got {v!r}")
    if not 0 <= target.slot < slots:
        raise ValueError(f"slot {target.slot} does not exist (slots 0..{slots - 1})")
    per = H // slots
    first = target.slot * per
    if target.quantity in GATE_QUANTITIES:
        if target.unit != first:
            raise ValueError(
                f"a gate is one value per slot: slot {target.slot} is unit {first}, not {target.unit}"
            )
    elif not first <= target.unit < first + per:
        raise ValueError(
            f"unit {target.unit} is not in slot {target.slot} (units {first}..{first + per - 1})"
        )


def num(x: float) -> str:
    """Two decimals with a real minus sign; never "−0.00"."""
    s = f"{float(x):.2f}"
    if s == "-0.00":
        s = "0.00"
    return s.replace("-", "−")


def factor(x: float) -> str:
    """A number as an operand of a product: negatives in parentheses."""
    s = num(x)
    return f"({s})" if s.startswith("−") else s


def percent(x: float) -> int:
    return int(round(float(x) * 100))


def _memory(holder: str | None, slot: int) -> str:
    return t("explain.memory.holds", word=holder) if holder else t("explain.memory.slot", slot=slot + 1)


def explain(
    target: Target,
    snap: Snapshot,
    words: tuple[str, ...],
    slots: int,
    holder: str | None,
    model_gates: dict | None,
) -> Explanation:
    """Explain one quantity at the shown word (snap.shown).

    holder: the word held by the memory this quantity acts on (see holder_word): for the forget gate
    the memory *before* the word (upto = shown − 1), otherwise the memory after it (upto = shown);
    explain_for picks the right one. model_gates: the trained network's own {"forget", "input",
    "output"} for this slot at this word (see model_gates), or None.
    """
    H = len(snap.c)
    validate(target, slots, H, CELL_QUANTITIES[snap.cell])
    q, k, u, shown = target.quantity, target.slot, target.unit, snap.shown
    word = words[shown]
    gates = snap.gates[k]
    if q in GATE_QUANTITIES:
        title = t(
            "explain.title.gate", name=quantity_name(q), symbol=SYMBOLS[q], slot=k + 1, n=shown + 1, word=word
        )
    else:
        title = t(
            "explain.title.unit",
            name=quantity_name(q),
            symbol=symbol(q, snap.cell),
            slot=k + 1,
            cell=u - k * (H // slots) + 1,
            n=shown + 1,
            word=word,
        )
    if snap.cell != "lstm":
        plugged, meaning, model = _explain_gru_rnn(q, k, u, snap, word, holder, model_gates)
        return Explanation(title, formula(q, snap.cell), plugged, meaning, model)
    f, i, o = gates["forget"], gates["input"], gates["output"]
    to_answer = word == BLANK  # the last word passes its memory to the answer, others to the next word
    model = ""
    if q in GATE_QUANTITIES:
        v = gates[q]
        s = SYMBOLS[q]
        plugged = f"{s}ₜ = {num(v)}"
        p = percent(v)
        memory = _memory(holder, k)
        if q == "forget":
            if v >= WRITTEN:
                meaning = t("explain.meaning.forget.kept", percent=p, memory=memory)
            else:
                meaning = t("explain.meaning.forget.erased", percent=100 - p, memory=memory)
        elif q == "input":
            if p == 0:
                meaning = t("explain.meaning.input.nothing", word=word, slot=k + 1)
            else:
                meaning = t("explain.meaning.input", percent=p, word=word, slot=k + 1)
        elif p == 0:
            meaning = (
                t("explain.meaning.output.nothing.answer", memory=memory)
                if to_answer
                else t("explain.meaning.output.nothing.next", memory=memory)
            )
        else:
            meaning = (
                t("explain.meaning.output.answer", percent=p, memory=memory)
                if to_answer
                else t("explain.meaning.output.next", percent=p, memory=memory)
            )
        if model_gates is not None:
            model = t("explain.model.gate", symbol=s, value=num(model_gates[q]))
    elif q == "candidate":
        g = float(snap.g[u])
        z = float(np.arctanh(np.clip(g, -ATANH_CLIP, ATANH_CLIP)))
        plugged = f"{num(g)} = tanh({num(z)})"
        meaning = t("explain.meaning.candidate", word=word, value=num(g), percent=percent(i))
    elif q == "cell":
        c_prev, g, c = float(snap.c_prev[u]), float(snap.g[u]), float(snap.c[u])
        plugged = f"{num(c)} = {factor(f)}·{factor(c_prev)} + {factor(i)}·{factor(g)}"
        meaning = t(
            "explain.meaning.cell",
            memory=_memory(holder, k),
            kept=percent(f),
            took=percent(i),
            word=word,
            tanh=num(np.tanh(c)),
        )
        if model_gates is not None:
            model = t(
                "explain.model.cell", forget=num(model_gates["forget"]), input=num(model_gates["input"])
            )
    else:  # hidden
        c, h = float(snap.c[u]), float(snap.h[u])
        plugged = f"{num(h)} = {factor(o)}·tanh({num(c)})"
        if percent(o) == 0:
            meaning = (
                t("explain.meaning.hidden.shut.answer")
                if to_answer
                else t("explain.meaning.hidden.shut.next")
            )
        else:
            squashed = num(np.tanh(c))
            meaning = (
                t("explain.meaning.hidden.answer", percent=percent(o), tanh=squashed)
                if to_answer
                else t("explain.meaning.hidden.next", percent=percent(o), tanh=squashed)
            )
        if model_gates is not None:
            model = t("explain.model.hidden", output=num(model_gates["output"]))
    return Explanation(title, formula(q), plugged, meaning, model)


def _explain_gru_rnn(q: str, k: int, u: int, snap: Snapshot, word: str, holder: str | None,
                     model_gates: dict | None) -> tuple[str, str, str]:
    """(plugged, meaning, model) of a GRU's z, r, n, h or a plain RNN's h (module docstring)."""
    memory, model = _memory(holder, k), ""
    if snap.cell == "rnn":
        h = float(snap.h[u])
        a = float(np.arctanh(np.clip(h, -ATANH_CLIP, ATANH_CLIP)))
        return f"{num(h)} = tanh({num(a)})", t("explain.meaning.rnn.hidden", word=word), ""
    gates = snap.gates[k]
    z, r = gates["update"], gates["reset"]
    if q in ("update", "reset"):
        v = gates[q]
        p = percent(v)
        if q == "update":
            meaning = (t("explain.meaning.update.kept", percent=p, memory=memory, word=word)
                       if v >= WRITTEN else
                       t("explain.meaning.update.replaced", percent=100 - p, memory=memory, word=word))
        else:
            meaning = (t("explain.meaning.reset.hidden", memory=memory, word=word) if p == 0 else
                       t("explain.meaning.reset.seen", percent=p, memory=memory))
        if model_gates is not None:
            model = t("explain.model.gate", symbol=SYMBOLS[q], value=num(model_gates[q]))
        return f"{SYMBOLS[q]}ₜ = {num(v)}", meaning, model
    if q == "candidate":
        n, hn = float(snap.g[u]), float(snap.hn[u]) if snap.hn is not None else 0.0
        x = float(np.arctanh(np.clip(n, -ATANH_CLIP, ATANH_CLIP))) - r * hn  # W_n·x + b_n
        meaning = t("explain.meaning.gru.candidate", word=word, value=num(n), percent=percent(r))
        if model_gates is not None:
            model = t("explain.model.gru.candidate", reset=num(model_gates["reset"]))
        return f"{num(n)} = tanh({num(x)} + {factor(r)}·{factor(hn)})", meaning, model
    h, n, h_prev = float(snap.h[u]), float(snap.g[u]), float(snap.c_prev[u])
    plugged = f"{num(h)} = (1 − {num(z)})·{factor(n)} + {num(z)}·{factor(h_prev)}"
    meaning = t("explain.meaning.gru.hidden", kept=percent(z), took=100 - percent(z), word=word)
    if model_gates is not None:
        model = t("explain.model.gru.hidden", update=num(model_gates["update"]))
    return plugged, meaning, model


def holder_word(session: PlaySession, slot: int, upto: int) -> str | None:
    """The word slot's memory holds after word `upto`: the last word at or before it whose input gate
    was >= 0.5 and that no later forget gate < 0.5 erased (up to `upto`); None if nothing is held.
    Only words already gated count: rows after the session's current step are not decided yet."""
    t = holder_index(session, slot, upto)
    return None if t is None else session.sequence.words[t]


def holder_index(session: PlaySession, slot: int, upto: int) -> int | None:
    S = session.S
    if not 0 <= slot < S:
        raise ValueError(f"slot {slot} does not exist (slots 0..{S - 1})")
    last = min(upto, session.step, session.T - 1)
    if last < 0:
        return None
    rows = session.state.gates[: last + 1]
    if session.cell == "gru":  # a GRU writes by replacing: the last word whose update gate was below half
        z = rows[:, session.gates.index("update") * S + slot]
        written = np.flatnonzero(z < WRITTEN)
        return int(written[-1]) if len(written) else None
    if session.cell != "lstm":
        return None  # no gates: nothing says which word the memory holds
    i = rows[:, session.gates.index("input") * S + slot]
    f = rows[:, session.gates.index("forget") * S + slot]
    written = np.flatnonzero(i >= WRITTEN)
    if not len(written):
        return None
    t = int(written[-1])
    return None if (f[t + 1 :] < WRITTEN).any() else t


def model_gates(session: PlaySession, slot: int, t: int) -> dict[str, float] | None:
    """The trained network's own gates for one slot at word t ({"forget", "input", "output"} or
    {"update", "reset"}); None for a plain RNN, which has none."""
    if not session.gates:
        return None
    row, S = session.model_run.gates[t], session.S
    return {name: float(row[g * S + slot]) for g, name in enumerate(session.gates)}


def explain_for(session: PlaySession, snap: Snapshot, target: Target) -> Explanation:
    """explain() with the holder and the network's gates taken from the session."""
    t = snap.shown
    held = holder_word(session, target.slot, t - 1 if target.quantity in ("forget", "update") else t)
    return explain(
        target,
        snap,
        tuple(session.sequence.words),
        session.S,
        held,
        model_gates(session, target.slot, t),
    )


class ExplainCursor:
    """Keyboard navigation over targets. Left/right: the quantity (wrapping, QUANTITIES order);
    up/down: the unit within the slot for unit quantities, the slot for gates (both clamped);
    next_slot: the next slot (cycling). The unit within the slot is remembered across gates."""

    def __init__(self, slots: int, H: int, quantities: tuple[str, ...] = QUANTITIES):
        if slots < 1 or H < 1 or H % slots:
            raise ValueError(f"{H} units cannot be split into {slots} slots")
        self.slots, self.H, self.per = slots, H, H // slots
        self.quantities = quantities
        self.offset = 0  # unit within the slot for unit quantities
        self._go(quantities[0], 0)

    def _go(self, quantity: str, slot: int) -> None:
        unit = slot * self.per + (0 if quantity in GATE_QUANTITIES else self.offset)
        self.target = Target(quantity, slot, unit)

    def left(self) -> None:
        self._turn(-1)

    def right(self) -> None:
        self._turn(1)

    def _turn(self, d: int) -> None:
        qs = self.quantities
        q = qs[(qs.index(self.target.quantity) + d) % len(qs)]
        self._go(q, self.target.slot)

    def up(self) -> None:
        self._move(-1)

    def down(self) -> None:
        self._move(1)

    def _move(self, d: int) -> None:
        q, slot = self.target.quantity, self.target.slot
        if q in GATE_QUANTITIES:
            slot = min(self.slots - 1, max(0, slot + d))
        else:
            self.offset = min(self.per - 1, max(0, self.offset + d))
        self._go(q, slot)

    def next_slot(self) -> None:
        self._go(self.target.quantity, (self.target.slot + 1) % self.slots)

    def select(self, target: Target) -> None:
        validate(target, self.slots, self.H, self.quantities)
        if target.quantity not in GATE_QUANTITIES:
            self.offset = target.unit - target.slot * self.per
        self.target = Target(target.quantity, int(target.slot), int(target.unit))


class Explainer:
    """The explanation panel's state: which word and which quantity; the snapshot of that word is made
    once per word. ``movable``: the player may go to other words (results, comparison) or only look at
    the current one (play)."""

    def __init__(self, session: PlaySession, t: int, movable: bool = False, target: Target | None = None):
        from .play import snapshot_at  # play imports the UI's actions; keep this module light to import

        self._snapshot_at = snapshot_at
        self.session, self.movable = session, movable
        self.last = min(session.step, session.T - 1)  # no word after the one being gated has numbers
        self.t = max(0, min(self.last, t))
        self.cursor = ExplainCursor(session.S, session.model.cell.hidden_size, CELL_QUANTITIES[session.cell])
        if target is not None:
            self.cursor.select(target)
        self._snaps: dict[int, Snapshot] = {}

    @property
    def snapshot(self) -> Snapshot:
        if self.t not in self._snaps:
            self._snaps[self.t] = self._snapshot_at(self.session, self.t)
        return self._snaps[self.t]

    def word(self, d: int) -> None:
        if self.movable:
            self.t = max(0, min(self.last, self.t + d))

    def explanation(self) -> Explanation:
        return explain_for(self.session, self.snapshot, self.cursor.target)


def strongest_unit(snap: Snapshot, slot: int, slots: int) -> int:
    """The slot's cell holding the most (largest |c|): where a clue is most likely kept."""
    per = len(snap.c) // slots
    return slot * per + int(np.argmax(np.abs(snap.c[slot * per : (slot + 1) * per])))


def default_target(snap: Snapshot, slot: int, quantity: str, slots: int) -> Target:
    """What to explain first in a slot: a gate (one per slot), or its strongest memory cell."""
    per = len(snap.c) // slots
    unit = slot * per if quantity in GATE_QUANTITIES else strongest_unit(snap, slot, slots)
    return Target(quantity, slot, unit)
