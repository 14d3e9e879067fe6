"""Package data: the song catalog shipped for offline installs (songs-all.json)."""
