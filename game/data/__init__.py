"""The game's shipped data as package data: ``game.data.levels`` (the level packs) and ``game.data.assets``
(fonts and their licences, trained weights and their manifest).

In git they stay where people edit them, levels/ and assets/ at the top of the repository; the packaging
configuration (setup.py, pyproject.toml) maps those folders to these two packages, so a wheel, a plain
``pip install .``, an editable install and the desktop bundle all find them the same way, through
importlib.resources in game/paths.py. Nothing imports them otherwise.
"""
