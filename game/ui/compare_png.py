"""The comparison screen of one attempt as PNG bytes, for the class server's teacher page.

The picture is the game's own comparison (game/ui/screens/compare.py: gate lanes against the
network's, both memories, the decisive steps), drawn off screen on a plain Surface — no window, no
display needed (SDL's dummy driver is set if nothing else was chosen). The replay is re-simulated here,
so the picture shows what the server verified, never what a client claimed. The footer, which in the
game lists the screen's keys, carries a caption instead: whose attempt it is and its verified score.

This lives in game/ui/ because it draws with pygame; the server imports it lazily (game/server/pages.py),
only when a teacher opens an attempt. Drawing is serialised by a lock: pygame's font and surface calls
are not meant to run from several threads at once.
"""

from __future__ import annotations

import io
import os
import threading
from types import SimpleNamespace

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame  # noqa: E402

from ..session.commands import ActionError, from_dict  # noqa: E402
from ..session.session import PlaySession  # noqa: E402
from ..strings import t  # noqa: E402
from .screens.compare import CompareScene  # noqa: E402

SIZE = (1280, 720)
_lock = threading.Lock()


def _field(attempt, name, default=None):
    return attempt.get(name, default) if isinstance(attempt, dict) else getattr(attempt, name, default)


def render(level, model, history: list, player: str, size=SIZE) -> bytes:
    """PNG bytes of the comparison of one replayed history on ``level`` with ``model``. ValueError when
    the history does not play to the end."""
    try:
        session = PlaySession(level, model, [from_dict(a) for a in history])
    except ActionError as e:
        raise ValueError(f"the replay cannot be played: {e}") from None
    if not session.finished:
        raise ValueError("the replay does not finish the sentence")
    score = session.result()
    with _lock:
        if not pygame.font.get_init():
            pygame.font.init()
        surface = pygame.Surface(size)
        app = SimpleNamespace(screen=surface, window=surface, player=player)
        row = SimpleNamespace(level=level, ref=level.id, path=None)
        scene = CompareScene(app, row, session, score)
        scene.message = t("compare.classroom.caption", name=player, score=score.total, stars=score.stars)
        scene.draw(surface)
        out = io.BytesIO()
        pygame.image.save(surface, out, "comparison.png")
    return out.getvalue()


def comparison_png(challenge_level, attempt, size=SIZE) -> bytes:
    """The contract's entry point: a challenge level (``.level``, ``.model()``) and a VerifiedAttempt (or
    its dict) with its canonical ``replay`` and ``player``."""
    replay = _field(attempt, "replay")
    if not isinstance(replay, dict) or not isinstance(replay.get("history"), list):
        raise ValueError("the attempt carries no replay history")
    player = str(_field(attempt, "player", None) or replay.get("player") or "?")
    return render(challenge_level.level, challenge_level.model(), replay["history"], player, size)
