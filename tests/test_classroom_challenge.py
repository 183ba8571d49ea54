"""The challenge file and attempt verification (game/classroom/challenge.py, verify.py), on real shipped
levels and real replays: what a challenge embeds, how strictly it is read, and how every attempt is
re-simulated and refused with a one-line reason."""

from __future__ import annotations

import base64
import json
import pickle
import re
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from classroom_fixtures import as_bytes, make, own_level, played

from game.classroom import challenge, verify
from game.classroom.challenge import ChallengeError, Rules, load_challenge
from game.classroom.verify import AttemptRefused, verify_attempt
from game.levels import catalogue, training
from game.session import replay
from lstm_engine import model_hash

LINE = re.compile(r"^.+:\d+:\d+: [\w.]*:? ?.+$")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("challenge")
    return make(folder, rules=Rules(attempts_per_level=3))


@pytest.fixture(scope="module")
def ch(made):
    return made[1]


# -- the file --------------------------------------------------------------------------------------------
def test_a_challenge_embeds_each_level_and_its_shipped_network(made):
    path, ch = made
    loaded = load_challenge(path)
    assert [lv.id for lv in loaded.levels] == ["campaign/01-carry", "campaign/08-two-slots",
                                                "campaign/13-sensor-log"]
    assert loaded.title == "Week 3" and loaded.rules.attempts_per_level == 3
    assert loaded.challenge_hash == ch.challenge_hash and len(ch.challenge_hash) == 64
    for lv in loaded.levels:
        _, entry = catalogue.shipped(lv.id)
        shipped_model, _ = training.cached_model(entry.level)
        assert lv.level_hash == replay.level_hash(entry.level)      # the same level as the shipped one
        assert lv.network_hash == model_hash(shipped_model) == model_hash(lv.model())
        level, model = lv.playable()
        assert level == entry.level and model is lv.model()          # cached, never retrained
        assert lv.level_yaml == (entry.path).read_text(encoding="utf-8")


def test_the_hash_is_of_the_content_not_the_formatting(made, tmp_path):
    path, ch = made
    text = path.read_text(encoding="utf-8")
    moved = tmp_path / "copy.yaml"
    moved.write_text("# a comment a teacher added\n" + text.replace("title: Week 3", "title: 'Week 3'", 1),
                     encoding="utf-8")
    assert load_challenge(moved).challenge_hash == ch.challenge_hash
    moved.write_text(text.replace("attempts_per_level: 3", "attempts_per_level: 4"), encoding="utf-8")
    assert load_challenge(moved).challenge_hash != ch.challenge_hash


def test_a_teachers_own_level_file_is_embedded_under_own(tmp_path):
    path, ch = make(tmp_path, [str(own_level(tmp_path / "mine")), "02-keep"])
    assert [lv.id for lv in ch.levels] == ["own/my-carry", "campaign/02-keep"]
    assert ch.levels[0].title == "My carry"
    (tmp_path / "mine" / "my-carry.yaml").unlink()  # the file is inside the challenge now
    v = verify_attempt(load_challenge(path), as_bytes(played(ch, "own/my-carry")))
    assert v.level_id == "own/my-carry" and v.stars == 3


def test_rules_round_trip_with_time_zones(tmp_path):
    opens = datetime(2026, 12, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    rules = Rules(opens, opens + timedelta(minutes=45), None, False, True, 600)
    path, ch = make(tmp_path, ["01-carry"], rules)
    assert load_challenge(path).rules == rules
    assert ch.public()["rules"] == {"opens_at": "2026-12-01T09:00:00+01:00",
                                    "closes_at": "2026-12-01T09:45:00+01:00", "attempts_per_level": None,
                                    "hints_allowed": False, "practice": True, "time_limit_seconds": 600}


def _problems(path) -> list[str]:
    with pytest.raises(ChallengeError) as e:
        load_challenge(path)
    lines = str(e.value).splitlines()
    for line in lines:
        assert LINE.match(line), line
    return lines


def _edit(made, tmp_path, old, new, count=1):
    text = made[0].read_text(encoding="utf-8")
    assert old in text
    out = tmp_path / "edited.yaml"
    out.write_text(text.replace(old, new, count), encoding="utf-8")
    return out


def _line_of(path, needle: str, nth=1) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [k + 1 for k, line in enumerate(lines) if needle in line]
    return hits[nth - 1]


def _in_file(weights: bytes) -> str:
    """The weights as the challenge file holds them: a literal block indented under its level."""
    return "\n    ".join(challenge.encode_weights(weights).splitlines())


def test_tampered_weights_are_refused_naming_the_level_and_line(made, tmp_path, ch):
    lv = ch.levels[1]
    raw = bytearray(lv.weights)
    raw[len(raw) // 2] ^= 0x40  # one flipped bit inside a stored array
    out = _edit(made, tmp_path, _in_file(lv.weights), _in_file(bytes(raw)))
    (problem,) = _problems(out)
    assert f":{_line_of(out, 'weights: |', 2)}:" in problem
    assert "levels.1.weights" in problem and "campaign/08-two-slots" in problem
    assert "tampered" in problem


def test_a_network_of_another_level_is_refused(made, tmp_path, ch):
    """Weights that are a valid network, but not the stated one (another level's, same architecture)."""
    out = _edit(made, tmp_path, _in_file(ch.levels[0].weights), _in_file(ch.levels[1].weights))
    (problem,) = _problems(out)
    assert "levels.0.weights" in problem and ("does not match" in problem or "differs" in problem)


def test_weights_that_are_not_base64_or_too_big(made, tmp_path, ch):
    first = challenge.encode_weights(ch.levels[0].weights).splitlines()[0]
    (problem,) = _problems(_edit(made, tmp_path, first, first[:-4] + "!!!!"))
    assert "levels.0.weights: not base64" in problem
    big = "A" * (challenge.MAX_WEIGHTS_BYTES * 4 // 3 + 400)
    (problem,) = _problems(_edit(made, tmp_path, first, big))
    assert "levels.0.weights" in problem and "too big" in problem


def test_an_edited_embedded_level_no_longer_matches_its_hash(made, tmp_path):
    out = _edit(made, tmp_path, "      - \"Write (input gate 1) only at the country.\"",
                "      - \"Write only at the country.\"")
    (problem,) = _problems(out)
    assert "levels.0.level_hash: does not match the embedded level" in problem
    assert f":{_line_of(out, 'level_hash:')}:" in problem


def test_a_broken_embedded_level_says_where_inside_it(made, tmp_path):
    out = _edit(made, tmp_path, "    answer: French", "    answer: French\n    win_treshold: 0.5")
    (problem,) = _problems(out)
    assert "levels.0.level_yaml: the embedded level, line" in problem
    assert "unknown field 'win_treshold'" in problem and f":{_line_of(out, 'level_yaml:')}:" in problem


@pytest.mark.parametrize("old,new,field,words", [
    ("hints_allowed: true", "hints_allowed: true\n  hint_cost: 2", "rules.hint_cost", "unknown field"),
    ("attempts_per_level: 3", "attempts_per_level: 0", "rules.attempts_per_level", "greater than or equal"),
    ("opens_at: null", "opens_at: 2026-12-01T09:00:00", "rules.opens_at", "no time zone"),
    ("opens_at: null", "opens_at: tomorrow", "rules.opens_at", "not a date and time"),
    ("format: gatekeeper-challenge", "format: gatekeeper-replay", "format", "must be"),
    ("version: 1", "version: true", "version", "must be 1"),
    ("title: Week 3", "title: !!python/object/apply:os.system [ls]", "", "not allowed"),
    ("- id: campaign/08-two-slots", "- id: campaign/01-carry", "levels.1.id", "listed twice"),
    ("- id: campaign/08-two-slots", "- id: ../../etc/passwd", "levels.1.id", "must be"),
])
def test_every_problem_is_one_line_with_file_line_column_and_field(made, tmp_path, old, new, field, words):
    out = _edit(made, tmp_path, old, new)
    problems = _problems(out)
    assert any(f"{out}:" in p and f": {field}" in p and words in p for p in problems), problems


def test_closing_before_opening_is_refused(made, tmp_path):
    out = _edit(made, tmp_path, "opens_at: null\n  closes_at: null",
                "opens_at: 2026-12-01T10:00:00Z\n  closes_at: 2026-12-01T09:00:00Z")
    (problem,) = _problems(out)
    assert "rules.closes_at: closes_at must come after opens_at" in problem


def test_oversize_missing_and_special_files_are_one_line(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(challenge.MAX_BYTES + 1)
    (problem,) = _problems(big)
    assert "too big" in problem
    (problem,) = _problems(tmp_path / "nowhere.yaml")
    assert "no such challenge file" in problem
    (problem,) = _problems(tmp_path)
    assert "folder" in problem


def test_making_refuses_unknown_and_repeated_levels(tmp_path):
    with pytest.raises(catalogue.UnknownLevel):
        make(tmp_path, ["99-nope"])
    with pytest.raises(ChallengeError, match="already in the challenge"):
        make(tmp_path, ["01-carry", "campaign/01-carry"])
    assert not (tmp_path / "challenge.yaml").exists()


# -- verification ---------------------------------------------------------------------------------------
def test_verification_recomputes_what_replay_verify_does(ch, tmp_path):
    for level_id, strategy in [("campaign/01-carry", "solution"), ("campaign/08-two-slots", "model"),
                               ("campaign/13-sensor-log", "losing"), ("campaign/01-carry", "losing")]:
        d = played(ch, level_id, strategy)
        f = tmp_path / "r.json"
        f.write_bytes(as_bytes(d))
        ref = replay.verify(f)  # the game's own verification, through the shipped catalogue
        v = verify_attempt(ch, as_bytes(d))
        assert (v.score, v.stars, v.wins) == (ref.score.total, ref.score.stars, ref.score.correct)
        assert v.answer == (ref.score.answer if isinstance(ref.score.answer, str)
                            else round(ref.score.answer, 6))
        assert v.level_hash == d["level_hash"] and v.network_hash == d["model_hash"]
        assert v.challenge_hash == ch.challenge_hash and v.stored_score_matches
        assert v.words == list(ref.session.sequence.words)
        S = ref.session.S
        assert len(v.player_gates) == len(v.words) and len(v.player_gates[0]) == 3 * S
        # the forward order: forget first; the engine's columns are [input | forget | output]
        assert v.player_gates[0][:S] == [round(float(x), 6) for x in ref.session.state.gates[0, S:2 * S]]
        assert v.model_gates[-1][2 * S:] == [round(float(x), 6)
                                             for x in ref.session.model_run.gates[-1, 2 * S:]]
        assert json.loads(json.dumps(v.to_dict())) == v.to_dict()
        assert verify.VerifiedAttempt.from_dict(v.to_dict()) == v


def test_a_forged_stored_score_is_never_used_but_flagged(ch):
    d = played(ch, "campaign/01-carry", "losing")
    honest = verify_attempt(ch, as_bytes(d))
    d["score"] = {**d["score"], "total": 100.0, "stars": 3}
    v = verify_attempt(ch, as_bytes(d))
    assert (v.score, v.stars) == (honest.score, honest.stars) and v.score < 10
    assert not v.stored_score_matches and honest.stored_score_matches
    assert v.replay["score"]["total"] == honest.score  # what we store is what we computed


def _refused(ch, data, **kw) -> str:
    with pytest.raises(AttemptRefused) as e:
        verify_attempt(ch, data, **kw)
    reason = e.value.reason
    assert "\n" not in reason and reason == str(e.value)
    return reason


def test_attempts_at_levels_or_networks_outside_the_challenge_are_refused(ch, tmp_path):
    other, _ = make(tmp_path, ["02-keep"], name="other.yaml")
    d = played(load_challenge(other), "campaign/02-keep")
    assert _refused(ch, as_bytes(d)) == "level 'campaign/02-keep' is not in this challenge"
    d = played(ch, "campaign/01-carry")
    assert "level hash does not match" in _refused(ch, as_bytes({**d, "level_hash": "0" * 64}))
    assert "network hash does not match" in _refused(ch, as_bytes({**d, "model_hash": "f" * 64}))


@pytest.mark.parametrize("data,words", [
    (b"{not json", "malformed replay: the replay is not valid JSON"),
    (b"[" * 5000 + b"]" * 5000, "nested too deeply"),
    (b'"just text"', "not a replay"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"{}", "malformed replay: format"),
    (b"x" * (verify.MAX_ATTEMPT_BYTES + 1), "too large"),
])
def test_malformed_deep_and_oversize_bodies_are_refused(ch, data, words):
    assert words in _refused(ch, data)


def test_broken_histories_are_refused(ch):
    d = played(ch, "campaign/01-carry")
    assert "unknown field" in _refused(ch, as_bytes({**d, "score_override": 1}))
    assert "not finished" in _refused(ch, as_bytes({**d, "history": d["history"][:3]}))
    bad = {**d, "history": [{"type": "set", "step": 5, "slot": 0, "forget": 1.0}] + d["history"]}
    assert "cannot be replayed" in _refused(ch, as_bytes(bad))
    bad = {**d, "history": [{"type": "set", "step": 0, "slot": 0, "forget": 7.0}]}
    assert "cannot be replayed" in _refused(ch, as_bytes(bad))


def test_the_time_window_uses_the_given_clock(tmp_path):
    opens = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    _, ch = make(tmp_path, ["01-carry"], Rules(opens_at=opens, closes_at=opens + timedelta(hours=1)))
    data = as_bytes(played(ch, "campaign/01-carry"))
    assert "not open yet" in _refused(ch, data, now=opens - timedelta(seconds=1))
    assert "closed" in _refused(ch, data, now=opens + timedelta(hours=1, seconds=1))
    assert verify_attempt(ch, data, now=opens + timedelta(minutes=5)).stars == 3
    assert verify_attempt(ch, data).stars == 3  # offline, no clock given: the window is the teacher's call


def test_the_time_limit_uses_the_attempts_own_times(tmp_path):
    _, ch = make(tmp_path, ["01-carry"], Rules(time_limit_seconds=60))
    d = played(ch, "campaign/01-carry")
    saved = datetime.fromisoformat(d["saved"])
    slow = {**d, "started": (saved - timedelta(seconds=600)).isoformat()}
    assert "over the time limit: the attempt took 600 s (at most 60 s)" == _refused(ch, as_bytes(slow))
    assert "started is not a date" in _refused(ch, as_bytes({**d, "started": "yesterday"}))
    assert verify_attempt(ch, as_bytes(d)).stars == 3


def test_hints_are_charged_refused_or_counted_by_the_server(tmp_path, ch):
    with_hint = as_bytes(played(ch, "campaign/01-carry", hints=1))
    plain = as_bytes(played(ch, "campaign/01-carry"))
    v0, v1 = verify_attempt(ch, plain), verify_attempt(ch, with_hint)
    assert v1.hints == 1 and v1.score == round(v0.score - 5, 1) and v1.hints_self_reported
    counted = verify_attempt(ch, plain, hints_counted=2)  # the server saw two hints the file does not show
    assert counted.hints == 2 and counted.score == round(v0.score - 10, 1) and not counted.hints_self_reported
    _, strict = make(tmp_path, ["01-carry"], Rules(hints_allowed=False))
    assert "hints are not allowed" in _refused(strict, with_hint)
    assert "hints are not allowed" in _refused(strict, plain, hints_counted=1)
    assert verify_attempt(strict, plain).hints == 0


def test_the_same_attempt_has_the_same_key_whoever_sends_it(ch):
    d = played(ch, "campaign/01-carry", started="2026-12-01T09:00:00+00:00")
    a = verify_attempt(ch, as_bytes(d))
    b = verify_attempt(ch, as_bytes({**d, "player": "bob", "score": {}}))
    c = verify_attempt(ch, as_bytes(played(ch, "campaign/01-carry", started="2026-12-01T09:05:00+00:00")))
    assert a.attempt_key == b.attempt_key != c.attempt_key
    assert b.player == "bob"


def test_verification_runs_in_a_process_pool(made):
    path, ch = made
    good = as_bytes(played(ch, "campaign/01-carry"))
    assert len(pickle.dumps(ch)) < 2 * path.stat().st_size  # networks are rebuilt, not pickled
    with ProcessPoolExecutor(1) as pool:
        ok = pool.submit(verify.verify_in_worker, str(path), good).result(timeout=120)
        bad = pool.submit(verify.verify_in_worker, str(path), b"{}").result(timeout=120)
        by_object = pool.submit(verify_attempt, ch, good).result(timeout=120)
    assert ok["ok"] and ok["attempt"]["stars"] == 3 and ok["attempt"] == by_object.to_dict()
    assert bad == {"ok": False, "reason": "malformed replay: format: Field required"}


def test_base64_weights_decode_with_line_breaks():
    data = bytes(range(256)) * 3
    text = challenge.encode_weights(data)
    assert max(map(len, text.splitlines())) == challenge.B64_LINE
    assert challenge.decode_weights(text) == data
    assert challenge.decode_weights(base64.b64encode(data).decode()) == data


@pytest.mark.parametrize("level_id, gates", [("16-gru-reset", ["update", "reset"]), ("17-no-gates", [])])
def test_attempts_at_gru_and_rnn_levels_verify_and_enter_the_class_view(tmp_path, level_id, gates):
    """A GRU's gates (update, reset) and a plain RNN's (none) travel in the verified attempt and the class
    view in their own reading order, never as an LSTM's forget, input, output."""
    from game.classroom.class_view import class_view

    _, gru = make(tmp_path, levels=[level_id])
    cl = gru.levels[0]
    strategies = ["solution", "losing"] if gates else ["model"]
    attempts = [verify_attempt(gru, as_bytes(played(gru, cl.id, strategy=s, player=f"p{k}")))
                for k, s in enumerate(strategies)]
    S = cl.level.network.slots
    for v in attempts:
        assert all(len(row) == len(gates) * S for row in v.player_gates + v.model_gates)
    view = class_view(cl, attempts)
    assert view["gates"] == gates and view["attempts"] == len(attempts)
    assert {s["gate"] for step in view["steps"] for s in step["gates"]} == set(gates)
