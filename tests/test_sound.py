"""The generated sound cues (pure numpy, no audio needed) and the Sounds player (dummy audio driver)."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import ast  # noqa: E402
import importlib  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402

from game.ui import sound  # noqa: E402

NAMES = ["step", "write", "forget", "win", "lose"]
RATES = [22050, 44100]


def pitch_hz(x: np.ndarray, rate: int) -> float:
    """A rough pitch: sign changes per second / 2 (exact for a pure tone, fine for a triangle too)."""
    crossings = np.count_nonzero(np.signbit(x[1:]) != np.signbit(x[:-1]))
    return crossings / 2 / (len(x) / rate)


def thirds_pitch(name: str, rate: int = 44100) -> tuple[float, float]:
    x = sound.waveform(name, rate)
    k = len(x) // 3
    return pitch_hz(x[:k], rate), pitch_hz(x[-k:], rate)


# -- waveform: the pure part ----------------------------------------------------------------------------


def test_the_table_holds_exactly_the_documented_cues():
    assert sorted(sound.CUES) == sorted(NAMES)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("name", NAMES)
def test_every_cue_is_short_quiet_finite_and_click_free(name, rate):
    x = sound.waveform(name, rate)
    assert isinstance(x, np.ndarray) and x.dtype == np.float64 and x.ndim == 1
    assert len(x) > 0 and np.all(np.isfinite(x))
    assert len(x) / rate <= 0.6
    assert np.max(np.abs(x)) <= 0.3
    assert np.max(np.abs(x)) >= 0.05  # quiet, but not silent
    assert abs(x[0]) < 0.01 and abs(x[-1]) < 0.01
    # no clicks anywhere (also at the joins between notes): no step larger than the steepest
    # pure tone in the cue could make at this peak
    top_hz = max(max(t.start_hz, t.end_hz) for t in sound.CUES[name].tones)
    assert np.max(np.abs(np.diff(x))) <= 1.1 * 2 * math.pi * top_hz * np.max(np.abs(x)) / rate


@pytest.mark.parametrize("name", NAMES)
def test_the_sample_rate_is_honoured(name):
    seconds = sound.duration(name)
    assert 0 < seconds <= 0.6
    lengths = []
    for rate in RATES:
        n = len(sound.waveform(name, rate))
        assert abs(n - seconds * rate) <= len(sound.CUES[name].tones)  # rounding, one sample per note
        lengths.append(n)
    assert abs(lengths[1] - 2 * lengths[0]) <= 2 * len(sound.CUES[name].tones)


def test_waveform_is_deterministic():
    for name in NAMES:
        assert np.array_equal(sound.waveform(name, 22050), sound.waveform(name, 22050))


def test_write_rises_and_forget_falls():
    start, end = thirds_pitch("write")
    assert end > 1.15 * start
    start, end = thirds_pitch("forget")
    assert end < start / 1.15


def test_win_ends_higher_and_lose_ends_lower():
    start, end = thirds_pitch("win")
    assert end > 1.2 * start
    start, end = thirds_pitch("lose")
    assert end < start / 1.1


def test_pitch_measure_is_sound():
    rate = 44100
    t = np.arange(rate // 10) / rate
    assert pitch_hz(np.sin(2 * np.pi * 440 * t + 0.1), rate) == pytest.approx(440, rel=0.03)


def test_an_unknown_cue_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="kaboom") as info:
        sound.waveform("kaboom", 22050)
    assert "win" in str(info.value)  # lists the known cues
    with pytest.raises(ValueError, match="kaboom"):
        sound.duration("kaboom")


@pytest.mark.parametrize("rate", [0, -22050, 22050.5, True])
def test_a_bad_rate_is_a_value_error(rate):
    with pytest.raises(ValueError):
        sound.waveform("step", rate)


# -- conversion to the mixer's sample format ------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "dtype", "zero", "full"),
    [
        (-16, np.int16, 0, 32767),
        (16, np.uint16, 32768, 65535),
        (-8, np.int8, 0, 127),
        (8, np.uint8, 128, 255),
        (32, np.float32, 0.0, 1.0),
        (-32, np.float32, 0.0, 1.0),  # what pygame-ce's get_init() reports for a float32 mixer
    ],
)
@pytest.mark.parametrize("channels", [1, 2, 6])
def test_to_mixer_format(size, dtype, zero, full, channels):
    mono = np.array([0.0, 1.0, -1.0, 0.5, 2.0])
    out = sound.to_mixer_format(mono, size, channels)
    assert out.dtype == dtype and out.flags.c_contiguous
    assert out.shape == ((5,) if channels == 1 else (5, channels))
    cols = out.reshape(5, -1).astype(np.float64)
    assert np.all(cols == cols[:, :1])  # mono copied to every channel
    assert cols[0, 0] == zero and cols[1, 0] == full and cols[4, 0] == full  # clipped to full scale
    assert cols[2, 0] < zero < cols[3, 0] < full


def test_to_mixer_format_rejects_unknown_formats():
    with pytest.raises(ValueError):
        sound.to_mixer_format(np.zeros(3), 24, 2)
    with pytest.raises(ValueError):
        sound.to_mixer_format(np.zeros(3), -16, 0)


# -- the module itself ----------------------------------------------------------------------------------


def test_the_module_imports_only_stdlib_numpy_and_pygame():
    tree = ast.parse(open(sound.__file__, encoding="utf-8").read())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            roots.add(node.module.split(".")[0])
    assert roots - set(sys.stdlib_module_names) <= {"numpy", "pygame"}


def test_importing_the_module_initialises_nothing():
    pygame.mixer.quit()
    importlib.reload(sound)
    assert pygame.mixer.get_init() is None


# -- the Sounds player ----------------------------------------------------------------------------------


@pytest.fixture
def no_mixer():
    pygame.mixer.quit()
    yield
    pygame.mixer.quit()


@pytest.fixture
def sounds(no_mixer):
    s = sound.Sounds(volume=0.5)
    if not s.available:
        pytest.skip("the mixer does not initialise here, even with the dummy audio driver")
    yield s
    s.close()


@pytest.mark.parametrize("error", [pygame.error("no audio device"), OSError("no audio device")])
def test_without_audio_everything_is_a_quiet_no_op(no_mixer, monkeypatch, error):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(pygame.mixer, "init", fail)
    s = sound.Sounds()
    assert s.available is False
    for name in NAMES:
        s.play(name)
    s.set_volume(1.0)
    s.play("win")
    s.close()
    assert s.available is False


def test_play_rejects_a_misspelt_cue_even_without_audio(no_mixer, monkeypatch):
    monkeypatch.setattr(pygame.mixer, "init", lambda *a, **k: (_ for _ in ()).throw(pygame.error("none")))
    s = sound.Sounds()
    with pytest.raises(ValueError, match="wni"):
        s.play("wni")


def test_every_cue_plays_through_the_dummy_driver(sounds):
    frequency, _, _ = pygame.mixer.get_init()
    for name in NAMES:
        sounds.play(name)
    for name in NAMES:
        built = sounds._cache[name]
        assert built is not None
        assert built.get_length() == pytest.approx(sound.duration(name), abs=0.01)
        assert built.get_volume() == pytest.approx(0.5, abs=0.01)
    assert len(sound.waveform("win", frequency)) > 0


def test_sounds_are_built_once(sounds, monkeypatch):
    made = []
    real = pygame.sndarray.make_sound
    monkeypatch.setattr(pygame.sndarray, "make_sound", lambda a: made.append(a) or real(a))
    for _ in range(3):
        sounds.play("step")
    assert len(made) == 1


@pytest.mark.parametrize(("size", "channels"), [(-16, 2), (32, 2), (8, 1), (16, 1)])
def test_samples_reach_the_mixer_in_its_own_format(no_mixer, size, channels):
    try:
        pygame.mixer.init(frequency=22050, size=size, channels=channels)
    except pygame.error:
        pytest.skip(f"the dummy driver refuses size={size} channels={channels}")
    s = sound.Sounds()
    s.play("write")
    got = pygame.sndarray.array(s._cache["write"]).astype(np.float64)
    frequency, actual_size, actual_channels = pygame.mixer.get_init()
    want = sound.to_mixer_format(sound.waveform("write", frequency), actual_size, actual_channels)
    assert got.shape == want.shape
    assert np.allclose(got, want.astype(np.float64), atol=1)  # exact bytes, not a reinterpretation
    s.close()
    assert pygame.mixer.get_init() is not None  # it was not this object's mixer to quit


def test_set_volume_clamps(sounds):
    sounds.set_volume(5)
    assert sounds.volume == 1.0
    sounds.set_volume(-1)
    assert sounds.volume == 0.0
    sounds.set_volume(0.25)
    assert sounds.volume == 0.25
    sounds.set_volume(float("nan"))
    assert sounds.volume == 0.0
    assert sound.Sounds(volume=7).volume == 1.0


def test_volume_zero_builds_and_plays_nothing(sounds, monkeypatch):
    made, asked = [], []
    monkeypatch.setattr(pygame.sndarray, "make_sound", lambda a: made.append(a))
    monkeypatch.setattr(sounds, "_sound", lambda name: asked.append(name))
    sounds.set_volume(0)
    for name in NAMES:
        sounds.play(name)
    assert made == [] and asked == []


def test_a_mixer_error_while_playing_is_ignored(sounds, monkeypatch):
    class Busy:
        def set_volume(self, v):
            pass

        def play(self):
            raise pygame.error("no free channel")

    monkeypatch.setattr(sounds, "_sound", lambda name: Busy())
    sounds.play("win")  # does not raise


def test_close_quits_the_mixer_only_if_it_started_it(no_mixer):
    s = sound.Sounds()
    if not s.available:
        pytest.skip("the mixer does not initialise here")
    s.close()
    assert pygame.mixer.get_init() is None
    assert s.available is False
    s.play("win")  # a closed player is a no-op

    pygame.mixer.init()
    other = sound.Sounds()
    assert other.available
    other.close()
    assert pygame.mixer.get_init() is not None
