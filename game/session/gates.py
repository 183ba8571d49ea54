"""The gate columns of a gating table, shared by the session and the scoring (no import circle).

GATES and KEEP are an LSTM level's; game/levels/cells.py has every cell's (a GRU's update, reset)."""

from ..levels import cells

GATES = cells.COLUMNS["lstm"]  # the engine's [i | f | o] blocks, in order
# where every slot starts: keep the memory, write nothing, show nothing (GRU: update 1, reset 1)
KEEP = cells.KEEP
