"""No network at all: the student's submission file, `classroom collect` on a folder of real and hostile
submissions, and the gradebook CSV read back with the csv module (game/classroom/submission.py,
collect.py, gradebook.py, game/cli/classroom_cmd.py)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from classroom_fixtures import make, played
from hypothesis import given, settings
from hypothesis import strategies as st

from game.classroom import gradebook, submission
from game.classroom.challenge import Rules, load_challenge
from game.classroom.collect import collect
from game.classroom.submission import SubmissionError, read_submission, write_submission

REPO = Path(__file__).resolve().parent.parent
T0 = "2026-12-01T09:0{}:00+00:00"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("collect")
    return make(folder, ["01-carry", "13-sensor-log"], Rules(attempts_per_level=2))


@pytest.fixture(scope="module")
def ch(made):
    return made[1]


def run_cli(*args):
    r = subprocess.run([sys.executable, str(REPO / "main.py"), *map(str, args)], capture_output=True,
                       text=True, timeout=300)
    assert "Traceback" not in r.stdout + r.stderr, r.stderr
    return r


def read_csv(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# -- the submission file ----------------------------------------------------------------------------------
def test_a_submission_round_trips_under_a_safe_name(ch, tmp_path):
    attempts = [played(ch, "campaign/01-carry", started=T0.format(1)), played(ch, "campaign/13-sensor-log")]
    path = write_submission(tmp_path, "ada", ch, attempts)
    assert path.name == f"gatekeeper-ada-{ch.short_hash}.json" and path.parent == tmp_path
    sub = read_submission(path)
    assert (sub.nickname, sub.challenge_hash, sub.challenge_title) == ("ada", ch.challenge_hash, ch.title)
    assert sub.attempts == attempts
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40).filter(lambda s: s.strip() and s.strip() == s))
def test_file_names_from_any_nickname_are_safe_and_distinct(name):
    digest = "ab" * 32
    try:
        submission.check_nickname(name)
    except ValueError:
        return
    stem = submission.file_name(name, digest)
    assert set(stem) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
    assert stem.startswith("gatekeeper-") and stem.endswith(f"-{digest[:12]}.json") and len(stem) < 100
    assert stem not in ("..", ".")
    other = name + "x" if len(name) < 40 else name[:-1]
    assert submission.file_name(other, digest) != stem


def test_lookalike_nicknames_never_share_a_file():
    names = ["Zoë", "Zoé", "Zo", "a b", "a-b", "../etc", "ünïcödé"]
    files = {submission.file_name(n, "0" * 64) for n in names}
    assert len(files) == len(names)
    assert "/" not in "".join(files)


@pytest.mark.parametrize("text,words", [
    ("{", "not valid JSON"),
    ("[" * 3000 + "]" * 3000, "nested too deeply"),
    ('{"format": "gatekeeper-replay"}', "a single replay"),
    ('{"format": "gatekeeper-submission", "version": 2}', "version"),
    ('{"format": "gatekeeper-submission", "version": 1, "nickname": "", "challenge_hash": "' + "0" * 64
     + '", "attempts": []}', "nickname"),
    ('{"format": "gatekeeper-submission", "version": 1, "nickname": "a", "challenge_hash": "xyz", '
     '"attempts": []}', "challenge_hash"),
    ('{"format": "gatekeeper-submission", "version": 1, "nickname": "a", "challenge_hash": "' + "0" * 64
     + '", "attempts": {}}', "attempts"),
    ('{"format": "gatekeeper-submission", "version": 1, "nickname": "a", "challenge_hash": "' + "0" * 64
     + '", "attempts": [], "admin": true}', "unknown field"),
])
def test_unreadable_submissions_are_one_line_naming_the_file(tmp_path, text, words):
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SubmissionError) as e:
        read_submission(path)
    assert str(path) in str(e.value) and words in str(e.value) and "\n" not in str(e.value)


def test_an_oversize_submission_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as f:
        f.truncate(submission.MAX_BYTES + 1)
    with pytest.raises(SubmissionError, match="too big"):
        read_submission(path)


# -- collect ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def folder(ch, tmp_path_factory):
    """A class's folder: honest files, a forged score, a copied attempt, a copied file, another
    challenge's file, a broken file, a too-many-attempts file, a refused attempt inside a good file."""
    d = tmp_path_factory.mktemp("handed-in")
    ada = [played(ch, "campaign/01-carry", "losing", "ada", started=T0.format(1)),
           played(ch, "campaign/01-carry", "solution", "ada", started=T0.format(2)),
           played(ch, "campaign/13-sensor-log", "model", "ada", started=T0.format(3))]
    write_submission(d, "ada", ch, ada)
    forged = played(ch, "campaign/01-carry", "losing", "bob", started=T0.format(4))
    forged["score"] = {**forged["score"], "total": 100.0, "stars": 3}
    bob_unfinished = played(ch, "campaign/13-sensor-log", "model", "bob", started=T0.format(5))
    bob_unfinished["history"] = bob_unfinished["history"][:2]
    write_submission(d, "bob", ch, [forged, dict(ada[1]), bob_unfinished])   # ada's attempt copied
    (d / "copy-of-ada.json").write_bytes((d / f"gatekeeper-ada-{ch.short_hash}.json").read_bytes())
    tries = [played(ch, "campaign/01-carry", s, "cy", started=T0.format(k)) for k, s in
             [(6, "model"), (7, "losing"), (8, "solution")]]
    write_submission(d, "=cy", ch, tries)  # three attempts at one level: two count
    other = load_challenge(make(tmp_path_factory.mktemp("other"), ["01-carry"], title="Another")[0])
    write_submission(d / "sub", "dee", other, [played(other, "campaign/01-carry")])
    (d / "broken.json").write_text('{"format": "gatekeeper-submission", "version": 1, "nick',
                                   encoding="utf-8")
    (d / "notes.txt").write_text("not a submission", encoding="utf-8")  # only *.json files are read
    (d / ".git").mkdir()
    (d / ".git" / "x.json").write_text("{", encoding="utf-8")  # nor hidden ones
    return d


@pytest.fixture(scope="module")
def report(ch, folder):
    return collect(ch, folder)


def _findings(report, name_part) -> list[tuple]:
    return [(f.kind, f.attempt, f.message) for f in report.findings if name_part in Path(f.file).name]


def test_collect_keeps_each_students_best_verified_score(report, ch):
    assert sorted(report.attempts) == ["=cy", "ada", "bob"]
    best = report.best
    assert best["ada"]["campaign/01-carry"].score == 100.0
    assert best["ada"]["campaign/13-sensor-log"].stars == 3
    # bob's forged 100 is never used: his only counted attempt is the losing one, with its real score
    assert best["bob"]["campaign/01-carry"].score < 10 and best["bob"]["campaign/01-carry"].stars == 0
    assert [a.started for a in report.attempts["=cy"]] == [T0.format(6), T0.format(7)]
    assert best["=cy"]["campaign/01-carry"].score == max(a.score for a in report.attempts["=cy"])


def test_collect_reports_forged_foreign_duplicate_malformed_and_refused(report):
    bob = _findings(report, "gatekeeper-bob")
    assert ("forged", 1) in [(k, n) for k, n, _ in bob]
    forged = next(m for k, _, m in bob if k == "forged")
    assert "stored score 100.0 differs from the re-simulated" in forged
    assert any(k == "duplicate" and n == 2 and "of 'ada'" in m for k, n, m in bob)
    assert any(k == "malformed" and n == 3 and "not finished" in m for k, n, m in bob)
    (dup,) = _findings(report, "gatekeeper-ada") + _findings(report, "copy-of-ada")
    assert dup[0] == "duplicate" and "the same file as" in dup[2]
    (foreign,) = _findings(report, "gatekeeper-dee")
    assert foreign[0] == "foreign" and "another challenge ('Another'" in foreign[2]
    (broken,) = _findings(report, "broken")
    assert broken[0] == "malformed"
    cy = _findings(report, "gatekeeper-cy")
    assert cy == [("refused", 3, "too many attempts: the challenge counts 2 per level")]
    assert not any("notes" in f.file or ".git" in f.file for f in report.findings)
    lines = report.summary()
    assert lines[-1].startswith("6 files, 3 students, 6 attempts counted; ")
    assert "1 forged" in lines[-1] and "1 foreign" in lines[-1] and "2 duplicate" in lines[-1]


def test_the_board_of_collected_results_ranks_by_total(report):
    board = report.board()
    assert [r["name"] for r in board["rows"]] == ["ada", "=cy", "bob"]
    assert board["rows"][0]["total"] == round(sum(a.score for a in report.best["ada"].values()), 1)
    assert [lv["id"] for lv in board["levels"]] == ["campaign/01-carry", "campaign/13-sensor-log"]


def test_attempts_outside_the_window_by_their_own_clock_are_refused(tmp_path):
    from datetime import datetime, timedelta, timezone

    closes = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)
    _, ch = make(tmp_path, ["01-carry"], Rules(closes_at=closes))
    late = played(ch, "campaign/01-carry", started=T0.format(1))
    late["saved"] = (closes + timedelta(minutes=1)).isoformat()
    on_time = played(ch, "campaign/01-carry", "model", started=T0.format(2))
    on_time["saved"] = T0.format(3)
    write_submission(tmp_path / "in", "ada", ch, [late, on_time])
    r = collect(ch, tmp_path / "in")
    assert [(f.kind, f.attempt) for f in r.findings] == [("refused", 1)]
    assert "closed" in r.findings[0].message and len(r.attempts["ada"]) == 1


# -- the gradebook -----------------------------------------------------------------------------------------
def test_the_wide_csv_has_one_row_per_student(report, ch, tmp_path):
    out = tmp_path / "grades.csv"
    gradebook.write_csv(out, report.rows({"ada": "S-001"}), ch.levels)
    rows = read_csv(out)
    assert list(rows[0]) == ["name", "roster_id", "campaign/01-carry score", "campaign/01-carry stars",
                             "campaign/13-sensor-log score", "campaign/13-sensor-log stars", "attempts"]
    by = {r["name"]: r for r in rows}
    assert set(by) == {"'=cy", "ada", "bob"}  # the formula-looking nickname is text, not a formula
    assert by["ada"]["roster_id"] == "S-001" and by["bob"]["roster_id"] == ""
    assert float(by["ada"]["campaign/01-carry score"]) == 100.0 and by["ada"]["attempts"] == "3"
    assert by["bob"]["campaign/13-sensor-log score"] == "" and by["bob"]["attempts"] == "1"
    assert float(by["bob"]["campaign/01-carry score"]) == report.best["bob"]["campaign/01-carry"].score


def test_the_long_csv_has_one_row_per_student_and_level(report, ch, tmp_path):
    out = tmp_path / "long.csv"
    gradebook.write_csv(out, report.rows(), ch.levels, long=True)
    rows = read_csv(out)
    assert list(rows[0]) == ["name", "level", "best_score", "stars", "attempts", "verified_at"]
    assert len(rows) == 3 * 2
    ada = [r for r in rows if r["name"] == "ada"]
    assert [r["level"] for r in ada] == ["campaign/01-carry", "campaign/13-sensor-log"]
    assert ada[0]["attempts"] == "2" and ada[0]["verified_at"] == report.verified_at
    bob_sensor = next(r for r in rows if r["name"] == "bob" and r["level"] == "campaign/13-sensor-log")
    assert bob_sensor["best_score"] == "" and bob_sensor["attempts"] == "0"


@pytest.mark.parametrize("name", ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "=HYPERLINK(\"http://x\")"])
def test_formula_cells_are_written_as_text(name):
    text = gradebook.csv_text([{"name": name, "roster_id": "=evil()", "levels": {}}], ["l"])
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[0] == "'" + name and row[1] == "'=evil()"
    assert gradebook.safe_cell("ada") == "ada" and gradebook.safe_cell(-1.5) == -1.5


def test_practice_challenges_have_no_points_in_the_csv(tmp_path):
    _, ch = make(tmp_path, ["01-carry"], Rules(practice=True))
    write_submission(tmp_path / "in", "ada", ch, [played(ch, "campaign/01-carry")])
    r = collect(ch, tmp_path / "in")
    out = tmp_path / "p.csv"
    gradebook.write_csv(out, r.rows(), ch.levels)
    (row,) = read_csv(out)
    assert row["campaign/01-carry score"] == "" and row["campaign/01-carry stars"] == "3"
    assert r.board()["points_off"] is True


def test_rows_from_the_servers_store_as_plain_dicts():
    rows = [{"name": "ada", "roster_id": "7", "levels": {"a": {"best_score": 50.0, "stars": 1, "attempts": 2,
                                                               "verified_at": "t"}}}]
    (header, row) = list(csv.reader(io.StringIO(gradebook.csv_text(rows, [{"id": "a", "title": "A"}]))))
    assert header == ["name", "roster_id", "a score", "a stars", "attempts"]
    assert row == ["ada", "7", "50.0", "1", "2"]


# -- the command line --------------------------------------------------------------------------------------
def test_classroom_new_and_collect_on_the_command_line(tmp_path, folder):
    out = tmp_path / "week3.yaml"
    r = run_cli("classroom", "new", "--title", "Week 3", "--levels", "01-carry,13-sensor-log", "-o", out,
                "--attempts", "2")
    assert r.returncode == 0, r.stderr
    assert "2 levels (campaign/01-carry, campaign/13-sensor-log)" in r.stdout
    ch = load_challenge(out)
    assert ch.rules.attempts_per_level == 2
    # the same levels and rules give the same challenge: the folder made for the fixture's file matches
    grades = tmp_path / "g.csv"
    r = run_cli("classroom", "collect", out, folder, "--csv", grades, "--long")
    assert r.returncode == 0, r.stderr
    assert "forged: attempt 1: the stored score 100.0 differs" in r.stdout and f"wrote {grades}" in r.stdout
    assert {row["name"] for row in read_csv(grades)} == {"ada", "bob", "'=cy"}


@pytest.mark.parametrize("args,words", [
    (["--opens", "2026-12-01T09:00:00"], "--opens: '2026-12-01T09:00:00' has no time zone"),
    (["--opens", "2026-12-01T10:00:00Z", "--closes", "2026-12-01T09:00:00Z"], "--closes must come after"),
    (["--attempts", "0"], "--attempts must be 1..1000"),
    (["--time-limit", "3"], "--time-limit must be 10..86400"),
])
def test_classroom_new_argument_errors_are_one_line(tmp_path, args, words):
    r = run_cli("classroom", "new", "--title", "T", "--levels", "01-carry", "-o", tmp_path / "c.yaml", *args)
    assert r.returncode == 2 and r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
    assert words in r.stderr and not (tmp_path / "c.yaml").exists()


def test_collect_with_a_broken_challenge_or_folder_is_one_line(tmp_path, made):
    bad = tmp_path / "bad.yaml"
    text = made[0].read_text(encoding="utf-8")
    bad.write_text(text.replace("version: 1", "version: 2", 1), encoding="utf-8")
    r = run_cli("classroom", "collect", bad, tmp_path, "--csv", tmp_path / "x.csv")
    assert r.returncode == 1 and r.stderr.strip().startswith(f"{bad}:") and "version" in r.stderr
    r = run_cli("classroom", "collect", made[0], tmp_path / "nowhere", "--csv", tmp_path / "x.csv")
    assert r.returncode == 2 and "not a folder" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.csv").exists()


def test_collect_writes_nothing_over_a_device(made, tmp_path):
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null here")
    (tmp_path / "in").mkdir()
    r = run_cli("classroom", "collect", made[0], tmp_path / "in", "--csv", "/dev/null")
    assert r.returncode == 2 and "refused to write over it" in r.stderr


def test_roster_and_json_output(made, tmp_path, ch):
    write_submission(tmp_path / "in", "ada", ch, [played(ch, "campaign/01-carry")])
    roster = tmp_path / "roster.csv"
    roster.write_text("name,roster_id\nada,S-1\n", encoding="utf-8")
    r = run_cli("classroom", "collect", made[0], tmp_path / "in", "--csv", tmp_path / "g.csv", "--roster",
                roster, "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["board"]["rows"][0]["name"] == "ada" and data["files"][0]["counted"] == 1
    assert read_csv(tmp_path / "g.csv")[0]["roster_id"] == "S-1"


def test_rows_of_every_stored_attempt_keep_the_best_per_level():
    """The class server hands over each student's attempts; the best per level is picked here."""
    rows = [{"name": "ada", "roster_id": None, "attempts": [
        {"level": "a", "score": 40.0, "stars": 1, "verified_at": "2026-12-01T09:01:00+00:00"},
        {"level": "a", "score": 90.0, "stars": 2, "verified_at": "2026-12-01T09:03:00+00:00"},
        {"level": "a", "score": 90.0, "stars": 2, "verified_at": "2026-12-01T09:02:00+00:00"},
        {"level": "b", "score": 0.0, "stars": 0, "verified_at": "2026-12-01T09:04:00+00:00"}]},
        {"name": "bob", "roster_id": "9", "attempts": []}]
    long = list(csv.DictReader(io.StringIO(gradebook.csv_text(rows, ["a", "b"], long=True))))
    assert [tuple(r.values()) for r in long] == [
        ("ada", "a", "90.0", "2", "3", "2026-12-01T09:02:00+00:00"),
        ("ada", "b", "0.0", "0", "1", "2026-12-01T09:04:00+00:00"),
        ("bob", "a", "", "", "0", ""), ("bob", "b", "", "", "0", "")]
    wide = list(csv.DictReader(io.StringIO(gradebook.csv_text(rows, ["a", "b"]))))
    assert wide[0]["attempts"] == "4" and wide[1]["roster_id"] == "9" and wide[1]["a score"] == ""


def test_collect_serve_shows_the_collected_board_on_a_real_server(made, folder, tmp_path):
    import httpx

    grades = tmp_path / "g.csv"
    proc = subprocess.Popen([sys.executable, str(REPO / "main.py"), "classroom", "collect", str(made[0]),
                             str(folder), "--csv", str(grades), "--long", "--serve", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        report = json.loads(proc.stdout.readline())
        ready = json.loads(proc.stdout.readline())  # the server's one line, once it accepts requests
        assert ready["url"].startswith("http://127.0.0.1:")
        board = httpx.get(ready["url"] + "api/board", timeout=30).json()
        assert [r["name"] for r in board["rows"]] == [r["name"] for r in report["board"]["rows"]]
        assert board["rows"][0]["levels"] == report["board"]["rows"][0]["levels"]
        r = httpx.get(ready["url"] + "api/teacher/export.csv?long=1", timeout=30,
                      headers={"Authorization": f"Bearer {ready['token']}"})
        assert r.status_code == 200, r.text

        def table(rows):
            return {(row["name"], row["level"]): (row["best_score"], row["stars"], row["attempts"])
                    for row in rows}

        served = table(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
        assert served == table(read_csv(grades))  # the same gradebook, from the server's store
        assert served[("ada", "campaign/01-carry")] == ("100.0", "3", "2")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
