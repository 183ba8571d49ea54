"""Gatekeeper: start the game, or use the command-line tools (python main.py --help)."""

import sys

from game.blas import pin_blas

pin_blas()  # one BLAS thread, set before anything loads NumPy (docs/engine.md)

from game.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
