"""The explanation panel's data: formulas with the shown word's numbers, plain sentences, which word a
slot holds, the trained network's own gates, and keyboard navigation over the quantities.

Everything runs on the shipped level 01-carry with its trained model (loaded, never trained here).
Its sentence: "I grew up in France . It was a lovely place . Now I work in an office . I speak fluent ___",
one slot, 16 units; the clue "France" is word 4 (0-based) and the blank is the last word.
"""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from game.controllers.explain import (
    QUANTITIES,
    ExplainCursor,
    Explanation,
    Target,
    explain,
    explain_for,
    holder_word,
    model_gates,
    num,
)
from game.controllers.play import PlayController
from game.levels.catalogue import shipped
from game.levels.training import ensure_model
from game.session import scripted
from game.session.session import GATES, PlaySession

CLUE = 4  # "France"
NUMBER = re.compile(r"−?[0-9]+\.[0-9]{2}")


@pytest.fixture(scope="module")
def carry():
    _, entry = shipped("01-carry")
    model, _, _ = ensure_model(entry.level)
    return entry.level, model


def new(carry) -> tuple[PlaySession, PlayController]:
    s = PlaySession(*carry)
    return s, PlayController(s)


def numbers(text: str) -> list[float]:
    return [float(m.replace("−", "-")) for m in NUMBER.findall(text)]


def targets(S: int, H: int):
    per = H // S
    for slot in range(S):
        for q in QUANTITIES[:3]:
            yield Target(q, slot, slot * per)
        for q in QUANTITIES[3:]:
            for u in range(slot * per, (slot + 1) * per):
                yield Target(q, slot, u)


def check_arithmetic(e: Explanation, target: Target, snap) -> None:
    """The plugged text's result is the exact value rounded; its operands recompute it (up to rounding)."""
    vals = numbers(e.plugged)
    u, gates = target.unit, snap.gates[target.slot]
    if target.quantity in gates:
        assert vals == [round(gates[target.quantity], 2)]
        return
    exact = {"candidate": snap.g, "cell": snap.c, "hidden": snap.h}[target.quantity][u]
    assert NUMBER.findall(e.plugged)[0] == num(exact)
    result, *ops = vals
    if target.quantity == "candidate":
        (z,) = ops
        again, slack = np.tanh(z), 0.005
    elif target.quantity == "cell":
        f, c_prev, i, g = ops
        assert (f, i) == (round(gates["forget"], 2), round(gates["input"], 2))
        assert c_prev == pytest.approx(snap.c_prev[u], abs=0.005)
        again, slack = f * c_prev + i * g, 0.005 * (abs(f) + abs(c_prev) + abs(i) + abs(g)) + 1e-4
    else:
        o, c = ops
        assert o == round(gates["output"], 2)
        again, slack = o * np.tanh(c), 0.005 * (abs(o) + 1) + 1e-4
    assert abs(again - exact) <= slack, (e.plugged, exact)
    assert abs(result - exact) <= 0.005 + 1e-12


def test_a_real_snapshot_obeys_the_cell_equations_for_every_unit(carry):
    s, ctl = new(carry)
    gating = scripted.strategy_gates(s, "solution")
    for t in range(s.T):
        if t == CLUE:  # something non-trivial: partial gates everywhere
            s.set_gates(0, forget=0.7, input=0.6, output=0.3)
        else:
            s.set_gates(0, **{name: float(gating[t, g]) for g, name in enumerate(GATES)})
        snap = ctl.snapshot
        gates = snap.gates[0]
        c = gates["forget"] * snap.c_prev + gates["input"] * snap.g
        np.testing.assert_allclose(c, snap.c, rtol=0, atol=1e-9)
        np.testing.assert_allclose(gates["output"] * np.tanh(snap.c), snap.h, rtol=0, atol=1e-9)
        s.advance()
    assert s.finished


def test_plugged_numbers_reproduce_the_arithmetic_at_every_word_and_unit(carry):
    s, ctl = new(carry)
    H = s.model.cell.hidden_size
    for t in range(s.T):
        if t == CLUE:
            s.set_gates(0, forget=0.73, input=0.58, output=0.41)
        elif t > CLUE:
            s.set_gates(0, input=0.0, forget=1.0, output=0.9)
        snap = ctl.snapshot
        for target in targets(s.S, H):
            e = explain_for(s, snap, target)
            check_arithmetic(e, target, snap)
            assert f"word {t + 1} '{s.sequence.words[t]}'" in e.title
            assert e.meaning.endswith(".") and e.meaning.count(". ") == 0  # one sentence
            assert "-" not in e.plugged  # a real minus sign
        s.advance()
    assert any("−" in explain_for(s, snap, t).plugged for t in targets(s.S, H))  # negatives were seen


def test_forget_high_keeps_the_held_word_and_forget_low_erases_it(carry):
    s, ctl = new(carry)
    for _ in range(CLUE):
        s.advance()
    s.set_gates(0, input=1.0)
    s.advance()  # at "." the memory holds France
    s.set_gates(0, input=0.0, forget=0.98)
    kept = explain_for(s, ctl.snapshot, Target("forget", 0, 0))
    assert kept.meaning == "The forget gate kept 98% of the memory that holds 'France'."
    assert kept.plugged == "fₜ = 0.98" and kept.formula == "fₜ = your setting"
    s.set_gates(0, forget=0.1)
    erased = explain_for(s, ctl.snapshot, Target("forget", 0, 0))
    assert erased.meaning == "The forget gate erased 90% of the memory that holds 'France'."
    assert "kept" not in erased.meaning and "erased" not in kept.meaning
    # with nothing held, the sentence names the slot instead
    empty = explain(Target("forget", 0, 0), ctl.snapshot, tuple(s.sequence.words), 1, None, None)
    assert empty.meaning == "The forget gate erased 90% of slot 1's memory." and empty.model == ""


def test_holder_word_finds_the_clue_once_written_and_none_before_or_after_an_erase(carry):
    s, _ = new(carry)
    for t in range(CLUE):
        assert holder_word(s, 0, t) is None
        s.advance()
    assert holder_word(s, 0, CLUE) is None  # at the clue, before writing
    s.set_gates(0, input=1.0)
    assert holder_word(s, 0, CLUE) == "France"
    assert holder_word(s, 0, CLUE - 1) is None
    assert holder_word(s, 0, -1) is None
    s.advance()
    s.set_gates(0, input=0.0)  # the next word starts with the last gates: stop writing
    for _ in range(3):
        s.advance()
    assert holder_word(s, 0, s.step) == "France"
    assert holder_word(s, 0, s.T + 5) == "France"  # words not gated yet do not count
    s.set_gates(0, forget=0.2)  # erased
    assert holder_word(s, 0, s.step) is None
    assert holder_word(s, 0, s.step - 1) == "France"  # the forget gate acts on what was held before
    with pytest.raises(ValueError):
        holder_word(s, 1, 3)


def test_the_losing_strategy_forgets_on_the_way_and_the_solution_reveals_to_the_answer(carry):
    s, ctl = new(carry)
    scripted.play(s, scripted.strategy_gates(s, "losing", 1))  # forget 0 at "step: 8" (1-based)
    assert s.state.gates[7, s.S] == 0.0
    assert [holder_word(s, 0, t) for t in (3, 4, 6, 7, 22)] == [None, "France", "France", None, None]
    s, ctl = new(carry)
    scripted.play(s, scripted.strategy_gates(s, "solution"))
    snap = ctl.snapshot
    assert snap.shown == s.T - 1 and s.sequence.words[snap.shown] == "___"
    out = explain_for(s, snap, Target("output", 0, 0))
    assert out.meaning == "The output gate showed 100% of the memory that holds 'France' to the answer."
    hidden = explain_for(s, snap, Target("hidden", 0, 5))
    assert hidden.meaning.endswith("to the answer.") and hidden.formula == "hₜ = oₜ·tanh(cₜ)"
    s2, ctl2 = new(carry)
    shut = explain_for(s2, ctl2.snapshot, Target("output", 0, 0))
    assert shut.meaning == "The output gate showed nothing of slot 1's memory to the next word."
    assert explain_for(s2, ctl2.snapshot, Target("hidden", 0, 0)).meaning.startswith(
        "The output gate is shut"
    )


def test_the_model_line_reports_the_networks_own_gates(carry):
    s, ctl = new(carry)
    for _ in range(CLUE):
        s.advance()
    run = s.model_run.gates
    for g, name in enumerate(GATES):
        e = explain_for(s, ctl.snapshot, Target(name, 0, 0))
        mine = run[CLUE, g * s.S]
        assert model_gates(s, 0, CLUE)[name] == mine
        assert e.model.endswith(f"= {num(mine)} here.") and e.model.startswith("The network's own run")
        assert "your gates' run" in e.title  # the panel's own numbers are the player's run
    assert run[CLUE, 0] > 0.5 > run[CLUE - 1, 0]  # the network itself writes at the clue
    assert num(run[CLUE, s.S]) in explain_for(s, ctl.snapshot, Target("cell", 0, 2)).model
    assert explain_for(s, ctl.snapshot, Target("candidate", 0, 2)).model == ""


def test_cursor_wraps_across_quantities_and_clamps_units_and_slots():
    cur = ExplainCursor(2, 8)  # 4 units per slot
    assert cur.target == Target("forget", 0, 0)
    cur.left()
    assert cur.target == Target("hidden", 0, 0)  # wraps
    cur.right()
    assert cur.target == Target("forget", 0, 0)
    seen = []
    for _ in QUANTITIES:
        seen.append(cur.target.quantity)
        cur.right()
    assert tuple(seen) == QUANTITIES and cur.target.quantity == "forget"
    cur.down()
    assert cur.target == Target("forget", 1, 4)  # gates move between slots
    cur.down()
    assert cur.target == Target("forget", 1, 4)  # clamped
    cur.up(), cur.up()
    assert cur.target == Target("forget", 0, 0)
    cur.select(Target("cell", 0, 2))
    for _ in range(5):
        cur.down()
    assert cur.target == Target("cell", 0, 3)  # clamped at the slot's last unit
    cur.right()
    assert cur.target == Target("hidden", 0, 3)  # the unit goes along
    cur.right()
    assert cur.target == Target("forget", 0, 0)  # a gate: the slot's first unit
    cur.left()
    assert cur.target == Target("hidden", 0, 3)  # back to the remembered unit
    cur.next_slot()
    assert cur.target == Target("hidden", 1, 7)
    cur.next_slot()
    assert cur.target == Target("hidden", 0, 3)  # cycles
    for _ in range(9):
        cur.up()
    assert cur.target == Target("hidden", 0, 0)


@pytest.mark.parametrize(
    "bad",
    [
        Target("memory", 0, 0),
        Target("forget", 2, 8),
        Target("forget", -1, 0),
        Target("forget", 1, 5),  # a gate is one value per slot: its first unit
        Target("cell", 0, 4),  # unit of slot 1, not 0
        Target("cell", 1, 8),
        Target("hidden", 0, True),
        Target("cell", 0, 1.0),
    ],
)
def test_bad_targets_raise_value_error(bad):
    cur = ExplainCursor(2, 8)
    with pytest.raises(ValueError):
        cur.select(bad)
    assert cur.target == Target("forget", 0, 0)  # unchanged


def test_explain_refuses_targets_outside_the_cell_and_slots_must_divide_the_units(carry):
    s, ctl = new(carry)
    words = tuple(s.sequence.words)
    for bad in (Target("memory", 0, 0), Target("forget", 1, 0), Target("input", 0, 3), Target("cell", 0, 16)):
        with pytest.raises(ValueError):
            explain(bad, ctl.snapshot, words, s.S, None, None)
    with pytest.raises(ValueError):
        ExplainCursor(3, 8)


def test_numbers_use_a_real_minus_and_never_a_negative_zero():
    assert num(-0.7149) == "−0.71" and num(-0.001) == "0.00" and num(1.0) == "1.00"


def test_the_module_does_not_import_pygame():
    code = (
        "import sys; import game.controllers.explain; assert 'pygame' not in sys.modules, 'pygame imported'"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
