"""The teacher's picture of an attempt (game/ui/compare_png.py): the game's own comparison screen, drawn
off screen from the re-simulated replay, as PNG bytes."""

from __future__ import annotations

import io

import pygame
import pytest
from test_class_view import Attempt, Level, attempt, network

from game.session.gates import GATES
from game.ui import theme
from game.ui.compare_png import comparison_png


def image(png: bytes) -> pygame.Surface:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return pygame.image.load(io.BytesIO(png), "a.png")


def test_the_picture_is_the_comparison_of_the_replayed_gates(tmp_path):
    name = "campaign/01-carry"
    net = network(name)
    wiped = net.copy()
    wiped[7, GATES.index("forget")] = 0.0
    a = attempt(name, wiped, "<b>ada</b>")
    png = comparison_png(Level(name), a)
    (tmp_path / "cmp.png").write_bytes(png)
    surf = image(png)
    assert surf.get_size() == (1280, 720)
    # the decisive step's column (theme.DECISIVE) appears: the wipe at word 8 is decisive
    colours = {tuple(surf.get_at((x, y)))[:3] for x in range(0, 900, 3) for y in range(120, 560, 3)}
    assert tuple(theme.DECISIVE[:3]) in colours
    # another student's attempt draws a different picture; the same attempt the same one
    other = comparison_png(Level(name), attempt(name, net, "bo"))
    assert other != png and comparison_png(Level(name), a) == png


def test_the_replay_must_play_to_the_end():
    name = "campaign/01-carry"
    a = attempt(name, network(name))
    with pytest.raises(ValueError, match="finish"):
        comparison_png(Level(name), Attempt({**a.replay, "history": a.replay["history"][:2]}))
    with pytest.raises(ValueError, match="replay"):
        comparison_png(Level(name), {"replay": None})
