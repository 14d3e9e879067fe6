"""Where the song's title and level sit (song select, ready): the title crop the song
recogniser reads and the simulator draws (36x450 grey), and the level row below it."""

from __future__ import annotations

SCREEN_SIZE = (720, 1280)  # (h, w) of the frame every coordinate here is in
TITLE_H, TITLE_W = 36, 450  # a title crop
# Title crops (x1, y1, x2, y2): song select with a fixed difficulty (and the solo ready
# page), the multiplayer ready room.
TITLE_REGIONS: tuple[tuple[int, int, int, int], ...] = ((220, 540, 670, 576), (116, 540, 566, 576))
LEVEL_OFFSET_Y = 36  # the level number sits in the row below the title
