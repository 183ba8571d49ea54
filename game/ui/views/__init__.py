"""Parts of the play screen, each drawn from the play controller's snapshot (never changing it)."""
