"""The ranges the lab accepts: here, apart from runs.py, so `--help` states them without loading NumPy."""

CELLS = ("rnn", "gru", "lstm")
TASKS = ("adding", "carry")
DEFAULT_GAPS = (5, 10, 20, 50, 100)
DEFAULT_DISTANCE = 100
GAP_RANGE = (2, 300)       # a lag (sequence length)
DISTANCE_RANGE = (2, 300)  # the longest distance a gradient is measured over (it trains at that lag)
SEED_RANGE = (0, 10_000)
SEEDS_RANGE = (1, 20)      # how many seeds `lab run --seeds N` runs (0..N-1)
MAX_GAPS = 12
