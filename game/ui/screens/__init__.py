"""The game's screens (scenes): each draws a controller from game/controllers and feeds it input."""
