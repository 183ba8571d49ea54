"""Classroom challenges: the challenge file, attempt verification, offline submissions, the gradebook.

Plain Python (no pygame, no web framework): the class server (game/server/) and the game's screens
build on it. docs/classroom.md describes the files a teacher handles.
"""
