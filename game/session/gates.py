"""The gate columns of a gating table, shared by the session and the scoring (no import circle)."""

GATES = ("input", "forget", "output")  # the engine's [i | f | o] blocks, in order
# where every slot starts: keep the memory, write nothing, show nothing
KEEP = {"input": 0.0, "forget": 1.0, "output": 0.0}
