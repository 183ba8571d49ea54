"""Per-player settings: what they are, their defaults, and reading them back from untrusted storage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

SPEEDS = (0.5, 1.0, 2.0, 4.0)  # autoplay speed factors
SCALES = (1.0, 1.25, 1.5, 1.75, 2.0)  # UI scale
VOLUMES = (0.0, 0.25, 0.5, 0.75, 1.0)
PALETTES = ("standard", "colour-blind")
CHOICES = {"autoplay_speed": SPEEDS, "ui_scale": SCALES, "volume": VOLUMES, "palette": PALETTES}


@dataclass(frozen=True)
class Settings:
    reduced_motion: bool = False  # no step animation: values change at once
    autoplay_speed: float = 1.0
    show_numbers: bool = True  # gate values printed beside the valves
    unlock_all: bool = False  # every level playable (classrooms, revisiting)
    ui_scale: float = 1.0  # everything drawn this much larger (limited by the window's size)
    palette: str = "standard"  # or "colour-blind" (Okabe–Ito)
    high_contrast: bool = False
    volume: float = 0.5  # sound cues; 0 = silent

    @classmethod
    def from_dict(cls, data: object) -> Settings:
        """Settings from stored JSON; anything missing, of the wrong type or not one of the choices
        keeps its default, so a damaged or older settings record never stops the game."""
        out = cls()
        if not isinstance(data, dict):
            return out
        for name, default in asdict(out).items():
            v = data.get(name)
            if isinstance(default, bool):
                if isinstance(v, bool):
                    out = replace(out, **{name: v})
            elif isinstance(default, str):
                if v in CHOICES[name]:
                    out = replace(out, **{name: v})
            elif isinstance(v, (int, float)) and not isinstance(v, bool) and float(v) in CHOICES[name]:
                out = replace(out, **{name: float(v)})
        return out

    def to_dict(self) -> dict:
        return asdict(self)

    def toggled(self, name: str) -> Settings:
        return replace(self, **{name: not getattr(self, name)})

    def stepped(self, name: str, direction: int = 1) -> Settings:
        """The next (or previous) of a setting's choices, stopping at the ends."""
        choices = CHOICES[name]
        v = getattr(self, name)
        k = choices.index(v) if v in choices else 0
        k = max(0, min(len(choices) - 1, k + direction))
        if isinstance(v, str) and k == choices.index(v):  # a pair of names: a change always changes
            k = (k + direction) % len(choices)
        return replace(self, **{name: choices[k]})

    def faster(self, direction: int = 1) -> Settings:
        return self.stepped("autoplay_speed", direction)
