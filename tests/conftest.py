"""Shared set-up and helpers for the lstm_engine test suite.

BLAS is pinned to one thread before NumPy is first imported, as in every entry point (game/blas.py):
it keeps timings sane on the shared 2-core machine and makes results reproducible; the SDL drivers
keep anything that touches pygame headless.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's game/, even uninstalled
from game.blas import pin_blas  # noqa: E402

pin_blas()
os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import numpy as np  # noqa: E402
import pytest  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: multi-seed reliability runs (seconds each); CI runs them anyway")


# -- helpers (exposed to tests through fixtures) -------------------------------------------------------

def random_state(cell, rng: np.random.Generator, scale: float = 0.6) -> dict:
    """Random NON-ZERO values for every array of ``cell.torch_state()`` (same shapes, cell dtype).

    Magnitudes lie in [0.1, 0.1 + scale] with random signs, so no entry is (near) zero and biases
    genuinely matter (PyTorch's default init would also do, but this makes the intent explicit).
    """
    out = {}
    for name, a in cell.torch_state().items():
        mag = rng.uniform(0.1, 0.1 + scale, a.shape)
        sign = rng.choice([-1.0, 1.0], a.shape)
        out[name] = (mag * sign).astype(cell.dtype)
    return out


def randomize(cell, rng: np.random.Generator, scale: float = 0.6):
    """Load a random non-zero state into ``cell`` and return that state."""
    sd = random_state(cell, rng, scale)
    cell.load_torch_state(sd)
    return sd


def rel_err(a, b) -> float:
    """gradcheck.relative_error on arrays that may be None-free NumPy/torch values."""
    from lstm_engine.gradcheck import relative_error

    return relative_error(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))


def assert_close(actual, expected, tol: float, what: str = "") -> None:
    """Shapes equal and relative_error(actual, expected) <= tol, with a readable message."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    err = rel_err(actual, expected)
    assert err <= tol, f"{what}: relative error {err:.3e} > {tol:.1e}"


class Helpers:
    random_state = staticmethod(random_state)
    randomize = staticmethod(randomize)
    rel_err = staticmethod(rel_err)
    assert_close = staticmethod(assert_close)


@pytest.fixture
def helpers():
    return Helpers


@pytest.fixture
def rng():
    """A fresh, fixed-seed generator per test (tests must not depend on each other's draws)."""
    return np.random.default_rng(20240611)


@pytest.fixture
def float64():
    """The dtype of every exactness / gradient test. Fails loudly if float64 arithmetic is not IEEE."""
    assert np.finfo(np.float64).eps == 2.0 ** -52
    return np.float64
