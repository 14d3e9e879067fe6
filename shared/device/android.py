"""Android shell commands the device layer sends, and the parsing of their answers (pure)."""

from __future__ import annotations

import re

KEYCODE_BACK = 4
LAUNCHER = "android.intent.category.LAUNCHER"
FOCUS_COMMAND = "dumpsys window | grep -E 'mCurrentFocus|mFocusedApp'"
# "mCurrentFocus=Window{3b1 u0 com.bilibili.star.bili/com.unity3d.player.UnityPlayerActivity}"
# "mFocusedApp=ActivityRecord{5e2 u0 com.android.launcher3/.Launcher t12}"
_FOCUS = re.compile(r"(?:mCurrentFocus|mFocusedApp)=\S*\{[^}]*?\s(?:u\d+\s)?([A-Za-z][\w.]*)/")


def tap_command(x: int, y: int) -> str:
    return f"input tap {int(x)} {int(y)}"


def swipe_command(x1: int, y1: int, x2: int, y2: int, duration_ms: int) -> str:
    return f"input swipe {int(x1)} {int(y1)} {int(x2)} {int(y2)} {max(1, int(duration_ms))}"


def back_command() -> str:
    return f"input keyevent {KEYCODE_BACK}"


def start_command(package: str) -> str:
    return f"monkey -p {package} -c {LAUNCHER} 1"


def stop_command(package: str) -> str:
    return f"am force-stop {package}"


def parse_foreground(dumpsys: str) -> str:
    """The focused window's package ("" when none is named: a dialog of the system, a
    screen turning on). ``mCurrentFocus`` wins over ``mFocusedApp``."""
    found = {m.group(0).split("=", 1)[0]: m.group(1) for m in _FOCUS.finditer(dumpsys)}
    return found.get("mCurrentFocus") or found.get("mFocusedApp") or ""


def start_failed(output: str) -> bool:
    """monkey's answer when the package has no launcher activity (not installed)."""
    return "No activities found" in output or "monkey aborted" in output
