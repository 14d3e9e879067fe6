"""Facts about the playfield that the simulator draws, the play engine's start sync reads
and the workflow's note tracer measures (docs/domain.md section 8). One definition, so the
three cannot drift apart. Coordinates are in the 1280x720 landscape frame; colours are
OpenCV HSV (H 0..179, S and V 0..255)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WIDTH, HEIGHT = 1280, 720

# Lane centres on the judge line, lanes 0..6 left to right.
LANE_X: tuple[int, ...] = (194, 342, 491, 640, 788, 937, 1085)
JUDGE_Y = 590  # the judge line
TOP_Y = 180  # where notes appear (depth 0)
TRACK: tuple[int, int, int, int] = (120, 180, 1160, 590)  # x1, y1, x2, y2 of the note track

# The lanes converge toward this point (CO note_detector.py / touch_planner/geometry.py):
# a lane at x on the judge line is at 640 + (x - 640) * (y - 20) / 570 at height y.
VANISH: tuple[int, int] = (640, 20)

# The HUD. The life bar fills from the left in the health colour (CO life_monitor.py);
# the first version's "play has started" pixel lies in it, so it is in HEALTH_RANGE while
# life >= (1080 - 970) / 212 ~ 52 %.
LIFE_BAR: tuple[int, int, int, int] = (970, 32, 1182, 53)
LIFE_ICON: tuple[int, int, int, int] = (936, 29, 970, 58)  # the heart left of the bar
PAUSE_BUTTON: tuple[int, int, int, int] = (1220, 4, 1276, 60)  # top right (MA, MY (1248,32))
SCORE_BOX: tuple[int, int, int, int] = (20, 14, 420, 70)  # the score, top left
HEALTH_PIXEL: tuple[int, int] = (1080, 42)


@dataclass(frozen=True)
class HsvRange:
    lo: tuple[int, int, int]
    hi: tuple[int, int, int]

    def contains(self, hsv: tuple[int, int, int]) -> bool:
        return all(a <= v <= b for a, v, b in zip(self.lo, hsv, self.hi, strict=True))

    @property
    def centre(self) -> tuple[int, int, int]:
        h, s, v = (round((a + b) / 2) for a, b in zip(self.lo, self.hi, strict=True))
        return (h, s, v)


HEALTH_RANGE = HsvRange((53, 150, 150), (65, 160, 255))

# Note colours by kind. "directional" has two ranges (purple and orange arrows).
NOTE_COLOURS: dict[str, tuple[HsvRange, ...]] = {
    "tap": (HsvRange((125, 70, 230), (140, 200, 255)),),
    "long": (HsvRange((70, 90, 220), (85, 180, 255)),),
    "flick": (HsvRange((150, 80, 230), (170, 200, 255)),),
    "skill": (HsvRange((20, 120, 230), (30, 255, 255)),),
    "directional": (
        HsvRange((100, 150, 250), (110, 255, 255)),
        HsvRange((0, 85, 240), (10, 200, 255)),
    ),
}

MAX_CONTACTS = 10


def lane_x(lane: float) -> float:
    """x of a (possibly fractional, -0.5..6.5) lane on the judge line, interpolated
    between the lane centres and extrapolated at the edges, never truncated."""
    step = (LANE_X[-1] - LANE_X[0]) / (len(LANE_X) - 1)
    i = min(max(math.floor(lane), 0), len(LANE_X) - 2)
    return LANE_X[i] + (lane - i) * (LANE_X[i + 1] - LANE_X[i]) if 0 <= lane <= 6 else LANE_X[0] + lane * step


def perspective(y: float) -> float:
    """How much narrower the field is at height ``y`` than on the judge line (1 there,
    0 at the vanishing point)."""
    return (y - VANISH[1]) / (JUDGE_Y - VANISH[1])


def x_at(x_judge: float, y: float) -> float:
    """Where a point at ``x_judge`` on the judge line is at height ``y`` (along its lane)."""
    return VANISH[0] + (x_judge - VANISH[0]) * perspective(y)


def lane_x_at(lane: float, y: float) -> float:
    """x of a (possibly fractional) lane at height ``y``."""
    return x_at(lane_x(lane), y)


def judge_x(x: float, y: float) -> float:
    """The inverse of ``x_at``: where a point seen at (x, y) meets the judge line."""
    return VANISH[0] + (x - VANISH[0]) / perspective(y)


def depth(y: float) -> float:
    """A note's depth from its y: 0 at the top line, 1 at the judge line."""
    return (y - TOP_Y) / (JUDGE_Y - TOP_Y)


def y_of_depth(t: float) -> float:
    return TOP_Y + t * (JUDGE_Y - TOP_Y)


# -- the first-note timing curve -----------------------------------------------------------

COEFFICIENTS_FILE = Path(__file__).resolve().parent / "data" / "first-note-coefficients.json"
Coefficients = tuple[float, float, float, float, float]


@lru_cache(maxsize=4)
def shipped_coefficients(version: str = "v1") -> Coefficients:
    """The shipped first-note curve (``shared/data/first-note-coefficients.json``)."""
    raw = json.loads(COEFFICIENTS_FILE.read_text())
    c = [float(v) for v in raw[version]]
    if len(c) != 5:
        raise ValueError(f"{COEFFICIENTS_FILE.name} {version}: expected 5 coefficients, got {len(c)}")
    return (c[0], c[1], c[2], c[3], c[4])


def time_to_judge(t: float, c: Coefficients) -> float:
    """Seconds until a note at depth ``t`` reaches the judge line:
    ``c0 - c1/(t+c2) + c3*sqrt(t+c4)``."""
    return c[0] - c[1] / (t + c[2]) + c[3] * math.sqrt(max(t + c[4], 0.0))


def depth_at(seconds_to_judge: float, c: Coefficients, *, tol: float = 1e-6) -> float:
    """The depth a note has ``seconds_to_judge`` before it is judged (inverse of
    ``time_to_judge`` by bisection; the curve falls monotonically over depth 0..1)."""
    lo, hi = -0.5, 1.5
    for _ in range(80):
        mid = (lo + hi) / 2
        if time_to_judge(mid, c) > seconds_to_judge:
            lo = mid
        else:
            hi = mid
        if hi - lo < tol:
            break
    return (lo + hi) / 2


# Refitted curves (the workflow's TraceNote / TraceFirstNote) are saved here, one file per
# version (``v3.json``, ``v4.json``...: {"version", "coefficients", ...}); older ones are
# kept. The newest wins over the shipped curve.
SAVED_COEFFICIENTS_DIR = "workflow/coefficients"


def _version_number(name: str) -> int:
    stem = name.removesuffix(".json")
    return int(stem[1:]) if stem.startswith("v") and stem[1:].isdigit() else -1


def saved_coefficient_files(data_dir: Path) -> list[Path]:
    """The data dir's saved curves, oldest first (files not named ``v<N>.json`` ignored)."""
    folder = Path(data_dir) / SAVED_COEFFICIENTS_DIR
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and _version_number(p.name) >= 0]
    return sorted(files, key=lambda p: _version_number(p.name))


def next_coefficient_version(data_dir: Path) -> str:
    """The name of the next saved version: after the newest saved and every shipped one."""
    shipped = [_version_number(k) for k in json.loads(COEFFICIENTS_FILE.read_text())]
    saved = [_version_number(p.name) for p in saved_coefficient_files(data_dir)]
    return f"v{max([*shipped, *saved]) + 1}"


def current_coefficients(data_dir: Path | None = None) -> Coefficients:
    """The curve the play engine uses: the data dir's newest saved version (default: the
    settings' data dir), else the shipped "v1". A saved file that does not hold five numbers
    raises ``ValueError`` naming it, rather than silently timing play with another curve."""
    if data_dir is None:
        from shared.settings import get_settings

        data_dir = get_settings().data_dir
    files = saved_coefficient_files(data_dir)
    if not files:
        return shipped_coefficients()
    newest = files[-1]
    try:
        c = [float(v) for v in json.loads(newest.read_text())["coefficients"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{newest}: not a saved curve ({exc})") from exc
    if len(c) != 5 or not all(math.isfinite(v) for v in c):
        raise ValueError(f"{newest}: expected 5 finite coefficients, got {c}")
    return (c[0], c[1], c[2], c[3], c[4])
