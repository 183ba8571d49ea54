"""The repository keeps its promises: README's two commands, CI running the same test command,
the top-level layout, the dependency rules, no pickle, and a command line that never tracebacks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [b.strip() for b in blocks if "python3 -m venv" in b]


def test_readme_gives_exactly_two_setup_commands_one_plays_one_tests():
    cmds = readme_commands()
    assert len(cmds) == 2, cmds
    play, test = cmds
    assert "\n" not in play and "\n" not in test, "each set-up command is one line"
    assert play.endswith("main.py") and "pytest" not in play
    assert "[test]" in test and test.endswith("-m pytest")


def test_readme_commands_run_as_written_in_a_fresh_clone():
    """Without an activated environment `python` may lack the game's dependencies: every command that
    starts the game says which Python (the venv's), and a command's files are made before they are used."""
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    lines = [line.split("  #")[0].strip() for b in blocks for line in b.splitlines() if line.strip()]
    runs = [line for line in lines if "main.py" in line or "build_bundle.py" in line]
    venv = re.compile(r"(^|\s)\.venv/bin/python (main\.py|packaging/)")
    assert runs and all(venv.search(line) for line in runs), runs
    made: set[str] = set()
    for line in lines:
        for name in re.findall(r"(?:^|\s)([\w./-]+\.(?:json|npz|yaml))\b", line):
            if not (ROOT / name).exists():
                assert name in made or re.search(rf"(-o|--save|>)\s*{re.escape(name)}", line), \
                    f"{name} is used before a README command makes it: {line}"
                made.add(name)


def test_ci_runs_the_readme_test_command_verbatim_and_ruff():
    ci = (ROOT / ".ci" / "run").read_text()
    assert readme_commands()[1] in ci.splitlines()
    assert "ruff check" in ci and "parity" in ci


def test_top_level_layout():
    allowed = {"game", "levels", "assets", "lstm_engine", "tests", "main.py", "pyproject.toml", "README.md",
               ".ci", "benchmarks", "docs", ".gitignore",
               "setup.py", "packaging"}  # setup.py: the packages (data ones too); packaging/: the bundle
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    if not tracked:  # not a git checkout (e.g. an sdist): look at the folder instead
        tracked = [p.name for p in ROOT.iterdir() if not p.name.startswith(".") or p.name == ".ci"]
    top = {t.split("/")[0] for t in tracked}
    assert top <= allowed, top - allowed
    for required in ("game", "lstm_engine", "tests", "main.py", "pyproject.toml", "README.md"):
        assert (ROOT / required).exists()


def test_dependencies_follow_the_rules():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [re.split(r"[<>=! \[]", d)[0].lower() for d in project["dependencies"]]
    assert "pygame" not in names, "pygame-ce only: pygame and pygame-ce break each other"
    assert {"pygame-ce", "pygame_gui", "numpy", "pyyaml", "pydantic", "platformdirs"} <= set(names)
    assert project["optional-dependencies"]["parity"] == ["torch==2.13.0"]
    assert project["name"] == "lstm-gatekeeper"
    assert project["scripts"]["gatekeeper"] == "game.cli:main"


def test_no_pickle_anywhere():
    for path in list(ROOT.glob("lstm_engine/**/*.py")) + list(ROOT.glob("game/**/*.py")) + [ROOT / "main.py"]:
        text = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+(c?pickle|dill|shelve)\b", text, re.M), path
        assert "allow_pickle=True" not in text, path


def run_cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          cwd=ROOT.parent, timeout=120)


def test_cli_help_lists_what_exists():
    r = run_cli("--help")
    assert r.returncode == 0
    assert "engine" in r.stdout


def test_cli_bad_input_is_one_clear_line(tmp_path):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not a model")
    r = run_cli("engine", "info", str(bad))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert str(bad) in r.stderr and r.stderr.strip().count("\n") == 0
    r = run_cli("engine", "demo", "--lengths", "10,x")
    assert r.returncode == 2 and "--lengths" in r.stderr and "Traceback" not in r.stderr


def test_cli_demo_trains_saves_and_inspects(tmp_path):
    out = tmp_path / "demo.npz"
    r = run_cli("engine", "demo", "--lengths", "10", "--max-steps", "400", "--save", str(out), "--json")
    assert r.returncode == 0, r.stderr
    import json
    report = json.loads(r.stdout)
    assert report["success"] and report["held_out_accuracy"] >= 0.99
    info = run_cli("engine", "info", str(out))
    assert info.returncode == 0 and report["model_hash"] in info.stdout
