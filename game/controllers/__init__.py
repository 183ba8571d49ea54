"""What each screen of the game does, as plain Python: menus, level select, play, autoplay, results.

No pygame here (tests drive these without a window); the scenes in game/ui/ draw them and feed them
game input (game/ui/actions.py) and the time that passed.
"""
