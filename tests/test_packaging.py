"""Installing anywhere and starting fast: the wheel holds the shipped data, an installed copy finds it from
any folder, every entry point pins BLAS to one thread, `--help` loads nothing heavy, one version."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from game import paths

ROOT = paths.ROOT
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def source_files() -> list[str]:
    """The files a fresh clone would have (tracked, plus new ones not ignored), relative to ROOT."""
    r = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                       text=True)
    if r.returncode != 0 or not r.stdout.strip():  # not a git checkout (an sdist)
        return [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
                if p.is_file() and not {"__pycache__", ".venv", "build", "dist"} & set(p.parts)]
    return [f for f in r.stdout.splitlines() if (ROOT / f).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built by pip from a copy of the source tree (so no stale build/ folder leaks in)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    for f in source_files():
        if f.split("/")[0] in ("game", "lstm_engine", "levels", "assets") or "/" not in f:
            (src / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, src / f)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "dist"),
                        str(src)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    (found,) = (tmp / "dist").glob("lstm_gatekeeper-*.whl")
    return found


def test_the_wheel_holds_the_code_levels_fonts_licences_weights_and_manifest(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    files = source_files()
    code = [f for f in files if f.endswith(".py") and f.split("/")[0] in ("game", "lstm_engine")]
    levels = [f for f in files if f.startswith("levels/") and f.endswith((".yaml", ".yml"))]
    fonts = [f for f in files if f.startswith("assets/fonts/")]
    models = [f for f in files if f.startswith("assets/models/")]
    assert any(f.endswith("pack.yaml") for f in levels) and any("LICENSE" in f for f in fonts)
    assert any(f.endswith(".ttf") for f in fonts) and "assets/models/manifest.json" in models
    manifest = json.loads((ROOT / "assets/models/manifest.json").read_text())
    assert {f"assets/models/{key}.npz" for key in manifest} <= set(models), "a manifest entry has no weights"
    missing = [f for f in code if f not in names]
    # every file of the two folders, whatever its kind: a new kind of asset needs its pattern in
    # pyproject.toml's [tool.setuptools.package-data] (the bundle's spec reads the same list)
    shipped = [f for f in files if f.startswith(("levels/", "assets/"))]
    assert set(levels + fonts + models) <= set(shipped)
    missing += [f for f in shipped if "game/data/" + f not in names]
    assert not missing, f"not in {wheel.name}: {missing}"
    assert not [n for n in names if "__pycache__" in n or n.startswith(("levels/", "assets/", "tests/"))]


def test_an_installed_copy_finds_its_data_from_any_folder_without_retraining(wheel, tmp_path):
    """The wheel unpacked as pip installs it (no checkout anywhere on the path), run from another folder:
    the shipped levels, fonts and weights are its own package data."""
    target = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile", "--target",
                        str(target), str(wheel)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "GATEKEEPER_CACHE_DIR": str(tmp_path / "cache"),
           "GATEKEEPER_DATA_DIR": str(tmp_path / "data")}
    probe = ("import sys, json; from game import paths; from game.ui.theme import font_path; "
             "print(json.dumps([str(paths.levels_dir()), str(paths.assets_dir()), str(font_path('bold')), "
             "__import__('game').__file__])); "
             "from game.cli import main; sys.exit(main(['levels', 'train', '01-carry']))")
    r = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    levels, assets, font, module = json.loads(r.stdout.splitlines()[0])
    for p in (levels, assets, font, module):
        assert Path(p).is_relative_to(target), p
    assert Path(font).is_file()
    assert "01-carry: loaded (shipped" in r.stdout, r.stdout  # the shipped weights, not a retrain


def thread_report(code: str, extra_env: dict) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    env.update(extra_env)
    code += "\nimport json, numpy, threadpoolctl\nprint(json.dumps(threadpoolctl.threadpool_info()))"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    blas = [lib for lib in json.loads(r.stdout.splitlines()[-1]) if lib["user_api"] == "blas"]
    assert blas, "NumPy's BLAS was not found"
    return blas


@pytest.mark.parametrize("entry", ["import main", "import game.cli", "import numpy; import game.cli",
                                   "import benchmarks.bench_ui", "import tests.conftest"],
                         ids=["main.py", "gatekeeper-script", "numpy-loaded-first", "benchmark", "conftest"])
def test_every_entry_point_limits_blas_to_one_thread(entry):
    """Even where the machine asks for four threads (OMP_NUM_THREADS=4, as a lab PC's profile might), and
    also when NumPy was loaded before the game (too late for the environment: threadpoolctl then)."""
    asked = {"OMP_NUM_THREADS": "4", "OPENBLAS_NUM_THREADS": "4"}
    without = thread_report("", asked)
    # the control: unpinned, BLAS takes the threads it is given, up to the machine's cores
    assert {lib["num_threads"] for lib in without} == {min(4, os.cpu_count())}
    pinned = thread_report(entry, asked)
    assert {lib["num_threads"] for lib in pinned} == {1}, pinned


def modules_after(argv: list[str]) -> set[str]:
    main_py = str(ROOT / "main.py")
    code = (f"import runpy, sys\nsys.argv = ['gatekeeper', *{argv!r}]\ntry:\n"
            f"    runpy.run_path({main_py!r}, run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    return set(r.stderr.split())


@pytest.mark.parametrize("argv", [["--help"], ["levels", "--help"], ["engine", "demo", "--help"],
                                  ["replay", "verify", "--help"], ["levels"], ["lab", "--help"],
                                  ["classroom", "--help"], ["classroom", "serve", "--help"],
                                  ["classroom", "collect", "--help"]])
def test_help_and_usage_errors_load_nothing_heavy(argv):
    loaded = modules_after(argv)
    assert "argparse" in loaded, "the probe ran the command line"
    # the class server's web stack (httpx, starlette, uvicorn) loads only when a class is served
    heavy = {"numpy", "pygame", "pygame_gui", "yaml", "pydantic", "lstm_engine", "game.levels", "sqlite3",
             "httpx", "starlette", "uvicorn", "anyio"}
    assert not heavy & {m.split(".")[0] for m in loaded} - {"game"} and "game.levels" not in loaded, \
        sorted(heavy & ({m.split(".")[0] for m in loaded} | loaded))


def test_a_command_still_loads_what_it_needs():
    """The control for the test above: a real command does import the engine."""
    assert "lstm_engine" in modules_after(["engine", "info", str(ROOT / "missing.npz")])
    code = "import sys, game.server.app; print(' '.join(sorted(sys.modules)))"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "starlette" in set(r.stdout.split()), r.stderr[-500:]  # the probe sees the web stack load


def test_version_shows_the_game_and_the_engine_labelled():
    from lstm_engine import ENGINE_VERSION

    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "--version"], capture_output=True, text=True,
                       cwd=ROOT.parent, timeout=60)
    declared = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert r.returncode == 0 and r.stdout.strip() == f"gatekeeper {declared} (engine {ENGINE_VERSION})"


def test_the_demo_task_names_the_parser_offers_are_the_ones_it_runs():
    from game.cli import DEMO_TASKS, engine_cmd

    assert sorted(DEMO_TASKS) == sorted(engine_cmd.TASKS)


def test_the_title_screen_is_drawn_before_numpy_pydantic_or_the_engine_load(tmp_path):
    """Cold start: what the first frame needs is pygame and the game's screens, not the level loader
    (pydantic), the engine or NumPy; those load when a level is first needed (docs/ui-performance.md)."""
    main_py = str(ROOT / "main.py")
    code = (f"import runpy, sys\nsys.argv = [{main_py!r}]\nimport game.ui.app as A\nframe = A.App.frame\n"
            "def first(self, events, dt):\n    frame(self, events, dt)\n"
            "    print(' '.join(sorted(sys.modules)), self.stack.top.name, self.frames, flush=True)\n"
            "    self.running = False\nA.App.frame = first\ntry:\n"
            f"    runpy.run_path({main_py!r}, run_name='__main__')\nexcept SystemExit:\n    pass\n")
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
           "GATEKEEPER_DATA_DIR": str(tmp_path / "data"), "GATEKEEPER_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    *loaded, scene, frames = r.stdout.split()
    assert scene == "title" and frames == "1" and "pygame" in loaded
    early = {m.split(".")[0] for m in loaded} & {"numpy", "pydantic", "yaml", "lstm_engine"}
    assert not early and "game.levels.loader" not in loaded, early


def test_main_py_without_the_games_packages_says_how_to_set_up_in_one_line():
    r = subprocess.run([sys.executable, "-S", str(ROOT / "main.py"), "levels", "check", "01-carry"],
                       capture_output=True, text=True, cwd=ROOT.parent, timeout=60)  # -S: no site-packages
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert "No module named" in r.stderr and ".venv/bin/python main.py" in r.stderr


def test_ship_writes_into_the_checkout_and_an_installed_copy_refuses_it(monkeypatch, tmp_path):
    """`levels train --ship` (developers) writes the source tree's assets/models, which an editable
    install also reads; an installed copy has no checkout to write into and says so in one line."""
    assert paths.ship_models_dir() == ROOT / "assets" / "models"
    assert paths.ship_models_dir().resolve() == paths.shipped_models_dir().resolve()
    monkeypatch.setattr(paths, "ROOT", tmp_path / "site-packages")
    with pytest.raises(paths.DataMissing, match="source checkout"):
        paths.ship_models_dir()
