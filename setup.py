"""Which packages the distribution holds; everything else about it is in pyproject.toml.

The code packages are found (a new sub-package of game/ or lstm_engine/ is included without editing
anything); the two data packages are added by name, because their folders, levels/ and assets/, stay at
the top of the repository and are mapped to ``game.data.levels`` and ``game.data.assets`` by
[tool.setuptools.package-dir] in pyproject.toml (see game/data/__init__.py and game/paths.py).
"""

from setuptools import find_packages, setup

DATA_PACKAGES = ["game.data.levels", "game.data.assets"]

setup(packages=find_packages(include=["lstm_engine", "lstm_engine.*", "game", "game.*"]) + DATA_PACKAGES)
