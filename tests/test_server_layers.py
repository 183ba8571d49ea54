"""Layering of the class server (docs/classroom.md): the web stack (starlette, uvicorn, zeroconf, psycopg)
is imported only in game/server/; game/server/ never imports pygame or the game's screens; and starting
the command line (`--help`, the game window) loads none of the server's packages."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

GAME = Path(__file__).resolve().parent.parent / "game"
SERVER = GAME / "server"
WEB_STACK = {"starlette", "uvicorn", "zeroconf", "psycopg"}


def imported(path: Path):
    """(line, absolute module) of every import in the file, including ones inside functions."""
    package = path.relative_to(GAME.parent).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[:len(package) - (node.level - 1)])
                yield node.lineno, ".".join(base + ([node.module] if node.module else []))
            else:
                yield node.lineno, node.module or ""


def test_the_server_files_are_found():
    names = {p.name for p in SERVER.glob("*.py")}
    assert {"app.py", "run.py", "store.py", "state.py", "verify_pool.py"} <= names


@pytest.mark.parametrize("path", sorted(p for p in GAME.rglob("*.py") if SERVER not in p.parents),
                         ids=lambda p: str(p.relative_to(GAME)))
def test_only_the_server_imports_the_web_stack(path):
    bad = [f"{m} (line {n})" for n, m in imported(path) if m.split(".")[0] in WEB_STACK]
    assert not bad, f"{path.relative_to(GAME)} imports {', '.join(bad)}: only game/server/ may"


# The one way from the server to drawing code: the comparison PNG of an attempt (game/ui/compare_png.py
# draws it headless with the game's own code), used by the teacher page's route.
DRAWING = {("pages.py", "game.ui.compare_png")}


@pytest.mark.parametrize("path", sorted(SERVER.glob("*.py")), ids=lambda p: p.name)
def test_the_server_never_imports_pygame_or_the_screens(path):
    bad = [f"{m} (line {n})" for n, m in imported(path)
           if (m.split(".")[0] in {"pygame", "pygame_gui"} or m.startswith(("game.ui", "game.controllers")))
           and (path.name, m) not in DRAWING]
    assert not bad, f"{path.name} imports {', '.join(bad)}"


def test_the_command_line_starts_without_the_server_packages():
    code = ("import sys, json; from game.cli import build_parser; build_parser(); "
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         check=True, cwd=GAME.parent)
    loaded = {m.split(".")[0] for m in json.loads(out.stdout.strip().splitlines()[-1])}
    assert not loaded & WEB_STACK, loaded & WEB_STACK
