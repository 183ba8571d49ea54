"""`replay record LEVEL --gating FILE`: a gating in the rule language of a level's solution."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from game import paths
from game.levels import catalogue, training
from game.levels.loader import LevelError, load_gating
from game.session import replay, scripted
from game.session.session import GATES, PlaySession

LEVELS = {name: e.level for name, e in catalogue.shipped_entries()}


def session(name):
    return PlaySession(LEVELS[name], training.cached_model(LEVELS[name])[0])


def write(tmp_path, text, name="gating.yaml"):
    f = tmp_path / name
    f.write_text(text)
    return f


@pytest.mark.parametrize("name", ["campaign/01-carry", "campaign/08-two-slots", "campaign/12-finale"])
def test_a_gating_file_holding_the_solution_gives_the_solution_gates(tmp_path, name):
    """The same rules mean the same gates, whether a level's solution or a gating file says them."""
    level = LEVELS[name]
    rules = [r.model_dump(exclude_none=True) for r in level.solution.rules]
    f = write(tmp_path, json.dumps({"default": level.solution.default.model_dump(), "rules": rules}))
    s = session(name)
    gates = scripted.gating_gates(s, load_gating(f, level))
    assert np.array_equal(gates, scripted.strategy_gates(s, "solution"))


def test_steps_count_from_one_and_later_rules_win(tmp_path):
    level = LEVELS["campaign/01-carry"]
    f = write(tmp_path, "default: {forget: 1, input: 0, output: 0}\n"
                        "rules:\n"
                        "  - {step: 5, input: 1}\n"
                        "  - {step: 1, forget: 0.25, output: 0.5}\n"
                        "  - {step: 1, output: 0.75}\n")
    s = session("campaign/01-carry")
    gates = scripted.gating_gates(s, load_gating(f, level))
    col = {name: k for k, name in enumerate(GATES)}  # the engine's [i | f | o] columns, S = 1
    assert s.sequence.words[4] == "France" and gates[4, col["input"]] == 1.0
    assert gates[:, col["input"]].sum() == 1.0
    assert gates[0, col["forget"]] == 0.25 and gates[0, col["output"]] == 0.75
    assert (gates[1:, col["forget"]] == 1.0).all()


def test_a_gating_file_without_rules_is_its_default(tmp_path):
    level = LEVELS["campaign/01-carry"]
    s = session("campaign/01-carry")
    gates = scripted.gating_gates(s, load_gating(write(tmp_path, "rules: []\n"), level))
    col = {name: k for k, name in enumerate(GATES)}
    assert (gates[:, col["forget"]] == 1).all() and not gates[:, [col["input"], col["output"]]].any()


@pytest.mark.parametrize("text, where", [
    ("rules:\n  - {at: clue, inptu: 1}\n", "gating.yaml:2:16: rules.0.inptu: unknown field 'inptu', did you "
                                           "mean 'input'?"),
    ("rules:\n  - {step: 99, input: 1}\n", "gating.yaml:2:6: rules.0.step: step 99 is past the end of the "
                                           "played sequence (23)"),
    ("rules:\n  - {word: Frnace, input: 1}\n", "gating.yaml:2:6: rules.0.word: 'Frnace' never appears"),
    ("rules:\n  - {sentence: friend, input: 1}\n", "gating.yaml:2:6: rules.0.sentence: no sentence named"),
    ("rules:\n  - {at: clue, input: 1, slot: 2}\n", "gating.yaml:2:26: rules.0.slot: slot 2 does not exist"),
    ("rules:\n  - {at: clue, input: 1.5}\n", "gating.yaml:2:16: rules.0.input:"),
    ("rules:\n  - {at: clue}\n", "gating.yaml:2:5: rules.0: a rule must set at least one of forget, input"),
    ("default: {forget: 1}\nrules: []\n", "gating.yaml:1:1: default: the default must set forget, input and "
                                          "output"),
    ("rules:\n\t- {at: clue, input: 1}\n", "gating.yaml:2:1: a tab character"),
    ("solution:\n  rules: []\n", "gating.yaml:1:1: solution: unknown field 'solution'"),
])
def test_a_broken_gating_file_is_refused_with_file_line_column_and_field(tmp_path, text, where):
    with pytest.raises(LevelError) as e:
        load_gating(write(tmp_path, text), LEVELS["campaign/01-carry"])
    assert str(e.value).startswith(str(tmp_path / where.split(":", 1)[0]))
    assert where in str(e.value).replace(str(tmp_path) + "/", ""), str(e.value)


def run_cli(*args):
    return subprocess.run([sys.executable, str(paths.ROOT / "main.py"), *args], capture_output=True,
                          text=True, timeout=300)


def test_replay_record_with_a_gating_file(tmp_path):
    """A teacher's human gating of level 8 (keys in slot 1, phone in slot 2, reveal slot 1 at the
    question, by step) is recorded, verifies, and scores like the solution it equals."""
    f = write(tmp_path, "# keys -> slot 1, phone -> slot 2\n"
                        "default: {forget: 1, input: 0, output: 0}\n"
                        "rules:\n"
                        "  - {sentence: keys, input: 1}\n"
                        "  - {sentence: phone, input: 1}\n"
                        "  - {at: question, output: 1}\n")
    out = tmp_path / "mine.json"
    r = run_cli("replay", "record", "08-two-slots", "--gating", str(f), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert f"gating {f}" in r.stdout and "answers 'kitchen'" in r.stdout
    v = replay.verify(out)
    s = session("campaign/08-two-slots")
    scripted.play(s, scripted.strategy_gates(s, "solution"))
    assert np.array_equal(v.session.state.gates, s.state.gates) and v.score.total == s.result().total
    bad = write(tmp_path, "rules:\n  - {step: 0, input: 1}\n", "bad.yaml")
    r = run_cli("replay", "record", "08-two-slots", "--gating", str(bad), "-o", str(tmp_path / "no.json"))
    assert r.returncode == 1 and "Traceback" not in r.stderr and not (tmp_path / "no.json").exists()
    assert f"{bad}:2:6: rules.0.step:" in r.stderr
    both = run_cli("replay", "record", "08-two-slots", "--gating", str(f), "--strategy", "model", "-o", "x")
    assert both.returncode == 2 and "not allowed with" in both.stderr


def test_replay_show_counts_words_from_one_and_prints_gates_forget_input_output(tmp_path):
    """One language everywhere: the 5th word is word 5, and a written word reads forget 1, input 1,
    output 0 — the order of the forward pass, as on the play screen."""
    f = write(tmp_path, "rules:\n  - {at: clue, input: 1}\n  - {at: question, output: 1}\n"
                        "  - {step: 8, forget: 0}\n")
    out = tmp_path / "r.json"
    assert run_cli("replay", "record", "01-carry", "--gating", str(f), "-o", str(out)).returncode == 0
    show = run_cli("replay", "show", str(out))
    assert show.returncode == 0, show.stderr
    lines = show.stdout.splitlines()
    assert "forget/input/output" in lines[0]
    rows = {line.split()[0]: line.split() for line in lines[2:25]}
    assert rows["1"][1] == "I" and rows["5"][1] == "France" and rows["23"][1] == "___"
    assert rows["5"][2:5] == ["1.0", "1.0", "0.0"]      # keep, write, hide
    assert rows["8"][2] == "0.0" and rows["8"][4] == "0.0!"  # forget 0 at word 8: critical
    assert rows["23"][2:5] == ["1.0", "0.0", "1.0"]
    assert "critical: word 8 'was' forget gate" in show.stdout
    assert "looks most like the level's losing strategy 'Forget on the way'" in show.stdout


def test_a_refused_action_names_words_and_slots_counted_from_one():
    from game.session.commands import ActionError, SetGates, UseHint

    s = session("campaign/08-two-slots")
    with pytest.raises(ActionError, match=r"gates set for word 4 while playing word 1"):
        s.apply(SetGates(3, 0, input=1.0))
    with pytest.raises(ActionError, match=r"slot 3 does not exist \(slots 1\.\.2\)"):
        s.apply(SetGates(0, 2, input=1.0))
    with pytest.raises(ActionError, match=r"a hint for word 2 while playing word 1"):
        s.apply(UseHint(1))
