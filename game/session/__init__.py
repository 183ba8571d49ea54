"""Play sessions, scoring and replays: plain Python, no window (tests drive it directly)."""
