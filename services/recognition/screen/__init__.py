"""Readers of the real game's screens (result, ready, playing): pure functions from a frame
of any 16:9 size to a typed reading, at the places ``shared.screen_facts`` names."""
