#!/usr/bin/env python
"""Soak benchmark of the scriptor: prints the numbers docs/performance.md records.

  .venv/bin/python scripts/bench_soak.py [--minutes 15] [--seed 1] [--fault-every-s 45] [--cut-s 30]

Runs the whole product (``autobang up`` with ``AUTOBANG_DEVICE=sim:<scenario>``: the real
gateway, worker, ADB protocol, UI classifier, song recogniser and play engine) against a
simulated game offering 316, 689 and 10001 (charts cut to their first ``--cut-s`` seconds;
0 = whole songs), with random faults (seeded): every ``--fault-every-s`` on average one of
popup (any of the eight dialogs), frozen, unknown, crash, adb_disconnect, slow, failed.
The scriptor repeats Free plays (level Special: Expert where a song has none, list down
between songs) until the time is up, then is stopped. Printed:

  * cycles per hour: plays recorded in the history (song select -> play -> result);
  * recoveries per fault kind: faults injected and left (the game went on) / injected;
  * plays judged AllPerfect by the simulator, failed plays (the "failed" fault);
  * unmatched: plays the simulator judged that the history lacks, or the reverse (goal 0);
  * wrong songs: history rows whose song is not the one the simulator played (goal 0);
  * stuck runs: the task ended on its own, a fault never left, or no play for 5 minutes
    (goal 0).
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import cv2
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.launcher import free_port  # noqa: E402
from services.simulator.scenario import POPUP_STATES  # noqa: E402
from services.simulator.titles import title_crop  # noqa: E402
from services.testing.simgame import cut_chart  # noqa: E402
from services.testing.stack import Stack, start_stack  # noqa: E402
from shared import keys  # noqa: E402
from shared.catalog import load_catalog  # noqa: E402
from shared.data import CHARTS_DIR  # noqa: E402
from shared.runtime.connection import connect  # noqa: E402

SONGS = {316: 3, 689: 4, 10001: 4}  # song -> the shipped chart's difficulty
KINDS = ("popup", "frozen", "unknown", "crash", "adb_disconnect", "slow", "failed")
STUCK_S = 300.0  # no play for this long counts as a stuck run


def faults(rng: random.Random, seconds: float, every_s: float, cut_s: float) -> list[dict[str, Any]]:
    """Random faults over the run: exponential gaps, kinds and parameters drawn by ``rng``."""
    out: list[dict[str, Any]] = []
    t = rng.expovariate(1 / every_s)
    plays = 0
    while t < seconds:
        kind = rng.choice(KINDS)
        f: dict[str, Any] = {"kind": kind, "at_s": round(t, 1)}
        if kind == "popup":
            f["state"] = rng.choice(POPUP_STATES)
        elif kind in ("frozen", "unknown", "adb_disconnect"):
            f["duration_s"] = round(rng.uniform(2, 12 if kind != "unknown" else 30), 1)
        elif kind == "slow":
            f |= {"duration_s": round(rng.uniform(5, 20), 1), "latency_ms": rng.choice((200, 400, 800))}
        elif kind == "failed":  # health out in the middle of a coming play
            plays += 1
            song_s = cut_s or 60.0
            f = {"kind": kind, "on_state": "playing", "occurrence": 1 + plays * 3, "duration_s": song_s / 2}
        out.append(f)
        t += rng.expovariate(1 / every_s)
    return out


def prepare(root: Path, scenario: dict[str, Any], cut_s: float) -> tuple[Path, Path]:
    data = root / "data"
    (data / "charts").mkdir(parents=True)
    titles = data / "song_recognition" / "title_imgs"
    titles.mkdir(parents=True)
    catalog = load_catalog(data)
    for song, diff in SONGS.items():
        raw = (CHARTS_DIR / f"{song}_{diff}.bestdori").read_bytes()
        (data / "charts" / f"{song}_{diff}.bestdori").write_bytes(cut_chart(raw, cut_s) if cut_s else raw)
        cv2.imwrite(str(titles / f"t-{song}.png"), title_crop(song, None, catalog))
    path = root / "scenario.json"
    path.write_text(json.dumps(scenario, indent=1))
    return data, path


def log_lines(stack: Stack) -> list[str]:
    r = connect(stack.redis_url)
    return [
        str(json.loads(f["data"]).get("message", ""))
        for _, f in r.xrange(keys.events_stream("scriptor"))
        if f["type"] == "log"
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=15.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fault-every-s", type=float, default=45.0)
    ap.add_argument("--cut-s", type=float, default=30.0, help="cut charts to N s (0: whole songs)")
    ap.add_argument("--keep", action="store_true", help="keep the data dir (kept anyway when a goal fails)")
    args = ap.parse_args()
    seconds = args.minutes * 60
    rng = random.Random(args.seed)
    scenario = {
        "seed": args.seed,
        "mode": "Free",
        "songs": list(SONGS),
        "difficulty": 3,
        "seed_data": False,
        "faults": faults(rng, seconds, args.fault_every_s, args.cut_s),
    }
    tmp = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    data, scenario_path = prepare(tmp, scenario, args.cut_s)
    stack = start_stack(data, free_port(), env={"AUTOBANG_DEVICE": f"sim:{scenario_path}"}, test_bodies=False)
    code = 1
    try:
        code = run(stack, scenario, seconds, args)
    finally:
        stack.stop()
        if code == 0 and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"data dir kept: {data}")
    return code


def run(stack: Stack, scenario: dict[str, Any], seconds: float, args: argparse.Namespace) -> int:
    url = stack.url
    config = {"mode": "Free", "level": "Special", "choose": "ListDown", "correction_time": 0}
    r = httpx.post(f"{url}/api/scriptor/tasks/start_scriptor/start", json={"config": config}, timeout=10)
    r.raise_for_status()
    t0 = time.monotonic()
    last_play, plays, stuck, ended = t0, 0, 0, ""
    while time.monotonic() - t0 < seconds:
        time.sleep(5)
        state = httpx.get(f"{url}/api/scriptor/state", timeout=10).json()
        if state["status"] in ("failed", "finished", "stopped"):
            ended = f"{state['status']}: {state.get('error')}"
            stuck += 1
            break
        n = len(httpx.get(f"{url}/api/scriptor/history", params={"limit": 10000}, timeout=10).json())
        if n > plays:
            plays, last_play = n, time.monotonic()
        elif time.monotonic() - last_play > STUCK_S:
            stuck += 1
            ended = f"no play for {STUCK_S:g} s"
            break
    elapsed = time.monotonic() - t0
    if ended:
        print(f"the run ended early: {ended}\n{stack.log()[-3000:]}", file=sys.stderr)
    httpx.post(f"{url}/api/scriptor/stop", timeout=10)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if httpx.get(f"{url}/api/scriptor/state", timeout=10).json()["status"] not in ("running", "stopping"):
            break
        time.sleep(0.5)
    time.sleep(1.0)  # the simulator's report is rewritten every 0.5 s

    rows = httpx.get(f"{url}/api/scriptor/history", params={"limit": 10000}, timeout=10).json()
    report = json.loads((stack.data_dir / "simulator" / "report.json").read_text())
    # A play whose result screen never came (a crash right after the song) has no result
    # to record: it is counted apart, not as unmatched.
    lost = sum(1 for p in report["plays"] if not p.get("result_shown", True))
    judged = [p for p in report["plays"] if p.get("result_shown", True)]
    # The history against the simulator's plays, aligned (a play missing from either side
    # must not shift every later pair): a pair that differs is a wrong song.
    wrong = unrecorded = 0
    ours, theirs = [r["song_id"] for r in rows], [p["song"] for p in judged]
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes():
        if op == "replace":
            wrong += max(a2 - a1, b2 - b1)
        elif op in ("delete", "insert"):
            unrecorded += (a2 - a1) + (b2 - b1)
    injected = Counter(f["kind"] for f in report["faults"])
    left = Counter(f["kind"] for f in report["faults"] if f["left"] is not None)
    # A fault still open at the stop is not stuck if it was injected in the last minute.
    open_late = [f for f in report["faults"] if f["left"] is None and f["at"] < elapsed - 60]
    stuck += 1 if open_late else 0
    recoveries = Counter(
        line.split("(")[0].removeprefix("recovery: ").strip()
        for line in log_lines(stack)
        if line.startswith("recovery: ")
    )
    all_perfect = sum(1 for p in judged if p["all_perfect"])
    cleared = [p for p in judged if not p.get("failed")]
    notes = sum(p["notes"] for p in cleared)
    perfect = sum((p["counts"] or {}).get("perfect", 0) for p in cleared)
    kinds = ", ".join(f"{k} {left[k]}/{injected[k]}" for k in sorted(injected))
    steps = ", ".join(f"{k} {v}" for k, v in recoveries.most_common()) or "none"
    why = f": {ended}" if ended else ""
    if open_late:
        why += f"; open faults: {open_late}"
    print(f"soak: {elapsed / 60:.1f} min, seed {args.seed}, cut {args.cut_s:g} s, songs {list(SONGS)}")
    print(f"faults planned {len(scenario['faults'])}, injected {sum(injected.values())}")
    print(f"cycles per hour: {len(rows) / elapsed * 3600:.0f} ({len(rows)} plays)")
    print(f"recovered (left / injected): {kinds}")
    print(f"recovery steps: {steps}")
    failed = len(judged) - len(cleared)
    print(f"AllPerfect: {all_perfect} of {len(cleared)} cleared plays; failed plays (fault): {failed}")
    print(f"notes judged Perfect in cleared plays: {perfect} of {notes}")
    print(
        f"plays judged {len(judged) + lost} ({lost} results lost to a crash), history rows {len(rows)}, "
        f"unmatched {unrecorded} (goal 0)"
    )
    print(f"wrong songs: {wrong} (goal 0)")
    for row, p in zip(rows, judged, strict=False):
        print(
            f"  {row['song_id']:>5} {'ok' if row['cleared'] else 'FAILED':6} {row['note'][:50]:50} | "
            f"sim {p['song']:>5} {p['counts']} {'failed' if p.get('failed') else ''}"
        )
    print(f"stuck runs: {stuck} (goal 0){why}")
    return 0 if wrong == 0 and stuck == 0 and unrecorded == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
