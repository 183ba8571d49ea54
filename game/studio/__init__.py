"""The level studio's plain-Python part: patterns (form models that render to level YAML) and files."""
