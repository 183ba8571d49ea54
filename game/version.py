"""The game's version, from one source: pyproject.toml's [project] version.

Installed (a wheel, an editable install, the desktop bundle) it is read from the distribution's metadata,
which the build copied from pyproject.toml; a source checkout reads pyproject.toml itself, so a version
bumped there shows at once, without reinstalling.
"""

from __future__ import annotations

import re

from . import paths

DISTRIBUTION = "lstm-gatekeeper"


def game_version() -> str:
    pyproject = paths.ROOT / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        text = ""
    if re.search(rf'^name\s*=\s*"{DISTRIBUTION}"', text, re.M):
        found = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
        if found:
            return found.group(1)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown"


def version_line() -> str:
    """What `gatekeeper --version` prints: "gatekeeper 0.2.0 (engine 1.0.0)"."""
    from lstm_engine import ENGINE_VERSION

    return f"gatekeeper {game_version()} (engine {ENGINE_VERSION})"
