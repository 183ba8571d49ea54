"""Gatekeeper: start the game, or use the command-line tools (python main.py --help)."""

import sys

from game.blas import pin_blas

pin_blas()  # one BLAS thread, set before anything loads NumPy (docs/engine.md)

from game.cli import main  # noqa: E402

# What the game installs (pyproject.toml); run without them (a Python outside the venv) it says so in a line.
DEPENDENCIES = {"numpy", "pygame", "pygame_gui", "yaml", "pydantic", "pydantic_core", "platformdirs",
                "threadpoolctl", "starlette", "uvicorn", "httpx", "zeroconf"}

if __name__ == "__main__":
    # The class server verifies uploads in spawned worker processes; in the desktop bundle a spawned
    # worker starts this executable, which must then run the worker, not the game (no-op otherwise).
    import multiprocessing

    multiprocessing.freeze_support()
    try:
        code = main()
    except ModuleNotFoundError as e:
        if (e.name or "").split(".")[0] not in DEPENDENCIES:
            raise
        print(f"error: {e} - this Python does not have the game's packages. Set up once with "
              f"`python3 -m venv .venv && .venv/bin/pip install -e .`, then run `.venv/bin/python main.py`",
              file=sys.stderr)
        code = 2
    sys.exit(code)
