"""Errors the command line reports as one line (never a traceback)."""


class ReplayArgumentError(ValueError):
    """A command-line argument that cannot be used, said in one line."""
