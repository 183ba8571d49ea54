"""Starting the window: the normal game, a level opened directly, or the headless demo that plays a
level by itself and writes a screenshot of every scene it passes through."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pygame

from ..strings import t
from .app import App
from .screens.title import TitleScene

if TYPE_CHECKING:
    from ..controllers.level_select import Row

# The title screen is drawn before the level loader (pydantic), the engine (NumPy) and the training job are
# imported: they are imported where a level is first needed (cold start, docs/ui-performance.md).

DEMO_DT = 1 / 60  # the demo's clock: every frame is exactly this long
SETTLE = 3  # frames a new scene runs before its screenshot
PLAY_SHOTS = 8  # screenshots during play, spread over the sentence


class LaunchError(Exception):
    pass


def level_row(ref: str) -> Row:
    """A shipped level by id ("01-carry", "campaign/01-carry"), a level file of one's own, or a reference
    the game writes ("file:/path/level.yaml", "user:pack/id": game/levels/refs.py)."""
    from ..controllers.level_select import Row
    from ..levels import refs
    from ..levels.catalogue import UnknownLevel, shipped, user_entry
    from ..levels.loader import LevelError, load_level

    p = refs.path_of(ref) or Path(ref)
    if refs.is_file_ref(ref) or p.suffix in (".yaml", ".yml") or p.exists():
        if refs.is_file_ref(ref) and refs.path_of(ref) is None:
            raise LaunchError(f"'{ref}' is a shortened reference to a level file; give the file's path")
        try:
            level = load_level(p)
        except LevelError as e:
            raise LaunchError(str(e)) from None
        except OSError as e:
            raise LaunchError(f"{ref}: {e.strerror or e}") from None
        return Row(refs.file_ref(p), t("launch.own_pack"), 1, level.title, level, None, None, False,
                   str(p.resolve()))
    try:
        name, entry = user_entry(ref) if ref.startswith(refs.USER) else shipped(ref)
    except UnknownLevel as e:
        raise LaunchError(str(e)) from None
    if entry.level is None:
        raise LaunchError(str(entry.error))
    number = int(entry.name.split("-", 1)[0]) if entry.name[:2].isdigit() else 1
    return Row(
        name, name.split("/", 1)[0].capitalize(), number, entry.level.title, entry.level, None, None, False
    )


def open_window(size, store_open: bool = True) -> App:
    try:
        return App(size=size, open_store=store_open)
    except pygame.error as e:
        raise LaunchError(
            f"cannot open the game window ({e}). Without a display, set SDL_VIDEODRIVER=dummy "
            "for a headless run (e.g. with --screenshot)."
        ) from None


def play(size=(1280, 720), level: str | None = None, autoplay: str | None = None) -> None:
    row = level_row(level) if level else None
    app = open_window(size)
    app.stack.push(TitleScene(app))
    if row is not None:
        from .screens.loading import LoadingScene

        app.stack.push(LoadingScene(app, row, then=autoplay))
    app.run()


def open_replay(verification, level_file: str | None = None, screenshot: str | None = None) -> None:
    """A verified replay (game/session/replay.py) in the comparison screen; with ``screenshot``, draw
    it once into that PNG file and return."""
    from .screens.compare import CompareScene

    row = level_row(level_file or verification.source or verification.level)
    app = open_window((1280, 720), store_open=screenshot is None)
    app.stack.push(TitleScene(app))
    scene = CompareScene(app, row, verification.session, verification.score)
    if verification.hints_self_reported:
        scene.message = t("replays.hints_self_reported", hints=verification.score.hints)
    app.stack.push(scene)
    if screenshot is None:
        app.run()
        return
    try:
        app.frame([], DEMO_DT)
        pygame.image.save(app.window, screenshot)
    except pygame.error as e:
        raise LaunchError(f"cannot write {screenshot}: {e}") from None
    finally:
        app.close()


class Director:
    """Drives the demo: starts the chosen autoplay at the intro and photographs each scene."""

    def __init__(self, app: App, strategy: str, out: Path):
        self.app, self.strategy, self.out = app, strategy, out
        self.shots: list[Path] = []
        self.scene = None
        self.age = 0
        self.play_steps: set[int] = set()
        self.taken_steps: set[int] = set()
        self.mid_anim = False
        self.done = False
        self.failed = ""  # the loading screen's error: the demo stops with it (never waits forever)
        self.failed_frames = 0

    def shoot(self, label: str) -> None:
        path = self.out / f"{len(self.shots):02d}-{label}.png"
        pygame.image.save(self.app.window, str(path))
        self.shots.append(path)

    def after_frame(self) -> None:
        top = self.app.stack.top
        if top is None:
            self.done = True
            return
        if top is not self.scene:
            self.scene, self.age = top, 0
            if top.name == "play":
                import numpy as np

                T = top.session.T
                self.play_steps = set(
                    np.unique(np.linspace(0, T - 1, min(PLAY_SHOTS, T)).round().astype(int))
                )
                self.taken_steps = set()
                self.mid_anim = False
        self.age += 1
        name = top.name
        if name == "loading":
            from ..controllers.training_job import FAILED

            self.failed_frames = self.failed_frames + 1 if top.job.state == FAILED else 0
            if self.failed_frames >= SETTLE:  # drawn as failed: photograph it, then stop
                self.shoot("loading-failed")
                self.failed, self.done = top.job.error, True
            return
        if name == "play":
            ctl = top.ctl
            step = top.session.step
            if (
                ctl.anim is None
                and step in self.play_steps
                and step not in self.taken_steps
                and ctl.autoplay is not None
                and ctl.autoplay.decided_step == step
            ):
                self.taken_steps.add(step)
                self.shoot(f"play-word{step + 1:03d}")
            elif ctl.anim is not None and not self.mid_anim and 0.4 < ctl.anim.progress < 0.6:
                self.mid_anim = True
                self.shoot(f"play-word{ctl.anim.before.shown + 1:03d}-moving")
            return
        if self.age == SETTLE:
            self.shoot(name)
            if name == "intro":
                top.choose(self.strategy)
            elif name == "results":
                self.done = True


def demo(level: str, strategy: str, out_dir: str, frames: int = 40000, size=(1280, 720)) -> list[Path]:
    """Play ``level`` by autoplay without a display; returns the screenshots written."""
    row = level_row(level)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise LaunchError(f"cannot write screenshots to {out}: {e.strerror or e}") from None
    app = open_window(size, store_open=False)  # a demo never touches anyone's progress
    app.settings = app.settings.__class__(autoplay_speed=4.0)
    from .screens.loading import LoadingScene

    app.stack.push(LoadingScene(app, row))
    director = Director(app, strategy, out)
    try:
        for _ in range(frames):
            app.frame(pygame.event.get(), DEMO_DT)
            director.after_frame()
            if director.done or not app.running:
                break
            if app.stack.top is not None and app.stack.top.name == "loading":
                time.sleep(0.01)  # let the training thread have the processor
        else:
            director.shoot("last-frame")
    finally:
        app.close()
    if director.failed:
        raise LaunchError(director.failed)
    return director.shots


def headless_env() -> None:
    """A screenshot run needs no display: use SDL's dummy drivers unless told otherwise."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
