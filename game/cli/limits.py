"""The ranges of `engine demo`'s numbers: here, not in engine_cmd, so `--help` can print them without
loading the engine (NumPy)."""

DEMO_LIMITS = {"hidden": (1, 512), "seed": (0, 2 ** 32 - 1), "lengths": (1, 1000), "max_steps": (1, 100_000),
               "restarts": (0, 20)}
MAX_LENGTHS = 8  # stages of the curriculum
