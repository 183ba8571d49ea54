"""Player actions as command objects (Nystrom, Game Programming Patterns): one history of these is the
single source of truth for the current state, the results, the replay and classroom re-scoring."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass


class ActionError(ValueError):
    """An action that cannot be applied (or parsed); the message says why."""


@dataclass(frozen=True)
class SetGates:
    """Set the gates of one slot at the current step (None leaves a gate as it is). An LSTM level has
    forget, input, output; a GRU level update, reset (game/levels/cells.py)."""

    step: int
    slot: int
    forget: float | None = None
    input: float | None = None
    output: float | None = None
    type: str = "set"
    update: float | None = None
    reset: float | None = None

    def given(self) -> dict[str, float]:
        return {g: v for g in ("forget", "input", "output", "update", "reset")
                if (v := getattr(self, g)) is not None}


@dataclass(frozen=True)
class Advance:
    """Read the current word with the current gates and move to the next one."""

    type: str = "advance"


@dataclass(frozen=True)
class UseHint:
    """Ask what the model would do from the player's memory at this step (counted in the score)."""

    step: int
    type: str = "hint"


@dataclass(frozen=True)
class Undo:
    type: str = "undo"


@dataclass(frozen=True)
class Redo:
    type: str = "redo"


@dataclass(frozen=True)
class Restart:
    type: str = "restart"


Action = SetGates | Advance | UseHint | Undo | Redo | Restart
KINDS = {"set": SetGates, "advance": Advance, "hint": UseHint, "undo": Undo, "redo": Redo, "restart": Restart}


def to_dict(action: Action) -> dict:
    return {k: v for k, v in asdict(action).items() if v is not None}


def from_dict(d) -> Action:
    """Parse one action from a replay; every problem is an ActionError with a plain message."""
    if not isinstance(d, dict) or not isinstance(d.get("type"), str) or d["type"] not in KINDS:
        raise ActionError(f"not an action: {d!r:.80}")
    cls = KINDS[d["type"]]
    fields = set(cls.__dataclass_fields__)
    extra = set(d) - fields
    if extra:
        raise ActionError(f"unknown field(s) {sorted(extra)} in a '{d['type']}' action")
    args = {k: v for k, v in d.items() if k != "type"}
    for k in ("step", "slot"):
        if k in fields and k in args and (not isinstance(args[k], int) or isinstance(args[k], bool)
                                          or args[k] < 0):
            raise ActionError(f"'{k}' must be a whole number >= 0 in a '{d['type']}' action")
    for k in ("forget", "input", "output", "update", "reset"):
        v = args.get(k)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
                              or not 0.0 <= v <= 1.0):
            raise ActionError(f"gate '{k}' must be a number from 0 to 1, got {v!r}")
        if v is not None:
            args[k] = float(v)
    required = [n for n, f in cls.__dataclass_fields__.items()
                if f.default is dataclasses.MISSING and n not in args]
    if required:
        raise ActionError(f"a '{d['type']}' action needs {', '.join(required)}")
    return cls(**args)
