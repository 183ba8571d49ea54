"""The game window: the scene stack, the frame loop, and the services scenes share (the progress
store, the player, their settings, the level packs).

``frame(events, dt)`` is the whole of one frame, so tests and the headless demo drive the game with
synthetic events and a fixed time step; ``run()`` is the real loop.

The loop draws 60 frames a second only while something moves on its own (a scene's ``moving()``: an
animation, autoplay, training progress) or a mouse button is held (dragging a slider, holding its arrow).
A still screen waits for input instead, and is redrawn on every event and IDLE_REDRAW_MS after the last
frame (so timed things, such as a message that fades after a few seconds, still happen): two frames a
second instead of sixty. A frame woken by input gets one frame's time step, not the time spent waiting,
so an animation that the input starts begins at its first frame.
"""

from __future__ import annotations

import os
import threading
import warnings
from typing import TYPE_CHECKING

import pygame

from .. import paths
from ..atomic import write_text
from ..controllers.settings import Settings
from ..progress import ProgressStore, StoreError
from ..safe_io import read_text
from ..strings import t
from . import draw, theme
from .actions import Act, Input
from .events import translate
from .scenes import SceneStack
from .sound import Sounds

if TYPE_CHECKING:
    from ..controllers.level_select import Row

SIZE = (1280, 720)
MIN_SIZE = (960, 600)  # the least room every screen is laid out for (also at UI scale 200%)
FPS = 60
IDLE_REDRAW_MS = 500  # a still screen: redrawn on input, and at least this often
USER_PACKS = "user:"  # refs of levels from the player's own folder (user data dir / levels)


class App:
    def __init__(self, store: ProgressStore | None = None, size=SIZE, open_store: bool = True):
        pygame.display.init()
        driver = pygame.display.get_driver()
        if driver in ("offscreen", "dummy") and os.environ.get("SDL_VIDEODRIVER") != driver:
            pygame.quit()  # an invisible window nobody can close
            raise pygame.error(f"no display was found (SDL fell back to its '{driver}' driver)")
        pygame.font.init()
        draw.reset_caches()
        pygame.display.set_caption(t("app.window_title"))
        self.window = pygame.display.set_mode(size, pygame.RESIZABLE)
        self.screen = self.window  # what scenes draw on: the window, or a smaller canvas when scaled
        self.scale = 1.0
        try:
            with warnings.catch_warnings():  # the display-module window is what we draw on
                warnings.simplefilter("ignore", DeprecationWarning)
                pygame.Window.from_display_module().minimum_size = MIN_SIZE
        except (AttributeError, pygame.error):
            pass  # older SDL: no minimum size, layouts still hold
        self.stack = SceneStack()
        self.running = True
        self.frames = 0
        self.notice = ""  # one line the title screen shows (store trouble)
        self.store = store
        if store is None and open_store:
            try:
                self.store = ProgressStore()
                self.notice = self.store.notice or ""
            except (StoreError, OSError) as e:
                self.notice = t("app.notice.no_store", error=e)
        self.player: str | None = None
        self.classroom = None  # the class joined or the challenge file played (game/classroom/student.py)
        self._uploads = None  # the background upload queue, started with the first class joined
        self.settings = Settings()
        self.sound = Sounds(0.0)  # silent until the player's settings are known
        self._choose_initial_player()
        self._resume_uploads()
        self.apply_view()

    # -- the player --------------------------------------------------------------------------------
    def _last_player_file(self):
        return paths.user_data_dir() / "last-player.txt"

    def _choose_initial_player(self) -> None:
        if self.store is None:
            return
        try:
            players = self.store.players()
            last = (
                read_text(self._last_player_file(), 4096, "last-player file").strip()
                if self._last_player_file().exists()
                else ""
            )
        except (StoreError, OSError):  # FileRefused (a FIFO, a device, too big, not UTF-8) is an OSError
            return
        if last in players:
            self.set_player(last)
        elif len(players) == 1:
            self.set_player(players[0])

    def set_player(self, name: str) -> None:
        if self.store is not None:
            try:
                self.store.add_player(name)
                self.settings = Settings.from_dict(self.store.settings(name))
            except StoreError as e:
                self.notice = str(e)
        self.player = name
        self.apply_view()
        try:
            write_text(self._last_player_file(), name + "\n")
        except OSError:
            pass  # remembering the last player is a convenience

    def save_settings(self, settings: Settings) -> None:
        look = (settings.palette, settings.high_contrast, settings.ui_scale)
        changed = look != (self.settings.palette, self.settings.high_contrast, self.settings.ui_scale)
        self.settings = settings
        if changed:
            self.apply_view()
        if self.store is not None and self.player is not None:
            try:
                self.store.save_settings(self.player, settings.to_dict())
            except StoreError as e:
                self.notice = str(e)

    # -- how things look ---------------------------------------------------------------------------
    def effective_scale(self, window_size=None) -> float:
        """The player's UI scale, limited so the game keeps at least MIN_SIZE of room to lay out in
        (a small window shows less enlargement; a large one all of it)."""
        w, h = window_size or self.window.get_size()
        room = min(w / MIN_SIZE[0], h / MIN_SIZE[1])
        return max(1.0, min(self.settings.ui_scale, room))

    def apply_view(self) -> None:
        """Palette, contrast and scale from the settings; every scene lays itself out again."""
        theme.use(self.settings.palette, self.settings.high_contrast)
        self.sound.set_volume(self.settings.volume)
        draw.reset_caches()
        self.scale = self.effective_scale()
        if self.scale == 1.0:
            self.screen = self.window
        else:
            w, h = self.window.get_size()
            self.screen = pygame.Surface((round(w / self.scale), round(h / self.scale))).convert()
        for scene in self.stack.scenes:
            scene.resize(self.screen.get_size())

    def present(self) -> None:
        """Put the drawn frame on the window, enlarged when the UI is scaled."""
        if self.screen is self.window:
            return
        size = self.window.get_size()
        if self.scale == int(self.scale):  # whole multiples stay sharp
            pygame.transform.scale(self.screen, size, self.window)
        else:
            pygame.transform.smoothscale(self.screen, size, self.window)

    def to_canvas(self, event):
        """A mouse event with its position in the scaled canvas's coordinates."""
        if self.scale == 1.0 or not hasattr(event, "pos"):
            return event
        d = dict(event.dict)
        d["pos"] = (int(event.pos[0] / self.scale), int(event.pos[1] / self.scale))
        if "rel" in d:
            d["rel"] = (int(event.rel[0] / self.scale), int(event.rel[1] / self.scale))
        return pygame.event.Event(event.type, d)

    # -- levels ------------------------------------------------------------------------------------
    def packs(self) -> list[tuple[str, object]]:
        """(ref prefix, pack listing): the shipped packs, then the player's own (if any)."""
        from ..levels.loader import load_packs  # not before the title's first frame: pydantic is slow to load

        out = [("", p) for p in load_packs(paths.levels_dir())]
        own = paths.user_data_dir() / "levels"
        if own.is_dir():
            out += [(USER_PACKS, p) for p in load_packs(own)]
        return out

    def rows(self) -> list[Row]:
        from ..controllers.level_select import rows_for

        progress = {}
        if self.store is not None and self.player is not None:
            try:
                progress = self.store.progress(self.player)
                if self.store.notice:  # e.g. rows skipped as invalid, a read-only folder
                    self.notice = self.store.notice
            except StoreError as e:
                self.notice = str(e)
        rows = []
        for prefix, pack in self.packs():
            rows += rows_for([pack], progress, self.settings.unlock_all, prefix)
        return rows

    # -- the loop ----------------------------------------------------------------------------------
    def frame(self, events, dt: float) -> None:
        """One frame: input, update by ``dt`` seconds, draw."""
        for event in events:
            self.dispatch(event)
            if not self.running:
                return
        top = self.stack.top
        if top is None:
            self.running = False
            return
        top.update(dt)
        self.draw(self.screen)
        self.present()
        self.frames += 1

    def dispatch(self, event) -> None:
        top = self.stack.top
        if top is None:
            return
        if event.type == pygame.VIDEORESIZE:
            self.window = pygame.display.get_surface()
            self.apply_view()
            return
        event = self.to_canvas(event)
        if top.raw(event):
            return
        for inp in translate(event, typing=top.typing):
            if isinstance(inp, Input) and inp.act == Act.QUIT:
                self.running = False
                return
            if isinstance(inp, Input) and inp.act == Act.HELP and top.name != "help" and not top.typing:
                from .screens.help import HelpScene

                self.stack.push(HelpScene(self))
                return
            top.handle(inp)
            if self.stack.top is not top:  # the scene changed: the rest goes to the new one
                return

    def draw(self, surface) -> None:
        """Draw the top scene, and the scene under it first when the top one is an overlay."""
        scenes = self.stack.scenes
        if not scenes:
            return
        first = len(scenes) - 1
        while first > 0 and scenes[first].overlay:
            first -= 1
        for scene in scenes[first:]:
            draw.next_layer()
            scene.draw(surface)

    def moving(self) -> bool:
        """Something on screen changes without input: draw every frame (see the module docstring)."""
        top = self.stack.top  # only the top scene is updated: one under an overlay stands still
        return (top is not None and top.moving()) or any(pygame.mouse.get_pressed())

    def next_events(self, clock) -> tuple[list, float]:
        """Wait for the next frame to draw: its events and its time step in seconds. Still, the loop
        keeps waking 60 times a second to look for input (cheap: no update, no drawing), which answers
        as fast as a drawn frame and, unlike SDL's event wait, costs next to nothing on every driver."""
        waited = 0.0
        while True:
            waited += clock.tick(FPS) / 1000.0
            events = pygame.event.get()
            if self.moving():
                return events, min(waited, 0.1)  # a stall must not skip the animation
            if events:
                return events, 1.0 / FPS
            if waited * 1000.0 >= IDLE_REDRAW_MS:
                return events, waited

    def prefetch_levels(self) -> threading.Thread:
        """Parse the shipped levels in the background (into the loader's cache), so that level select
        opens at once the first time too. Started after the first frame: never delays it."""

        def work():
            try:
                from ..levels.loader import load_packs

                load_packs(paths.levels_dir())
            except Exception:  # noqa: BLE001 - only a head start: level select reports any problem itself
                pass

        thread = threading.Thread(target=work, name="prefetch-levels", daemon=True)
        thread.start()
        return thread

    def run(self) -> None:
        clock = pygame.time.Clock()
        first = True
        while self.running:
            events, dt = self.next_events(clock)
            self.frame(events, dt)
            pygame.display.flip()
            if first:
                first = False
                self.prefetch_levels()
        self.close()

    def _resume_uploads(self) -> None:
        """Attempts queued for a class server in an earlier run go out now, in the background."""
        try:
            if self.store is not None and self.store.pending_uploads():
                self.upload_queue()
        except StoreError as e:
            self.notice = str(e)

    def upload_queue(self):
        """The class upload queue (game/classroom/uploads.py), started on first use; None without a
        progress store to keep it in. Uploads left queued by an earlier run start going out now."""
        if self._uploads is None and self.store is not None and not self.store.read_only:
            from ..classroom.uploads import UploadQueue

            self._uploads = UploadQueue(self.store)
            self._uploads.start()
        return self._uploads

    def close(self) -> None:
        while self.stack.top is not None:
            self.stack.pop()
        if self._uploads is not None:
            self._uploads.stop()  # what is still queued stays in the progress store for next time
        if self.store is not None:
            self.store.close()
        self.sound.close()
        draw.reset_caches()
        pygame.quit()


def headless() -> bool:
    return os.environ.get("SDL_VIDEODRIVER") == "dummy"
