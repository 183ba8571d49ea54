"""The shipped campaign: every level validates, loads its shipped weights by hash, and plays as designed
(the solution wins, every losing strategy loses, both held-out accuracies >= 99%)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from game import paths
from game.levels import catalogue, training, verdict
from game.levels.generator import LevelTask
from game.levels.loader import load_pack
from game.levels.machine import fingerprint
from game.levels.sequence import play_sequence, solution_gating
from lstm_engine import load_model, model_hash

ENTRIES = catalogue.shipped_entries()
LEVELS = [(name, e.level) for name, e in ENTRIES]
IDS = [name for name, _ in LEVELS]


def test_campaign_has_at_least_twelve_valid_levels_in_order():
    pack = load_pack(paths.levels_dir() / "campaign")
    assert pack.error is None and not pack.warnings
    assert len(pack.entries) >= 12
    bad = [(e.name, str(e.error)) for e in pack.entries if not e.ok]
    assert not bad, bad


def test_every_curriculum_concept_decides_a_win():
    """Each concept of design.md has a level whose losing strategy shows what happens without it."""
    by_id = dict(LEVELS)
    kinds = {name: {r.at for r in lvl.solution.rules} for name, lvl in LEVELS if lvl.solution is not None}
    roles = {s.role for _, lvl in LEVELS for s in getattr(lvl.task, "sentences", {}).values()}
    assert "distractor" in roles, "a distractor level"
    assert any("reset" in k for k in kinds.values()), "a reset level"
    assert any(lvl.network.slots >= 2 for _, lvl in LEVELS), "a two-slot level"
    assert any(lvl.task.kind == "adding" for _, lvl in LEVELS), "a numeric level"
    assert any(len(play_sequence(lvl)) >= 100 for _, lvl in LEVELS), "a long haul of 100+ steps"
    assert by_id["campaign/04-reveal"].losing[0].changes[0].output == 0.0, "the output gate decides 04"
    signed = [lvl for _, lvl in LEVELS if lvl.task.kind == "signed"]
    assert signed and any(all(r.word in ("plus", "minus") and r.output == 0.0 for r in s.changes)
                          for s in signed[0].losing), "the hidden state decides a level (output shut loses)"
    for _, lvl in LEVELS:  # a plain RNN level has no gates, so no losing strategy
        assert lvl.intro and 1 <= len(lvl.hints) <= 3 and (lvl.losing or lvl.network.cell == "rnn")


def _changed(lvl, gate):
    return [s for s in lvl.losing if any(getattr(r, gate, None) is not None for r in s.changes)]


def test_the_lab_concepts_decide_a_win():
    """Issue 14: a GRU carries a clue with update 1; a GRU level the reset gate decides; a plain RNN
    level followed by the same sentence with an LSTM; a level whose words are notes."""
    order = [lvl for _, lvl in LEVELS]
    gru = [lvl for lvl in order if lvl.network.cell == "gru"]
    assert any(r.update == 0.0 for lvl in gru for r in lvl.solution.rules if r.at == "clue"), "a GRU writes"
    assert any(r.at == "question" and r.reset == 0.0 for lvl in gru for s in _changed(lvl, "reset")
               for r in s.changes), "the reset gate at the blank decides a GRU level"
    rnn = [k for k, lvl in enumerate(order) if lvl.network.cell == "rnn"]
    assert rnn and not order[rnn[0]].losing
    plain, after = order[rnn[0]], order[rnn[0] + 1]
    assert after.network.cell == "lstm" and after.task == plain.task and after.play == plain.play
    notes = [lvl for lvl in order if lvl.task.kind == "text"
             and any(all(re.fullmatch(r"[A-G][#b]?[0-9]", w) for w in ws) for ws in lvl.task.words.values())]
    assert notes, "a level whose words are notes"


def _leaky(level, forget):
    """The level's solution with the forget gate at `forget` at every word, judged on its network."""
    model, _ = training.cached_model(level)
    seq = play_sequence(level)
    g = solution_gating(level, seq)
    g[:, level.network.slots:2 * level.network.slots] = forget  # [i | f | o] blocks
    return verdict.judge(level, model, LevelTask(level), seq, g[None])[0]


def test_the_lag_ladder_a_forget_gate_of_099_wins_at_10_words_and_loses_at_300():
    """The same carry at 10, 30, 100 and 300 words: 0.99^300 = 0.05 of the clue is too little."""
    ladder = [lvl for _, lvl in LEVELS if lvl.id.split("-", 1)[1].startswith("lag-")]
    gaps = []
    for lvl in ladder:
        seq = play_sequence(lvl)
        clue = next(t for t, tok in enumerate(seq.tokens) if tok.key and tok.role == "clue")
        gaps.append(seq.blank - clue)
    assert gaps == [10, 30, 100, 300]
    assert all(lvl.task.sentences == ladder[0].task.sentences for lvl in ladder), "the same carry"
    assert _leaky(ladder[0], 0.99).wins and _leaky(ladder[0], 1.0).wins
    assert not _leaky(ladder[-1], 0.99).wins and _leaky(ladder[-1], 1.0).wins
    assert any(r.forget == 0.99 and r.at == "every" for s in ladder[-1].losing for r in s.changes)


@pytest.mark.parametrize("name,level", LEVELS, ids=IDS)
def test_shipped_weights_load_by_hash_and_the_level_plays_as_designed(name, level):
    model, where = training.cached_model(level)
    assert model is not None and where.startswith("shipped"), where
    manifest = training.read_manifest()[training.level_key(level)]
    assert model_hash(model) == manifest["model_hash"]
    result = training.check_level(level, model)
    assert result.playable, result.problems()
    assert result.solution.wins and result.solution.probability >= level.win_threshold
    assert all(not o.wins for _, o in result.losing)


@pytest.mark.slow
@pytest.mark.parametrize("name,level", LEVELS, ids=IDS)
def test_shipped_weights_are_reproduced_from_their_recorded_seed(name, level):
    """Bit for bit where they were trained (same NumPy and BLAS kernel: the recorded fingerprint);
    elsewhere rounding differs, so the retrained network must at least be playable."""
    entry = training.read_manifest()[training.level_key(level)]
    model, report = training.train_level(level, seed=entry["seed"])
    assert report.success
    if entry.get("fingerprint") == fingerprint():
        assert model_hash(model) == entry["model_hash"]
    else:
        assert training.counts_as_playable(training.check_level(level, model))


def test_every_shipped_network_records_its_seed_and_machine():
    manifest = training.read_manifest()
    keys = {training.level_key(level) for _, level in LEVELS}
    assert set(manifest) == keys, "stale or missing manifest entries"
    assert {p.stem for p in paths.shipped_models_dir().glob("*.npz")} == keys, "stale or missing .npz files"
    for _, level in LEVELS:
        entry = manifest[training.level_key(level)]
        assert entry["seed"] in training.seed_sequence(level) and entry["fingerprint"]


def test_intended_gating_follows_the_rules():
    lvl = dict(LEVELS)["campaign/08-two-slots"]
    seq = play_sequence(lvl)
    g = solution_gating(lvl, seq)  # (T, 3S): [i1 i2 | f1 f2 | o1 o2]
    words = seq.words
    kitchen, car, blank = words.index("kitchen"), words.index("car"), seq.blank
    assert g[kitchen, :2].tolist() == [1.0, 0.0]        # keys -> slot 1
    assert g[car, :2].tolist() == [0.0, 1.0]            # phone -> slot 2
    assert g[blank, 4:].tolist() == [1.0, 0.0]          # reveal the keys' slot
    assert np.all(g[:, 2:4] == 1.0)                     # keep everywhere
    assert g[:, :2].sum() == 2.0 and g[:, 4:].sum() == 1.0


def test_batches_carry_intended_gating_and_supervision():
    lvl = dict(LEVELS)["campaign/03-distractor"]
    task = LevelTask(lvl)
    b = task.sample(np.random.default_rng(0), 16, max(task.default_lengths))
    assert b.mask.sum() == 16 and b.intended.shape == b.supervise.shape == b.x.shape + (3,)
    t, col = np.nonzero(b.mask)
    answers = {task.answers[k] for k in b.targets[t, col]}
    assert answers <= set(task.answers)
    # the input gate is supervised at every word up to the blank (padding after it is not), the
    # output gate only at the blank
    for col in range(b.size):
        blank = int(np.flatnonzero(b.mask[:, col])[0])
        assert not np.isnan(b.supervise[: blank + 1, col, 0]).any()
        assert np.isnan(b.supervise[blank + 1:, col, 0]).all()
    assert np.array_equal(~np.isnan(b.supervise[..., 2]), b.mask)


def test_missing_or_corrupt_weights_are_retrained_with_progress(tmp_path, monkeypatch):
    level = dict(LEVELS)["campaign/01-carry"]
    shipped = tmp_path / "models"
    shipped.mkdir()
    key = training.level_key(level)
    (shipped / f"{key}.npz").write_bytes(b"corrupt")
    monkeypatch.setattr(paths, "shipped_models_dir", lambda: shipped)
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    model, why = training.cached_model(level)
    assert model is None and "corrupt" in why
    seen = []
    model, report, where = training.ensure_model(level, progress=lambda p: seen.append(p.phase))
    assert report is not None and report.success and seen and seen[-1] == "done"
    saved = tmp_path / "cache" / "models" / f"{key}.npz"
    assert "corrupt" in where and f"saved to {saved}" in where
    again, report2, where2 = training.ensure_model(level)
    assert report2 is None and "cached" in where2
    assert model_hash(again) == model_hash(model)
    assert load_model(saved)[0] is not None


def test_cache_key_changes_with_task_network_and_solution_not_texts():
    level = dict(LEVELS)["campaign/01-carry"]
    key = training.level_key(level)
    assert training.level_key(level.model_copy(update={"intro": "Different words."})) == key
    net = level.network.model_copy(update={"seed": level.network.seed + 1})
    assert training.level_key(level.model_copy(update={"network": net})) != key
    sol = level.solution.model_copy(update={"rules": level.solution.rules[:1]})
    assert training.level_key(level.model_copy(update={"solution": sol})) != key


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, str(paths.ROOT / "main.py"), *args], capture_output=True,
                          text=True, timeout=300, env=env)


def test_cli_validate_check_and_train(tmp_path):
    ok = run_cli("levels", "validate", str(paths.levels_dir()))
    assert ok.returncode == 0 and ok.stdout.count("ok ") >= 12
    bad = run_cli("levels", "validate", str(paths.ROOT / "tests/fixtures/levels/bad/duplicate-key.yaml"))
    assert bad.returncode == 1 and "duplicate-key.yaml:5:1: title:" in bad.stdout
    check = run_cli("levels", "check", "01-carry", "--json")
    assert check.returncode == 0, check.stderr
    row = json.loads(check.stdout)
    assert row["playable"] and row["solution"]["wins"] and not any(o["wins"] for o in row["losing"].values())
    train = run_cli("levels", "train", "campaign/04-reveal", "--json")
    row = json.loads(train.stdout)
    assert train.returncode == 0 and not row["trained"] and row["held_out_accuracy"] >= 0.99
    assert {"level", "held_out_accuracy", "seconds", "steps"} <= set(row)
    unknown = run_cli("levels", "check", "no-such-level")
    assert unknown.returncode == 2 and "no-such-level" in unknown.stderr and "Traceback" not in unknown.stderr


def test_a_cached_model_of_another_shape_is_retrained(tmp_path, monkeypatch):
    level = dict(LEVELS)["campaign/01-carry"]
    other = dict(LEVELS)["campaign/08-two-slots"]
    wrong = training.cached_model(other)[0]          # the real shipped two-slot network
    monkeypatch.setattr(paths, "shipped_models_dir", lambda: tmp_path / "none")
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    from lstm_engine import save_model
    save_model(tmp_path / "cache" / "models" / f"{training.level_key(level)}.npz", wrong)
    model, why = training.cached_model(level)
    assert model is None and "does not match" in why
    model, report, where = training.ensure_model(level)
    assert report is not None and report.success and "does not match" in where


def test_an_unwritable_cache_costs_a_retrain_not_a_crash(tmp_path, monkeypatch):
    level = dict(LEVELS)["campaign/04-reveal"]
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(paths, "shipped_models_dir", lambda: tmp_path / "none")
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(blocker))
    model, report, where = training.ensure_model(level)
    assert report.success and "not saved" in where and training.check_level(level, model).playable
