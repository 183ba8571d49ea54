"""The desktop user interface: the only part of the game that imports pygame."""
