"""The real game's screen facts that the product reads and the simulator draws: one
definition for both (1280x720 landscape frame; other 16:9 sizes are scaled to it first).

Every fact has its source in ``SOURCES`` (the peer project and file, the real capture in
``docs/real-game.md``, or "assumed: no source"); ``docs/real-game.md`` is generated from it.
Boxes are (x1, y1, x2, y2), x2/y2 exclusive.

- Result screen (state ``award``): a white card on the right. Counts PERFECT..MISS, FAST,
  SLOW and MAX COMBO are four zero-padded digits (light grey leading zeros, dark
  significant ones); the score has no padding. A bar across the top holds the difficulty
  badge, the title and "Lv. NN". The co-op result panel is the same card shifted by
  ``COOP_OFFSET``.
- Ready screen: one button at ``MODE_BUTTON`` cycles 3D -> MV -> OFF; its label right of it
  (``MODE_LABEL_REGION``) is a pink icon for 3D and MV, plain "OFF" text for OFF. The 3D
  cut-in checkbox (``CUT_IN_BUTTON``, state in ``CUT_IN_REGION``, pink = on) exists only
  while the mode is OFF. The song about to be played: its level digits (``READY_LEVEL``)
  and difficulty badge (``READY_BADGE``); the co-op room's level sits at
  ``COOP_READY_LEVEL``.
- Playing: the life bar fills from the left; white judge-line markers at the lanes say
  "playfield visible" whatever the life.
"""

from __future__ import annotations

from shared import playfield

Box = tuple[int, int, int, int]

REF_W, REF_H = 1280, 720

# -- result screen --------------------------------------------------------------------------

JUDGEMENTS = ("perfect", "great", "good", "bad", "miss")
COUNT_FIELDS = (*JUDGEMENTS, "fast", "slow", "max_combo")  # four zero-padded digits each
COUNT_DIGITS = 4
SCORE_DIGITS = 8  # the most the score box is drawn for (no padding)
DIGIT_HEIGHT = 21  # px of a count digit's ink (measured on the real capture)
SCORE_DIGIT_HEIGHT = 25

# The digits' boxes, each a few px larger than the ink and clear of the row's underline.
RESULT_FIELDS: dict[str, Box] = {
    "perfect": (852, 283, 924, 310),
    "great": (852, 322, 924, 349),
    "good": (852, 362, 924, 389),
    "bad": (852, 401, 924, 428),
    "miss": (852, 439, 924, 466),
    "fast": (1098, 285, 1172, 312),
    "slow": (1098, 325, 1172, 352),
    "max_combo": (1030, 391, 1098, 418),
    "score": (1000, 193, 1170, 228),
}
RESULT_LABELS: dict[str, str] = {
    "perfect": "PERFECT",
    "great": "GREAT",
    "good": "GOOD",
    "bad": "BAD",
    "miss": "MISS",
    "fast": "FAST",
    "slow": "SLOW",
    "max_combo": "MAX COMBO",
}
RESULT_LABEL_AT: dict[str, tuple[int, int]] = {  # left end, centre y of each label
    "perfect": (688, 296),
    "great": (688, 336),
    "good": (688, 376),
    "bad": (688, 415),
    "miss": (688, 453),
    "fast": (948, 298),
    "slow": (948, 338),
    "max_combo": (982, 373),
}
RESULT_CARD: Box = (659, 175, 1187, 489)  # white rounded card of the counts and score
MAX_COMBO_BOX: Box = (982, 360, 1127, 422)  # dark header "MAX COMBO" over a white box
COOP_OFFSET = (-18, 29)  # the co-op result panel: every card field shifted by (dx, dy)

# The bar across the top: difficulty badge, title, "Lv. NN".
TOP_BAR: Box = (92, 18, 1070, 63)
DIFFICULTY_BADGE: Box = (144, 28, 238, 53)
TITLE_REGION: Box = (250, 26, 975, 57)
LEVEL_REGION: Box = (985, 28, 1066, 55)  # "Lv." then the digits, right-aligned
# Each badge's colour as OpenCV HSV hue (0..179), measured on the EN badge templates.
DIFFICULTY_HUES: dict[str, int] = {"easy": 113, "normal": 54, "hard": 22, "expert": 0, "special": 163}
DIFFICULTY_BGR: dict[str, tuple[int, int, int]] = {
    "easy": (248, 101, 51),
    "normal": (60, 247, 100),
    "hard": (62, 201, 251),
    "expert": (53, 51, 236),
    "special": (150, 36, 228),
}

# -- ready screen ---------------------------------------------------------------------------

LIVE_MODES = ("3d", "mv", "off")  # the order the mode button cycles through
MODE_BUTTON = (141, 649)
MODE_LABEL_REGION: Box = (170, 605, 250, 690)
MODE_OFF_MAX_PIXELS = 45  # fewer saturated (S >= 90, V >= 130) label pixels than this: OFF
# MV's icon is a filled pink square, 3D's a pink outline lettering: the share of the
# saturated pixels left after a 5x5 erosion tells them apart (MV 0.32, 3D 0.05).
MODE_MV_MIN_SOLID = 0.15
CUT_IN_BUTTON = (500, 650)
CUT_IN_REGION: Box = (480, 630, 520, 670)
CUT_IN_ON_FRACTION = 0.12  # more pink (S >= 80, V >= 130) pixels than this: on
# The song it is about to play (its title crop: ``shared.catalogue.regions``): level number
# and difficulty badge on the solo page; the co-op room shows the level further left and
# no badge.
READY_LEVEL: Box = (247, 582, 292, 614)
READY_BADGE: Box = (112, 560, 212, 597)
COOP_READY_LEVEL: Box = (130, 580, 186, 618)

# -- playing --------------------------------------------------------------------------------

LIFE_BAR: Box = playfield.LIFE_BAR  # one definition: the simulator's HUD draws it there
LIFE_ROWS_SEARCHED = (15, 60)  # the bar's rows are looked for here (y 20-42 on a real capture)
LIFE_HSV_LO = (35, 70, 55)
LIFE_HSV_HI = (95, 255, 255)
JUDGE_MARKER_BAND = (570, 611)  # y range of the white judge-line markers
JUDGE_MARKER_HALF_W = 40  # px each side of a lane centre
JUDGE_MARKER_MIN_LANES = 6  # of 7 lanes showing a marker: the playfield is up

# -- other screens (assumed) ---------------------------------------------------------------

STORY_UNREAD_PIXEL = (1172, 600)
STORY_UNREAD_BGR = (40, 40, 230)
# (x1, y1, x2, y2) of the 2nd and 3rd medley songs' 36x450 title crops; level rows below.
MEDLEY_TITLE_REGIONS: tuple[tuple[int, int, int, int], ...] = ((220, 396, 670, 432), (220, 468, 670, 504))

_CAPTURE = (
    "real capture result-cn-1600x900 (EvATive7/autodori @1ea7cf8 "
    "docs/achievements/SENSENFUKOKU.png), measured"
)
SOURCES: dict[str, str] = {
    "RESULT_FIELDS": "AD src/autodori.py PlayResultRecognition, CO agent/realtime/result_parser.py @2dc41a7; "
    f"boxes tightened on the {_CAPTURE}",
    "JUDGEMENTS": "AD, CO, MM result ROIs (rows PERFECT..MISS)",
    "COUNT_FIELDS": "CO/LN result_parser.py (4 zero-padded digits); " + _CAPTURE,
    "DIGIT_HEIGHT": _CAPTURE,
    "SCORE_DIGIT_HEIGHT": _CAPTURE,
    "RESULT_LABEL_AT": _CAPTURE,
    "RESULT_CARD": _CAPTURE,
    "MAX_COMBO_BOX": "AD MAX COMBO ROI [1009,391,91,28]; " + _CAPTURE,
    "COOP_OFFSET": "LN agent/realtime/result_parser.py @9695f1c COOPERATIVE_PANEL_DX/DY",
    "TOP_BAR": _CAPTURE,
    "DIFFICULTY_BADGE": _CAPTURE + "; BS src/api.py (badge left of the title on one row)",
    "TITLE_REGION": _CAPTURE + "; BS src/api.py (title right of the badge)",
    "LEVEL_REGION": _CAPTURE,
    "DIFFICULTY_HUES": "BS assets/cropped/difficulty_*.jpg, median hue measured",
    "DIFFICULTY_BGR": "BS assets/cropped/difficulty_*.jpg, median colour measured",
    "LIVE_MODES": "AD live.json switch_liveplay_mode, liveplay_3d/mv/off.png; CO live_visual_gate.py",
    "MODE_BUTTON": "AD live.json [125,631,33,35]; CO live_visual_gate.py; MY client/scriptor.py (140,652)",
    "MODE_LABEL_REGION": "CO agent/realtime/live_visual_gate.py @b07a7fd",
    "MODE_OFF_MAX_PIXELS": "CO agent/realtime/live_visual_gate.py @b07a7fd",
    "MODE_MV_MIN_SOLID": "AD assets/resource/image/live/button/liveplay_3d.png, liveplay_mv.png, measured",
    "CUT_IN_BUTTON": "LN agent/realtime/formal_preflight.py @5247801; MY configuration.py (496,640)",
    "CUT_IN_REGION": "LN agent/realtime/formal_preflight.py @5247801",
    "CUT_IN_ON_FRACTION": "LN agent/realtime/formal_preflight.py @5247801",
    "READY_LEVEL": "CO agent/realtime/preparation_identity.py @475490c (247,582,45,32)",
    "READY_BADGE": "CO agent/realtime/preparation_identity.py @475490c (112,560,100,37), badge text",
    "COOP_READY_LEVEL": "CO agent/realtime/preparation_identity.py @475490c (130,580,56,38)",
    "LIFE_BAR": "CO agent/realtime/life_monitor.py @2ba2936",
    "LIFE_ROWS_SEARCHED": "real capture playing-cn-746x420 (cxh42/cxh42.github.io images/bang.png @905fe15): "
    "bar at y 20-42 there, CO's y 32-53",
    "LIFE_HSV_LO": "CO life_monitor.py; MA hp_bar.png (H ~59, S 147-155)",
    "LIFE_HSV_HI": "CO life_monitor.py; MA hp_bar.png",
    "JUDGE_MARKER_BAND": "CO playfield_monitor.py @ba9eccc",
    "JUDGE_MARKER_HALF_W": "CO playfield_monitor.py @ba9eccc",
    "JUDGE_MARKER_MIN_LANES": "CO playfield_monitor.py @ba9eccc",
    "STORY_UNREAD_PIXEL": "assumed: no source",
    "STORY_UNREAD_BGR": "assumed: no source",
    "MEDLEY_TITLE_REGIONS": "assumed: no source",
}


def shifted(box: Box, offset: tuple[int, int]) -> Box:
    dx, dy = offset
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def _near(bgr: tuple[int, int, int], want: tuple[int, int, int], tol: int = 60) -> bool:
    return sum(abs(int(a) - int(b)) for a, b in zip(bgr, want, strict=True)) <= tol


def story_unread(pixel_bgr: tuple[int, int, int]) -> bool:
    return _near(pixel_bgr, STORY_UNREAD_BGR)
