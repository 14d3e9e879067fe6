"""Every simulator fault recovered through the real stack (gateway, worker, ADB protocol,
UI classifier, song recogniser, play engine), and a hopeless one ending in the error bundle.

One repeating Free run meets, one play after another: every popup the game can show (over
the screens where it shows them), a frozen screen, an unknown screen, a crash to the
launcher, an ADB disconnect, a slow device, and a song failed mid-way (health out). Each
play lands in the history as the simulator judged it; the task's log says what happened in
plain words. A second stack's device never comes back: the run gives up after its retries
(short ones here, ``AUTOBANG_SCRIPTOR_DEVICE_RETRIES_S``; the default ~47 s is
test_loop.py's) with an error bundle the gateway lists and serves."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.testing.free_play import SCENARIO, SONG
from services.testing.simgame import prepare_data
from services.testing.stack import Stack, start, start_stack, wait_state
from shared import keys
from shared.runtime.connection import connect
from tests.conftest import free_port

pytestmark = pytest.mark.stack

CUT_S = 6.0
POPUPS = {  # popup -> the screen it covers (its first entry)
    "download": "loading",  # at start, over the game's loading screen
    "opps": "playmode",
    "choose_dialog": "choose",
    "ready_adjust": "ready",
    "opps_reconnect": "award_loading",
    "story_dialog": "award",
    "shop_dialog": "award_score",
}
# choose is entered once per play: each fault below meets its own play.
FAULTS: list[dict[str, Any]] = [
    *({"kind": "popup", "state": p, "on_state": s} for p, s in POPUPS.items()),
    {"kind": "popup", "state": "award_dialog", "on_state": "choose", "occurrence": 2},
    # Long enough for two unanswered rounds of ready-control taps (one every 4 frames).
    {"kind": "frozen", "on_state": "ready", "occurrence": 2, "duration_s": 10},
    {"kind": "unknown", "on_state": "choose", "occurrence": 3, "duration_s": 60},
    {"kind": "crash", "on_state": "choose", "occurrence": 4},
    {"kind": "adb_disconnect", "on_state": "choose", "occurrence": 5, "duration_s": 6},
    {"kind": "slow", "on_state": "choose", "occurrence": 6, "duration_s": 5, "latency_ms": 400},
    {"kind": "failed", "on_state": "playing", "occurrence": 6, "duration_s": 4.6},
]
PLAYS = 6


SHORT_RETRIES_S = [0.5] * 8  # the hopeless stack's: its give-up in seconds, not ~47 s


def make_stack(root: Path, faults: list[dict[str, Any]], env: dict[str, str] | None = None) -> Stack:
    data = root / "data"
    prepare_data(data, [(SONG, 3)], CUT_S)
    scenario = root / "scenario.json"
    scenario.write_text(json.dumps({**SCENARIO, "faults": faults}))
    env = {"AUTOBANG_DEVICE": f"sim:{scenario}", **(env or {})}
    return start_stack(data, free_port(), env=env, test_bodies=False)


def logs(stack: Stack) -> list[str]:
    r = connect(stack.redis_url)
    out = []
    for _, fields in r.xrange(keys.events_stream("scriptor")):
        if fields["type"] == "log":
            out.append(str(json.loads(fields["data"]).get("message", "")))
    return out


def report(stack: Stack) -> dict[str, Any]:
    return dict(json.loads((stack.data_dir / "simulator" / "report.json").read_text()))


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = make_stack(tmp_path_factory.mktemp("scriptor-faults"), FAULTS)
    yield stack
    stack.stop()


def test_every_fault_is_recovered_and_every_play_recorded(faulty: Stack) -> None:
    url = faulty.url
    start(url, "scriptor", "start_scriptor", {"mode": "Free", "level": "Expert", "correction_time": 0})

    deadline = time.monotonic() + 420
    while len(httpx.get(f"{url}/api/scriptor/history", timeout=10).json()) < PLAYS:
        state = httpx.get(f"{url}/api/scriptor/state", timeout=10).json()
        assert state["status"] not in ("failed", "finished"), state  # never ends on the way
        assert time.monotonic() < deadline, f"no {PLAYS} plays in 420 s: {state}\n{faulty.log()[-3000:]}"
        time.sleep(1.0)
    httpx.post(f"{url}/api/scriptor/stop", timeout=10)
    done = wait_state(url, "scriptor", lambda s: s["status"] not in ("running", "stopping"), 60, faulty.log)
    assert done["status"] == "stopped", done

    rows = httpx.get(f"{url}/api/scriptor/history", timeout=10).json()
    sim = report(faulty)
    summary = [(p["t0"], p["counts"], p["failed"]) for p in sim["plays"]]
    assert len(rows) == PLAYS and len(sim["plays"]) == PLAYS, (rows, summary, logs(faulty)[-60:])
    for row, judged in zip(rows, sim["plays"], strict=True):
        assert row["song_id"] == SONG == judged["song"] and row["difficulty"] == "expert"
        if judged["failed"]:
            continue
        assert row["cleared"], row
        for k in ("perfect", "great", "good", "bad", "miss"):
            assert row["counts"][k] == judged["counts"][k], (row, judged)
        # Played, not just pressed (how well is the soak benchmark's number: on this shared
        # machine a stalled process now and then costs a play its first notes).
        assert judged["touches"] > 0 and judged["counts"]["miss"] < judged["notes"] / 2, judged
    # The song failed mid-way is a failed play, decided from the screen after it.
    assert [p["failed"] for p in sim["plays"]] == [False] * (PLAYS - 1) + [True]
    assert not rows[-1]["cleared"] and rows[-1]["counts"] == {}

    # Every fault was injected and left (the game went on), none stuck.
    faults = sim["faults"]
    assert sorted(f["kind"] for f in faults) == sorted(f["kind"] for f in FAULTS), faults
    assert all(f["left"] is not None for f in faults), faults
    assert sim["protocol_violations"] == 0, sim["violations"]

    # ... and the log says so in plain words.
    text = "\n".join(logs(faulty))
    for popup in [*POPUPS, "award_dialog"]:
        assert f"a dialog ({popup}) is over the screen: dismissing it" in text, popup
    assert "taps did not move the game on" in text and "the game reacts again" in text  # frozen
    assert "recovery: pressing BACK (unknown screen)" in text  # unknown
    assert "is in front, not the game: starting the game" in text  # crash
    assert "device answers again after" in text  # the disconnect: warnings, not fatal
    assert "the song was failed (health ran out): touches stopped" in text
    assert "FAILED" in text


@pytest.fixture(scope="module")
def hopeless(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    gone = [{"kind": "adb_disconnect", "on_state": "choose", "duration_s": 3600}]
    retries = {"AUTOBANG_SCRIPTOR_DEVICE_RETRIES_S": json.dumps(SHORT_RETRIES_S)}
    stack = make_stack(tmp_path_factory.mktemp("scriptor-hopeless"), gone, retries)
    yield stack
    stack.stop()


def test_a_device_that_never_comes_back_ends_in_an_error_bundle(hopeless: Stack) -> None:
    url = hopeless.url
    start(url, "scriptor", "start_scriptor", {"mode": "Free", "level": "Expert"})
    # Its retries (8 of 0.5 s) after the device went away, then the error bundle.
    done = wait_state(url, "scriptor", lambda s: s["status"] in ("finished", "failed"), 180, hopeless.log)
    assert done["status"] == "failed", done
    assert "the device stopped answering" in str(done.get("error")), done
    assert done["fields"]["error_bundle"].startswith("scriptor/errors/"), done
    text = "\n".join(logs(hopeless))
    assert text.count("retrying in 0.5 s") == len(SHORT_RETRIES_S)
    assert "giving up: the device stopped answering" in text

    listed = httpx.get(f"{url}/api/scriptor/errors", timeout=10).json()
    assert len(listed) == 1 and listed[0]["path"] == done["fields"]["error_bundle"], listed
    bundle = listed[0]
    assert "the device stopped answering" in bundle["reason"]
    frames = [f for f in bundle["files"] if f.startswith("frame-") and f.endswith(".png")]
    assert frames and "states.json" in bundle["files"] and "log.txt" in bundle["files"], bundle
    base = f"{url}/api/scriptor/errors/{bundle['name']}"
    png = httpx.get(f"{base}/{frames[-1]}", timeout=10)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    states = httpx.get(f"{base}/states.json", timeout=10).json()
    assert states["states"] and "stopped answering" in states["reason"]
    log = httpx.get(f"{base}/log.txt", timeout=10)
    assert log.headers["content-type"].startswith("text/plain") and "retrying in 0.5 s" in log.text
    # Nothing outside the bundle is reachable through it.
    for bad in ("../history.jsonl", "..%2F..%2Fhistory.jsonl", "x.py"):
        assert httpx.get(f"{base}/{bad}", timeout=10).status_code == 404, bad
    assert httpx.get(f"{url}/api/scriptor/errors/..%2F/states.json", timeout=10).status_code == 404
