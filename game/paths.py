"""The one place that resolves data paths: shipped levels and assets, and the per-user directories.

Nothing in the game opens a path relative to the working directory. The per-user directories can be
moved with environment variables (tests, classrooms, portable installs).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "gatekeeper"
ROOT = Path(__file__).resolve().parent.parent


def levels_dir() -> Path:
    return ROOT / "levels"


def assets_dir() -> Path:
    return ROOT / "assets"


def shipped_models_dir() -> Path:
    return assets_dir() / "models"


def user_cache_dir() -> Path:
    """Trained weights that are not shipped (GATEKEEPER_CACHE_DIR overrides)."""
    return Path(os.environ.get("GATEKEEPER_CACHE_DIR") or platformdirs.user_cache_dir(APP))


def user_data_dir() -> Path:
    """Progress, replays and settings (GATEKEEPER_DATA_DIR overrides)."""
    return Path(os.environ.get("GATEKEEPER_DATA_DIR") or platformdirs.user_data_dir(APP))
