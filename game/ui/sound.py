"""Short, quiet sound cues, generated with numpy at run time.

The game marks a few moments with sound: the network reads a word ("step"), something is written
into memory ("write"), memory is erased ("forget"), and a level is won or lost ("win", "lose").
The cues are synthesised from plain sine and triangle tones, so no sound files are shipped and no
licence question arises. They are quiet by design (peak at most 0.3 of full scale at volume 1.0)
and every tone fades in and out smoothly, so nothing clicks.

``waveform`` is a pure function (easy to test without audio hardware). ``Sounds`` plays the cues
through ``pygame.mixer``; on a machine without audio it is simply ``available == False`` and
``play`` does nothing. Nothing is initialised at import time.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import pygame

if TYPE_CHECKING:
    import numpy as np
# NumPy (and pygame.sndarray, which loads it) are imported when a cue is first built, not before the
# first frame of the game (cold start, docs/ui-performance.md).


class Tone(NamedTuple):
    start_hz: float  # the pitch glides (exponentially) from start_hz to end_hz over the tone
    end_hz: float
    seconds: float


class Cue(NamedTuple):
    shape: str  # "sine" or "triangle"
    peak: float  # peak amplitude at volume 1.0 (full scale = 1.0); at most MAX_PEAK
    tones: tuple[Tone, ...]  # played one after another, each with its own fade in and out


MAX_PEAK = 0.3
ATTACK_S = 0.006  # fade-in length of every tone (at most a quarter of the tone)
RELEASE_FRACTION = 0.45  # fade-out length, as a fraction of the tone

# Every cue in one place. Notes: C5 523.25, E5 659.25, G5 783.99, G4 392.00, E-flat4 311.13 Hz.
CUES: dict[str, Cue] = {
    "step": Cue("sine", 0.10, (Tone(1400.0, 1400.0, 0.03),)),
    "write": Cue("sine", 0.20, (Tone(440.0, 660.0, 0.12),)),
    "forget": Cue("sine", 0.20, (Tone(660.0, 440.0, 0.12),)),
    "win": Cue(
        "triangle", 0.22, (Tone(523.25, 523.25, 0.11), Tone(659.25, 659.25, 0.11), Tone(783.99, 783.99, 0.26))
    ),
    "lose": Cue("triangle", 0.20, (Tone(392.0, 392.0, 0.16), Tone(311.13, 311.13, 0.30))),
}


def _cue(name: str) -> Cue:
    try:
        return CUES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown sound cue {name!r}; known cues: {', '.join(sorted(CUES))}") from None


def duration(name: str) -> float:
    """The length of cue ``name`` in seconds."""
    return sum(t.seconds for t in _cue(name).tones)


def _tone(tone: Tone, shape: str, rate: int) -> np.ndarray:
    import numpy as np

    n = max(2, round(tone.seconds * rate))
    frac = np.arange(n) / n
    hz = tone.start_hz * (tone.end_hz / tone.start_hz) ** frac
    phase = 2.0 * np.pi * np.cumsum(hz) / rate
    phase -= phase[0]  # every tone starts at phase 0
    wave = np.sin(phase)
    if shape == "triangle":
        wave = (2.0 / np.pi) * np.arcsin(wave)
    # raised-cosine fade in (first sample exactly 0) and fade out (last sample exactly 0)
    attack = max(1, min(round(ATTACK_S * rate), n // 4))
    release = max(1, min(round(RELEASE_FRACTION * n), n - attack))
    env = np.ones(n)
    env[:attack] = 0.5 - 0.5 * np.cos(np.pi * np.arange(attack) / attack)
    env[n - release :] = 0.5 + 0.5 * np.cos(np.pi * np.arange(1, release + 1) / release)
    return wave * env


def waveform(name: str, rate: int) -> np.ndarray:
    """The samples of cue ``name`` at ``rate`` samples per second: float64, mono, in [-1, 1].

    Raises ValueError for an unknown cue or a rate that is not a positive integer.
    """
    import numpy as np

    cue = _cue(name)
    if isinstance(rate, bool) or not isinstance(rate, (int, np.integer)) or rate <= 0:
        raise ValueError(f"rate must be a positive integer (samples per second), not {rate!r}")
    out = np.concatenate([_tone(t, cue.shape, int(rate)) for t in cue.tones])
    return (min(cue.peak, MAX_PEAK) / max(1e-12, float(np.max(np.abs(out))))) * out


def to_mixer_format(samples: np.ndarray, size: int, channels: int) -> np.ndarray:
    """Mono float samples in [-1, 1] as a C-contiguous array for ``pygame.sndarray.make_sound``.

    ``size`` and ``channels`` are as reported by ``pygame.mixer.get_init()``: 8/-8/16/-16 are
    unsigned/signed integers of that many bits; 32 (pygame-ce reports -32) is float32. The mixer
    copies the array's bytes verbatim, so the dtype must match exactly. Mono is duplicated to every
    channel (shape (n,) for one channel, (n, channels) otherwise). Raises ValueError for an
    unsupported format.
    """
    import numpy as np

    x = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    if abs(size) == 32:
        data = x.astype(np.float32)
    elif abs(size) in (8, 16):
        bits = abs(size)
        full = float(2 ** (bits - 1) - 1)
        if size < 0:
            data = np.round(x * full).astype(np.int8 if bits == 8 else np.int16)
        else:
            data = np.round(x * full + 2 ** (bits - 1)).astype(np.uint8 if bits == 8 else np.uint16)
    else:
        raise ValueError(f"unsupported mixer sample size {size}")
    if channels < 1:
        raise ValueError(f"unsupported mixer channel count {channels}")
    if channels > 1:
        data = np.repeat(data[:, None], channels, axis=1)
    return np.ascontiguousarray(data)


class Sounds:
    """The game's sound cues, played through ``pygame.mixer``; silently does nothing without audio."""

    def __init__(self, volume: float = 0.5) -> None:
        self._volume = 0.5
        self.set_volume(volume)
        self._owns_mixer = False
        self._cache: dict[str, pygame.mixer.Sound | None] = {}
        self._cache_format: tuple[int, int, int] | None = None
        self._ok = False
        try:
            if pygame.mixer.get_init() is None:
                pygame.mixer.init()
                self._owns_mixer = True
            self._ok = pygame.mixer.get_init() is not None
        except (pygame.error, OSError, NotImplementedError):  # no audio device / pygame without mixer
            self._ok = False

    @property
    def available(self) -> bool:
        """True when cues can actually be heard (the mixer is initialised)."""
        return self._ok and pygame.mixer.get_init() is not None

    @property
    def volume(self) -> float:
        return self._volume

    def set_volume(self, v: float) -> None:
        """Set the volume, clamped to 0..1 (0 plays nothing at all)."""
        v = float(v)
        self._volume = 0.0 if math.isnan(v) else min(1.0, max(0.0, v))

    def _sound(self, name: str) -> pygame.mixer.Sound | None:
        """The mixer Sound for cue ``name``, built on first use (None if it cannot be built)."""
        fmt = pygame.mixer.get_init()
        if fmt is None:
            return None
        if fmt != self._cache_format:  # the mixer was re-initialised with another format
            self._cache.clear()
            self._cache_format = fmt
        if name not in self._cache:
            frequency, size, channels = fmt
            try:
                from pygame import sndarray

                data = to_mixer_format(waveform(name, frequency), size, channels)
                self._cache[name] = sndarray.make_sound(data)
            except (pygame.error, ValueError):
                self._cache[name] = None
        return self._cache[name]

    def play(self, name: str) -> None:
        """Play cue ``name`` (ValueError if there is no such cue; otherwise never raises)."""
        _cue(name)  # a misspelt cue fails the same way with or without audio
        if self._volume <= 0.0 or not self.available:
            return
        try:
            sound = self._sound(name)
            if sound is not None:
                sound.set_volume(self._volume)
                sound.play()
        except pygame.error:
            pass  # e.g. no free channel: a missed cue is harmless

    def close(self) -> None:
        """Forget the built sounds; quit the mixer only if this object initialised it."""
        self._cache.clear()
        self._cache_format = None
        if self._owns_mixer:
            try:
                pygame.mixer.quit()
            except pygame.error:
                pass
            self._owns_mixer = False
        self._ok = False
