"""A scene stack with enter/leave/pause/resume (after Tuxemon's state manager).

Scenes get game input and the time passed in (never read a clock); ``draw`` must not change state.
A scene asks for changes through the stack it is given: push, pop, replace.

A scene whose picture changes without input (an animation, autoplay, a background job's progress) says
so with ``moving()``: the app then draws 60 frames a second; otherwise it waits for input and redraws a
few times a second only (game/ui/app.py), so a still screen costs almost nothing.
"""

from __future__ import annotations


class Scene:
    name = "scene"
    overlay = False  # drawn over the scene below it (help)
    typing = False  # a text field has the keyboard: letters are text, not shortcuts

    def __init__(self, app):
        self.app = app

    def enter(self) -> None: ...
    def leave(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...

    def resize(self, size) -> None: ...
    def raw(self, event) -> bool:
        """A raw pygame event (mouse, widgets) before it is translated; True if it was used."""
        return False

    def handle(self, inp) -> None: ...
    def update(self, dt: float) -> None: ...
    def moving(self) -> bool:
        """True while the picture changes without input (see the module docstring)."""
        return False

    def draw(self, surface) -> None: ...


class SceneStack:
    def __init__(self):
        self._scenes: list[Scene] = []

    @property
    def top(self) -> Scene | None:
        return self._scenes[-1] if self._scenes else None

    @property
    def scenes(self) -> list[Scene]:
        return list(self._scenes)

    def __len__(self) -> int:
        return len(self._scenes)

    def names(self) -> list[str]:
        return [s.name for s in self._scenes]

    def push(self, scene: Scene) -> None:
        if self.top:
            self.top.pause()
        self._scenes.append(scene)
        scene.enter()

    def pop(self) -> Scene | None:
        if not self._scenes:
            return None
        scene = self._scenes.pop()
        scene.leave()
        if self.top:
            self.top.resume()
        return scene

    def replace(self, scene: Scene) -> None:
        if self._scenes:
            self._scenes.pop().leave()
        self._scenes.append(scene)
        scene.enter()
