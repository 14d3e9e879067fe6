"""``autobang play`` as users run it: a subprocess against the fake injector."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from services.scriptor.play import compile_chart
from services.scriptor.play.command import PERFORMANCES, ROTATION_CHOICES
from services.testing.charts import CHARTS
from services.testing.fake_touch import FakeTouchServer
from shared.chart import parse_chart
from shared.config.scriptor import Performance
from shared.device.touch import ROTATIONS

ROOT = Path(__file__).resolve().parents[2]


def autobang(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "play", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def start_beat(event: dict[str, Any]) -> float:
    return float(event["beat"] if "beat" in event else event["connections"][0]["beat"])


def short_chart(tmp_path: Path) -> tuple[Path, list[Any]]:
    """316_3's BPM and its notes of the first 8 beats (24 taps, 0.29 s apart) as a file."""
    events = json.loads((CHARTS / "316_3.bestdori").read_text())
    first = min(start_beat(e) for e in events if e["type"] != "BPM")
    kept = [e for e in events if e["type"] == "BPM" or first <= start_beat(e) <= first + 8]
    path = tmp_path / "short.bestdori"
    path.write_text(json.dumps(kept))
    return path, kept


@pytest.mark.real_clock
@pytest.mark.parametrize("kind", ["minitouch", "bangcheater"])
def test_play_judges_each_note_at_start_plus_its_chart_time(tmp_path: Path, kind: str) -> None:
    path, events = short_chart(tmp_path)
    c = parse_chart(events)
    plan = compile_chart(c)
    with FakeTouchServer(kind, max_x=32767, max_y=32767) as server:  # type: ignore[arg-type]
        start_at = time.time() + 5.0 - c.first_note_s  # the first note in 5 s (process start-up)
        offset = time.time() - time.monotonic()  # the same clocks as the subprocess's
        done = autobang(str(path), "--touch", server.url, "--start-at", repr(start_at))
        s = server.wait_closed()
    assert done.returncode == 0, done.stderr
    n = len(plan.frames)
    assert f"sent {n}/{n} frames ({c.note_count} notes)" in done.stdout and "lateness p50" in done.stdout
    assert s.violations == [] and s.left_down == []
    touches = [c for c in s.commits if c.ops]
    assert len(touches) == n
    running = touches[0].at_ns / 1e9 + offset  # the sender's first commit (start-up may be late)
    for commit, frame in zip(touches, plan.frames, strict=True):
        due = start_at + frame.t_us / 1e6  # wall clock
        arrived = commit.at_ns / 1e9 + offset
        assert arrived >= due - 0.001  # never before its instant
        if due > running + 0.1:  # once running, on time (a loose bound: this box is shared)
            assert arrived < due + 0.25
    first = touches[0].ops[0]
    assert plan.frames[0].ops[0].x == 194  # lane 0
    if kind == "minitouch":
        assert first == ("d", 0, round(194 / 1280 * 32767), round(590 / 720 * 32767))  # scaled
    else:
        assert first == ("d", 0, 194, 590)


def test_the_parser_names_match_the_engine() -> None:
    assert tuple(m.value for m in Performance) == PERFORMANCES
    assert ROTATION_CHOICES == ROTATIONS


def test_play_errors_are_one_line_and_non_zero(tmp_path: Path) -> None:
    missing = autobang(
        str(tmp_path / "nope.bestdori"), "--touch", "minitouch://127.0.0.1:9", "--start-at", "0"
    )
    assert missing.returncode != 0 and "does not exist" in missing.stderr
    bad = tmp_path / "bad.bestdori"
    bad.write_text('{"not": "a chart"')
    malformed = autobang(str(bad), "--touch", "minitouch://127.0.0.1:9", "--start-at", "0")
    assert malformed.returncode != 0 and "is not a playable chart" in malformed.stderr
    path, _ = short_chart(tmp_path)
    url_bad = autobang(str(path), "--touch", "http://x:1", "--start-at", "0")
    assert url_bad.returncode != 0 and "scheme must be one of" in url_bad.stderr
    unreachable = autobang(str(path), "--touch", "minitouch://127.0.0.1:1", "--start-at", str(time.time()))
    assert (
        unreachable.returncode != 0 and "no touch injector at minitouch://127.0.0.1:1" in unreachable.stderr
    )
    with FakeTouchServer(header=b"SSH-2.0-OpenSSH\r\n") as server:
        header = autobang(str(path), "--touch", server.url, "--start-at", str(time.time()))
    assert header.returncode != 0 and "bad header" in header.stderr
    for run in (missing, malformed, url_bad, unreachable, header):
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
