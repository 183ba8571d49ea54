"""The one place that resolves data paths: shipped levels and assets, and the per-user directories.

Nothing in the game opens a path relative to the working directory.

Shipped data is package data, found through importlib.resources: the packages ``game.data.levels`` and
``game.data.assets`` are the repository's levels/ and assets/ folders, mapped by the packaging
configuration (pyproject.toml, setup.py). So a wheel, a plain ``pip install .``, an editable install
(where they resolve to the checkout's own folders) and the desktop bundle behave the same from any
working directory. Only a checkout that was never installed (``python main.py`` with the code on
sys.path but no distribution) falls back to the folders beside the code.

The per-user directories can be moved with environment variables (tests, classrooms, portable installs).
"""

from __future__ import annotations

import functools
import importlib.resources
import os
from pathlib import Path

APP = "gatekeeper"
ROOT = Path(__file__).resolve().parent.parent  # the source checkout, when the code runs from one
LEVELS_PACKAGE = "game.data.levels"
ASSETS_PACKAGE = "game.data.assets"


class DataMissing(OSError):
    """The shipped data cannot be found: a broken installation, said in one line."""


@functools.cache
def _package_dir(package: str, folder: str) -> Path:
    try:
        found = importlib.resources.files(package)
    except ModuleNotFoundError:
        found = ROOT / folder  # never installed: the checkout's own folder
    if not isinstance(found, os.PathLike) or not Path(found).is_dir():
        raise DataMissing(f"the game's {folder} are missing from this installation (looked for the "
                          f"package {package} at {found}); reinstall it")
    return Path(found)


def levels_dir() -> Path:
    return _package_dir(LEVELS_PACKAGE, "levels")


def assets_dir() -> Path:
    return _package_dir(ASSETS_PACKAGE, "assets")


def shipped_models_dir() -> Path:
    return assets_dir() / "models"


def ship_models_dir() -> Path:
    """Where `levels train --ship` writes (developers): the source checkout's assets/models, never an
    installed copy."""
    target = ROOT / "assets" / "models"
    if not (ROOT / "pyproject.toml").is_file() or not target.is_dir():
        raise DataMissing(f"--ship writes into a source checkout's assets/models; {ROOT} is not one")
    return target


def user_cache_dir() -> Path:
    """Trained weights that are not shipped (GATEKEEPER_CACHE_DIR overrides)."""
    import platformdirs

    return Path(os.environ.get("GATEKEEPER_CACHE_DIR") or platformdirs.user_cache_dir(APP))


def user_data_dir() -> Path:
    """Progress, replays and settings (GATEKEEPER_DATA_DIR overrides)."""
    import platformdirs

    return Path(os.environ.get("GATEKEEPER_DATA_DIR") or platformdirs.user_data_dir(APP))
