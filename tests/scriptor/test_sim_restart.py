"""The emulator killed (kill -9) mid-song or on song select and back on the same port a
moment later, or frozen (SIGSTOP) mid-song, through the real stack: the scriptor must not
freeze on the last frame of the dead emulator (the capture raises, the loop retries the
device), the run goes on with the restarted game (its next play recognised, played and
recorded as the new emulator judged it), and a frozen game is said in the history row."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from services.testing.free_play import SCENARIO, SONG
from services.testing.simgame import start_sim_stack
from services.testing.stack import Stack, start, wait_state
from shared import keys
from shared.runtime.connection import connect

pytestmark = pytest.mark.stack

CUT_S = 12.0  # long enough for the kill to land mid-song


@pytest.fixture(scope="module")
def sim_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("scriptor-restart")
    stack = start_sim_stack(root, [(SONG, 3)], CUT_S, SCENARIO)
    yield stack
    stack.stop()


def logs(stack: Stack) -> list[str]:
    r = connect(stack.redis_url)
    return [
        str(json.loads(f["data"]).get("message", ""))
        for _, f in r.xrange(keys.events_stream("scriptor"))
        if f["type"] == "log"
    ]


def report(stack: Stack) -> dict[str, Any]:
    return dict(json.loads((stack.data_dir / "simulator" / "report.json").read_text()))


def simulator_pid(stack: Stack) -> int:
    return int(stack.info()["children"]["simulator"])


def test_emulator_killed_mid_song_is_noticed_and_the_run_goes_on(sim_stack: Stack) -> None:
    url = sim_stack.url
    start(url, "scriptor", "start_scriptor", {"mode": "Free", "level": "Expert", "correction_time": 0})
    wait_state(url, "scriptor", lambda s: s.get("fields", {}).get("screen") == "playing", 240, sim_stack.log)
    time.sleep(2.0)  # mid-song
    old = simulator_pid(sim_stack)
    os.kill(old, signal.SIGKILL)
    killed_at = time.monotonic()

    # The launcher brings the emulator back on the same port; the run goes on and records
    # a play of the restarted game.
    deadline = time.monotonic() + 300
    while True:
        state = httpx.get(f"{url}/api/scriptor/state", timeout=10).json()
        assert state["status"] not in ("failed", "finished"), (state, logs(sim_stack)[-40:])
        rows = httpx.get(f"{url}/api/scriptor/history", timeout=10).json()
        if simulator_pid(sim_stack) != old and any(r["cleared"] for r in rows) and report(sim_stack)["plays"]:
            break
        assert time.monotonic() < deadline, (state, logs(sim_stack)[-40:], sim_stack.log()[-3000:])
        time.sleep(1.0)
    recovered_s = time.monotonic() - killed_at
    httpx.post(f"{url}/api/scriptor/stop", timeout=10)
    done = wait_state(url, "scriptor", lambda s: s["status"] not in ("running", "stopping"), 60)
    assert done["status"] == "stopped", done

    text = "\n".join(logs(sim_stack))
    # The capture said the device went away (no stale frame): retried, then answered again.
    assert "device:" in text and "retrying in" in text, text[-3000:]
    assert "device answers again after" in text, text[-3000:]
    assert "seen 100 times" not in text and "in a row" not in text, text[-3000:]
    # The play of the restarted game is in the history as the new emulator judged it.
    judged = report(sim_stack)["plays"][0]
    row = [r for r in rows if r["cleared"]][-1]
    # The killed song is recorded for what it was: lost, never cleared.
    lost = [r for r in rows if "lost:" in r["note"]]
    assert lost and not lost[0]["cleared"] and lost[0]["song_id"] == SONG, rows
    assert row["song_id"] == SONG == judged["song"] and row["cleared"], (row, judged)
    for k in ("perfect", "great", "good", "bad", "miss"):
        assert row["counts"][k] == judged["counts"][k], (row, judged)
    assert judged["touches"] > 0, (judged, "\n".join(logs(sim_stack)))
    print(f"recovered (a play recorded after the restart) {recovered_s:.1f} s after the kill")


def test_emulator_frozen_mid_song_is_said_in_the_history_row(sim_stack: Stack) -> None:
    url = sim_stack.url
    before = len(httpx.get(f"{url}/api/scriptor/history", timeout=10).json())
    start(url, "scriptor", "start_scriptor", {"mode": "Free", "level": "Expert", "correction_time": 0})
    wait_state(url, "scriptor", lambda s: s.get("fields", {}).get("screen") == "playing", 240, sim_stack.log)
    time.sleep(3.0)  # notes are coming
    pid = simulator_pid(sim_stack)
    os.kill(pid, signal.SIGSTOP)  # the emulator hangs (a suspended VM), then goes on
    try:
        time.sleep(5.0)
    finally:
        os.kill(pid, signal.SIGCONT)
    deadline = time.monotonic() + 240
    while len(rows := httpx.get(f"{url}/api/scriptor/history", timeout=10).json()) <= before:
        state = httpx.get(f"{url}/api/scriptor/state", timeout=10).json()
        assert state["status"] not in ("failed", "finished"), (state, logs(sim_stack)[-40:])
        assert time.monotonic() < deadline, (state, logs(sim_stack)[-40:])
        time.sleep(1.0)
    httpx.post(f"{url}/api/scriptor/stop", timeout=10)
    wait_state(url, "scriptor", lambda s: s["status"] not in ("running", "stopping"), 60)
    row = rows[before]
    assert "the game froze during the song" in row["note"], (row, logs(sim_stack)[-40:])
    assert any("the game froze during the song" in line for line in logs(sim_stack))


def test_emulator_killed_mid_menu_the_run_goes_on(sim_stack: Stack) -> None:
    url = sim_stack.url
    before = len(httpx.get(f"{url}/api/scriptor/history", timeout=10).json())
    start(url, "scriptor", "start_scriptor", {"mode": "Free", "level": "Expert", "correction_time": 0})
    wait_state(url, "scriptor", lambda s: s.get("fields", {}).get("screen") == "choose", 240, sim_stack.log)
    old = simulator_pid(sim_stack)
    os.kill(old, signal.SIGKILL)  # on song select: the restarted game begins at its start
    deadline = time.monotonic() + 300
    while True:
        state = httpx.get(f"{url}/api/scriptor/state", timeout=10).json()
        assert state["status"] not in ("failed", "finished"), (state, logs(sim_stack)[-40:])
        rows = httpx.get(f"{url}/api/scriptor/history", timeout=10).json()
        if simulator_pid(sim_stack) != old and len(rows) > before:
            break
        assert time.monotonic() < deadline, (state, logs(sim_stack)[-40:], sim_stack.log()[-3000:])
        time.sleep(1.0)
    httpx.post(f"{url}/api/scriptor/stop", timeout=10)
    wait_state(url, "scriptor", lambda s: s["status"] not in ("running", "stopping"), 60)
    judged = report(sim_stack)["plays"]
    assert judged, "the restarted game judged no play"
    row = rows[before]
    assert row["song_id"] == SONG == judged[0]["song"] and row["cleared"], (row, judged)
    for k in ("perfect", "great", "good", "bad", "miss"):
        assert row["counts"][k] == judged[0]["counts"][k], (row, judged)
    assert judged[0]["touches"] > 0, judged
