"""Layering of the classroom (docs/classroom.md): game/classroom/ is plain Python. No pygame (the one
exception: render.py may import it lazily inside a function, to draw a comparison headless), no web
framework (starlette, uvicorn, fastapi, zeroconf live in game/server/), httpx only in client.py, and
nothing from game/ui or game/server."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import game.classroom

CLASSROOM = Path(game.classroom.__file__).resolve().parent
FILES = sorted(CLASSROOM.glob("*.py"))
NEVER = {"pygame", "pygame_gui", "starlette", "uvicorn", "fastapi", "zeroconf"}


def imports(path: Path):
    """(line, module, inside a function) for every import in the file; relative ones made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    inner = {id(n) for f in functions for n in ast.walk(f) if n is not f}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, id(node) in inner
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["game", "classroom"][:max(0, 2 - (node.level - 1))]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module, id(node) in inner


def test_the_classroom_files_are_found():
    assert {"challenge.py", "verify.py"} <= {p.name for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_classroom_modules_stay_plain_python(path):
    bad = []
    for line, module, lazy in imports(path):
        top = module.split(".")[0]
        if top in NEVER and not (path.name == "render.py" and top == "pygame" and lazy):
            bad.append(f"{module} (line {line})")
        if top == "httpx" and path.name != "client.py":
            bad.append(f"{module} (line {line}): httpx only in client.py")
        if module.startswith(("game.ui", "game.server")):
            bad.append(f"{module} (line {line}): the classroom layer is below the game's screens and server")
    assert not bad, f"{path.name} imports {', '.join(bad)}"


def test_verifying_loads_no_window_and_no_web_stack():
    code = ("import sys, game.classroom.verify, game.classroom.challenge; "
            f"print(sorted(m for m in {sorted(NEVER)!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(CLASSROOM.parent.parent)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
