"""The simulated game for tests of the whole product: short charts, a data dir set up as a
user's would be, and ``autobang simulator`` as a process on a port of its own.

A stack is costly to start (seconds), a simulator is not: tests of several game flows
start one stack per module, pointed at ``AUTOBANG_DEVICE=adb://127.0.0.1:PORT`` (as a
user with a simulator started by hand), and a simulator per scenario on that port; the
scriptor opens the device afresh for each run, so it sees the new game."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import cv2

from services.launcher import free_port
from services.simulator.demo import add_catalogue_songs
from services.simulator.frames import scenario_catalog
from services.simulator.run import READY_PREFIX
from services.simulator.scenario import Scenario
from services.simulator.titles import title_crop
from services.testing.stack import Stack, start_stack, wait_ready
from shared import keys
from shared.chart import parse_chart_bytes
from shared.data import DATA_DIR as REFERENCE_DATA

ROOT = Path(__file__).resolve().parent.parent.parent

# Short waits on the game's waiting screens: the suite stays fast.
FAST_DELAYS = {
    "app_start": 0.5,
    "loading": 0.3,
    "join_loading": 0.3,
    "join_wait": 0.5,
    "ready_done": 0.3,
    "lead_in": 1.5,
    "after_song": 0.5,
    "award_loading": 0.3,
}


def cut_chart(raw: bytes, seconds: float) -> bytes:
    """The chart's events up to ``seconds`` (slides only when they end by then): the game
    (simulator) and the scriptor read the same short song from the data dir."""
    chart = parse_chart_bytes(raw)
    events: list[dict[str, Any]] = json.loads(raw)

    def keep(e: dict[str, Any]) -> bool:
        beats = [c["beat"] for c in e.get("connections", [])] or [e.get("beat", 0.0)]
        return chart.seconds(max(beats)) <= seconds

    return json.dumps([e for e in events if keep(e)]).encode()


def add_catalog_songs(data: Path, extra: dict[int, tuple[str, dict[int, int]]]) -> None:
    """Songs the shipped catalog lacks, written into the data dir's catalog the way fetch
    keeps Bestdori's ``songs/all.5.json`` (``extra``: id -> (title, difficulty -> level))."""
    add_catalogue_songs(data, extra)


def prepare_data(
    data: Path, charts: Iterable[tuple[int, int]], seconds: float, titles_only: Iterable[int] = ()
) -> None:
    """The data dir as a user's after fetch and add_song: the charts (``(song,
    difficulty)``, cut to ``seconds``) in the chart library and each song's title crop in
    the song gallery's folder; ``titles_only``: songs added to the gallery without a chart
    (recognised, but not playable until fetched)."""
    charts = list(charts)
    (data / "charts").mkdir(parents=True, exist_ok=True)
    titles = data / "song_recognition" / "title_imgs"
    titles.mkdir(parents=True, exist_ok=True)
    catalog = scenario_catalog(Scenario(), data)
    for song, difficulty in charts:
        raw = (REFERENCE_DATA / "charts" / f"{song}_{difficulty}.bestdori").read_bytes()
        (data / "charts" / f"{song}_{difficulty}.bestdori").write_bytes(cut_chart(raw, seconds))
    for song in [*(song for song, _ in charts), *titles_only]:
        crop = titles / f"t-{song}.png"
        if not crop.exists():
            cv2.imwrite(str(crop), title_crop(song, None, catalog))


def task_log(redis_url: str, module: str = "scriptor", last: int = 400) -> list[str]:
    """The module's last log lines, from its event stream (what the dashboard shows)."""
    import redis

    r = redis.Redis.from_url(redis_url, decode_responses=True)
    out = []
    for _, f in reversed(r.xrevrange(keys.events_stream(module), count=5 * last)):
        if f.get("type") == "log":
            d = json.loads(f["data"])
            out.append(f"{float(f['ts']):.2f} {d.get('level', '')} {d.get('message', d)}")
    return out[-last:]


class Simulator:
    """``autobang simulator --scenario ... --port PORT --data-dir DATA`` as a process."""

    def __init__(self, scenario: dict[str, Any], port: int, data: Path) -> None:
        self.data = data
        self.port = port  # its ADB server: adb://127.0.0.1:PORT
        self.path = data.parent / f"scenario-{port}.json"
        self.path.write_text(json.dumps({"seed_data": False, "delays": FAST_DELAYS, **scenario}))
        self.log_path = data.parent / f"simulator-{port}.log"
        log = self.log_path.open("ab")
        self._start = log.tell()  # this run's part of the log (one log for every run)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "simulator", "--scenario", str(self.path),
             "--port", str(port), "--data-dir", str(data)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        log.close()
        try:
            wait_ready(lambda: READY_PREFIX in self.log(), "the simulator", self.proc, self.log)
        except RuntimeError:
            self.stop()
            raise

    def log(self) -> str:
        with self.log_path.open("rb") as f:
            f.seek(self._start)
            return f.read().decode(errors="replace")

    def report(self) -> dict[str, Any]:
        return dict(json.loads((self.data / "simulator" / "report.json").read_text()))

    def stop(self) -> None:
        """SIGTERM: the simulator writes its last report and exits."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_sim_stack(
    root: Path, charts: Iterable[tuple[int, int]], seconds: float, scenario: dict[str, Any]
) -> Stack:
    """The whole product (``autobang up``) over a data dir as fetch leaves it for ``charts``
    cut to ``seconds``, with the simulated game of ``scenario`` as its device."""
    data = root / "data"
    prepare_data(data, charts, seconds)
    path = root / "scenario.json"
    path.write_text(json.dumps(scenario))
    return start_stack(data, free_port(), env={"AUTOBANG_DEVICE": f"sim:{path}"}, test_bodies=False)
