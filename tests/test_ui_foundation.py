"""The user interface's foundation, headless: the scene stack's lifecycle and the event translation."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pygame  # noqa: E402
import pytest  # noqa: E402

from game import paths  # noqa: E402
from game.ui.actions import Act, Input, TextInput  # noqa: E402
from game.ui.events import translate  # noqa: E402
from game.ui.scenes import Scene, SceneStack  # noqa: E402


class Recorder(Scene):
    def __init__(self, name, log):
        super().__init__(None)
        self.name, self.log = name, log

    def enter(self):
        self.log.append(f"enter {self.name}")

    def leave(self):
        self.log.append(f"leave {self.name}")

    def pause(self):
        self.log.append(f"pause {self.name}")

    def resume(self):
        self.log.append(f"resume {self.name}")


def test_scene_stack_lifecycle():
    log, stack = [], SceneStack()
    stack.push(Recorder("title", log))
    stack.push(Recorder("select", log))
    stack.replace(Recorder("play", log))
    assert stack.names() == ["title", "play"]
    assert stack.pop().name == "play" and stack.top.name == "title"
    assert log == ["enter title", "pause title", "enter select", "leave select", "enter play",
                   "leave play", "resume title"]
    stack.pop()
    assert stack.pop() is None and len(stack) == 0


def key(k, mod=0, unicode=""):
    return pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode=unicode)


@pytest.mark.parametrize("event,expected", [
    (key(pygame.K_SPACE), [Input(Act.STEP)]),
    (key(pygame.K_z, pygame.KMOD_LCTRL), [Input(Act.UNDO)]),
    (key(pygame.K_z, pygame.KMOD_LCTRL | pygame.KMOD_LSHIFT), [Input(Act.REDO)]),
    (key(pygame.K_y, pygame.KMOD_LCTRL), [Input(Act.REDO)]),
    (key(pygame.K_BACKSPACE), [Input(Act.UNDO)]),
    (key(pygame.K_h), [Input(Act.HINT)]),
    (key(pygame.K_F1), [Input(Act.HELP)]),
    (key(pygame.K_SLASH, pygame.KMOD_LSHIFT, "?"), [Input(Act.HELP)]),
    (key(pygame.K_TAB, pygame.KMOD_LSHIFT), [Input(Act.PREV_SLOT)]),
    (key(pygame.K_3), [Input(Act.CONFIRM, 3)]),
    (key(pygame.K_q), []),
    (pygame.event.Event(pygame.QUIT), [Input(Act.QUIT)]),
    (pygame.event.Event(pygame.MOUSEMOTION, pos=(1, 1), rel=(0, 0), buttons=(0, 0, 0)), []),
])
def test_events_translate_to_game_input(event, expected):
    assert translate(event) == expected


def test_typing_turns_letters_into_text_not_shortcuts():
    assert translate(pygame.event.Event(pygame.TEXTINPUT, text="h"), typing=True) == [TextInput("h")]
    assert translate(key(pygame.K_h, unicode="h"), typing=True) == []
    # "?" (Shift+/) is help only when no text field has the keyboard; typing, it is text
    assert translate(key(pygame.K_SLASH, mod=pygame.KMOD_LSHIFT, unicode="?"), typing=True) == []
    assert translate(key(pygame.K_SLASH, mod=pygame.KMOD_LSHIFT, unicode="?")) == [Input(Act.HELP)]
    assert translate(key(pygame.K_RETURN), typing=True) == [Input(Act.CONFIRM)]


def test_fonts_ship_with_their_licence():
    fonts = paths.assets_dir() / "fonts"
    assert (fonts / "DejaVuSans.ttf").is_file() and (fonts / "LICENSE-DejaVu.txt").is_file()
    pygame.font.init()
    font = pygame.font.Font(str(fonts / "DejaVuSans.ttf"), 18)
    assert font.size("Gatekeeper")[0] > 50
