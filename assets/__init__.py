"""Package data, not code: fonts, licences and trained weights, installed as ``game.data.assets``
(see game/data)."""
