"""Package data, not code: the shipped level packs, installed as ``game.data.levels`` (see game/data)."""
