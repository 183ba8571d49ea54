"""Gatekeeper, the game. Only game/ui/ (arriving with the desktop game) imports pygame; everything
else here (command line, levels, play sessions, scoring, replays) is plain Python."""
