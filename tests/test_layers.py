"""Layering: the engine depends on NumPy and the standard library only, so the game, tools and
benchmarks can use it anywhere, and importing it never drags in torch, pygame or yaml."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import lstm_engine

ENGINE_DIR = Path(lstm_engine.__file__).resolve().parent
ENGINE_FILES = sorted(ENGINE_DIR.glob("*.py"))
ALLOWED_THIRD_PARTY = {"numpy"}
FORBIDDEN = ("torch", "pygame", "yaml", "tensorflow", "keras", "scipy", "jax")


def imported_top_level_modules(path: Path):
    """(line, top-level module) for every import statement anywhere in the file, including imports
    inside functions and TYPE_CHECKING blocks. Relative imports are the package itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x / from .cell import y
                yield node.lineno, "lstm_engine"
            else:
                yield node.lineno, node.module.split(".")[0]


def test_the_engine_files_are_found():
    names = {p.name for p in ENGINE_FILES}
    assert {"__init__.py", "cell.py", "lstm.py", "gru.py", "rnn.py", "model.py", "losses.py", "optim.py",
            "train.py", "tasks.py", "store.py", "interop.py", "gradcheck.py"} <= names


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: p.name)
def test_engine_imports_only_numpy_and_stdlib(path):
    bad = [(line, mod) for line, mod in imported_top_level_modules(path)
           if mod not in sys.stdlib_module_names and mod not in ALLOWED_THIRD_PARTY
           and mod != "lstm_engine"]
    assert not bad, f"{path.name} imports {', '.join(f'{m} (line {n})' for n, m in bad)}"


def test_no_dynamic_imports():
    """importlib / __import__ would get around the check above."""
    for path in ENGINE_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "__import__":
                pytest.fail(f"{path.name}:{node.lineno} uses __import__")
            if isinstance(node, ast.Attribute) and node.attr == "import_module":
                pytest.fail(f"{path.name}:{node.lineno} uses importlib.import_module")


def test_importing_the_engine_loads_no_heavy_frameworks():
    code = ("import sys, json; import lstm_engine; "
            "from lstm_engine import interop, gradcheck, train, store, losses, optim, tasks; "
            "print(json.dumps(sorted(m for m in sys.modules)))")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ENGINE_DIR.parent)] +
                                        [p for p in [env.get("PYTHONPATH")] if p])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120, check=True)
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "lstm_engine" in modules and "numpy" in modules
    loaded = sorted(m for m in modules if m.split(".")[0] in FORBIDDEN)
    assert not loaded, f"importing lstm_engine loaded {loaded}"
