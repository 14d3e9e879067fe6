"""Frames: the 720x1280 BGR picture every model and coordinate assumes, and the checks a
capture must pass before anything treats it as the game's screen."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from shared.device.errors import BadFrame

WIDTH, HEIGHT = 1280, 720
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")
# Brightest pixel below this: the picture is black (a failed capture, a screen turned off).
# Video decoders give limited-range black (~16), so the bound is above that.
BLACK_MAX = 24

Frame = np.ndarray  # HxWx3 uint8, BGR (OpenCV order), 720x1280


def to_screen(image: Frame) -> Frame:
    """Any picture as a 720x1280 BGR frame (the size every model and coordinate assumes)."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.shape[:2] != (HEIGHT, WIDTH):
        # A 1600x900 or 1920x1080 display: area averaging at those fractional factors costs
        # ~50 ms a frame (start sync needs frames in under 100 ms); bilinear costs ~10 ms and
        # reads the same. Whole factors (2560x1440) keep the exact average, which is fast.
        whole = image.shape[1] % WIDTH == 0 and image.shape[0] % HEIGHT == 0
        shrink = image.shape[1] > WIDTH and not whole
        interpolation = cv2.INTER_LINEAR if shrink else cv2.INTER_AREA
        image = cv2.resize(image, (WIDTH, HEIGHT), interpolation=interpolation)
    return np.ascontiguousarray(image, dtype=np.uint8)


def landscape(image: Frame) -> Frame:
    """The game runs landscape; a portrait framebuffer (the display's natural orientation)
    is turned a quarter counter-clockwise, as MuMu's rotated display presents it."""
    if image.shape[0] > image.shape[1]:
        return cv2.rotate(image, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return image


def checked_screen(image: Frame, source: str) -> Frame:
    """``image`` as a landscape 720x1280 BGR frame; ``BadFrame`` when it is black."""
    if image.size == 0:
        raise BadFrame(f"{source}: empty picture")
    if int(image.max()) < BLACK_MAX:
        raise BadFrame(
            f"{source}: the picture is black (capture failed, or the emulator's screen is off); "
            "not passed on as a screen"
        )
    return to_screen(landscape(image))


def decode_image(data: bytes, source: str) -> Frame:
    """PNG/JPEG bytes as a checked frame; ``BadFrame`` names how many bytes were unreadable."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        head = data[:40].decode("utf-8", errors="replace").strip()
        raise BadFrame(
            f"{source}: {len(data)} bytes that are not an image" + (f" ({head!r})" if head else "")
        )
    return checked_screen(image, source)


def image_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def encode_jpeg(frame: Frame, width: int | None = None, quality: int = 80) -> bytes:
    """A frame as JPEG (what the dashboard's live view gets), optionally scaled to ``width``."""
    if width is not None and 0 < width < frame.shape[1]:
        height = max(1, round(frame.shape[0] * width / frame.shape[1]))
        frame = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
    ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise BadFrame("JPEG encoding failed")
    return jpeg.tobytes()
