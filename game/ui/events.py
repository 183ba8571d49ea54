"""The one place that turns raw pygame events into game input (game/ui/actions.py)."""

from __future__ import annotations

import pygame

from .actions import Act, Input, TextInput

KEYS = {
    pygame.K_UP: Act.UP,
    pygame.K_DOWN: Act.DOWN,
    pygame.K_LEFT: Act.LEFT,
    pygame.K_RIGHT: Act.RIGHT,
    pygame.K_RETURN: Act.CONFIRM,
    pygame.K_KP_ENTER: Act.CONFIRM,
    pygame.K_ESCAPE: Act.BACK,
    pygame.K_SPACE: Act.STEP,
    pygame.K_BACKSPACE: Act.UNDO,
    pygame.K_h: Act.HINT,
    pygame.K_F1: Act.HELP,
    pygame.K_TAB: Act.NEXT_SLOT,
    pygame.K_PLUS: Act.INCREASE,
    pygame.K_EQUALS: Act.INCREASE,
    pygame.K_KP_PLUS: Act.INCREASE,
    pygame.K_MINUS: Act.DECREASE,
    pygame.K_KP_MINUS: Act.DECREASE,
    pygame.K_k: Act.KEEP,
    pygame.K_w: Act.WRITE,
    pygame.K_e: Act.ERASE,
    pygame.K_r: Act.REVEAL,
    pygame.K_HOME: Act.SET_MIN,
    pygame.K_END: Act.SET_MAX,
    pygame.K_a: Act.AUTOPLAY,
    pygame.K_p: Act.PAUSE,
    pygame.K_RIGHTBRACKET: Act.FASTER,
    pygame.K_LEFTBRACKET: Act.SLOWER,
    pygame.K_f: Act.FROM_HERE,
    pygame.K_x: Act.EXPLAIN,
    pygame.K_PAGEUP: Act.PREV_WORD,
    pygame.K_COMMA: Act.PREV_WORD,
    pygame.K_PAGEDOWN: Act.NEXT_WORD,
    pygame.K_PERIOD: Act.NEXT_WORD,
    pygame.K_o: Act.OPEN,
    pygame.K_l: Act.LAB,
}


def translate(event: pygame.event.Event, typing: bool = False) -> list[Input | TextInput]:
    """Game input for one pygame event (often none). ``typing``: a text field has focus, so letters
    are text, not shortcuts."""
    if event.type == pygame.QUIT:
        return [Input(Act.QUIT)]
    if event.type == pygame.TEXTINPUT and typing:
        return [TextInput(event.text)]
    if event.type != pygame.KEYDOWN:
        return []
    ctrl = bool(event.mod & pygame.KMOD_CTRL)
    shift = bool(event.mod & pygame.KMOD_SHIFT)
    if ctrl and event.key == pygame.K_z:
        return [Input(Act.REDO if shift else Act.UNDO)]
    if ctrl and event.key == pygame.K_s:
        return [Input(Act.SAVE)]
    if ctrl and event.key == pygame.K_y:
        return [Input(Act.REDO)]
    if event.key == pygame.K_TAB and shift:
        return [Input(Act.PREV_SLOT)]
    if typing:  # a text field gets every printable key (its TEXTINPUT): "?" is text, not help
        if event.key in (
            pygame.K_RETURN,
            pygame.K_KP_ENTER,
            pygame.K_ESCAPE,
            pygame.K_BACKSPACE,
            pygame.K_UP,
            pygame.K_DOWN,
        ):
            return [Input(KEYS[event.key])]
        return []
    if (event.key == pygame.K_SLASH and shift) or event.unicode == "?":
        return [Input(Act.HELP)]
    if pygame.K_1 <= event.key <= pygame.K_9:
        return [Input(Act.CONFIRM, event.key - pygame.K_1 + 1)]
    act = KEYS.get(event.key)
    return [Input(act)] if act else []
