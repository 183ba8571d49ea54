"""Per-player settings: what they are, their defaults, and reading them back from untrusted storage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

SPEEDS = (0.5, 1.0, 2.0, 4.0)  # autoplay speed factors


@dataclass(frozen=True)
class Settings:
    reduced_motion: bool = False  # no step animation: values change at once
    autoplay_speed: float = 1.0
    show_numbers: bool = True  # gate values printed beside the valves
    unlock_all: bool = False  # every level playable (classrooms, revisiting)

    @classmethod
    def from_dict(cls, data: object) -> Settings:
        """Settings from stored JSON; anything missing or of the wrong type keeps its default, so a
        damaged or older settings record never stops the game."""
        out = cls()
        if not isinstance(data, dict):
            return out
        for name, default in asdict(out).items():
            v = data.get(name)
            if isinstance(default, bool) and isinstance(v, bool):
                out = replace(out, **{name: v})
            elif (
                name == "autoplay_speed"
                and isinstance(v, (int, float))
                and not isinstance(v, bool)
                and float(v) in SPEEDS
            ):
                out = replace(out, autoplay_speed=float(v))
        return out

    def to_dict(self) -> dict:
        return asdict(self)

    def toggled(self, name: str) -> Settings:
        return replace(self, **{name: not getattr(self, name)})

    def faster(self, direction: int = 1) -> Settings:
        k = SPEEDS.index(self.autoplay_speed) if self.autoplay_speed in SPEEDS else 1
        return replace(self, autoplay_speed=SPEEDS[max(0, min(len(SPEEDS) - 1, k + direction))])
