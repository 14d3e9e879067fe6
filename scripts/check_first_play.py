"""Issue 19's "done when", through the whole stack as a new user runs it: ``autobang up``
with ``AUTOBANG_DEVICE=sim`` (the shipped default scenario, full-length songs, the game's
own delays), the scriptor started with every setting at its default, until ``--plays``
plays are in the history; then each play's counts, whether it was All Perfect, the offset
it used and the wrong-song flag are printed (docs/scriptor.md, "First play").

    OMP_NUM_THREADS=1 .venv/bin/python scripts/check_first_play.py --plays 1
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

from services.launcher import free_port
from services.testing.simgame import task_log
from services.testing.stack import start, start_stack, wait_state
from shared.play_history import PlayRecord


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plays", type=int, default=1, help="plays to wait for")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for them")
    ap.add_argument(
        "--config", default="{}", help='settings changed from the defaults (JSON, e.g. \'{"mode": "Free"}\')'
    )
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="first-play-")) / "data"
    t0 = time.monotonic()
    stack = start_stack(data, free_port(), test_bodies=False, env={"AUTOBANG_DEVICE": "sim"})
    try:
        print(f"stack up in {time.monotonic() - t0:.1f} s ({stack.url}, data {data})")
        t1 = time.monotonic()
        config = json.loads(args.config)
        print(f"scriptor settings changed from the defaults: {config or 'none'}")
        start(stack.url, "scriptor", "start_scriptor", config)

        def rows() -> list[PlayRecord]:
            got = httpx.get(f"{stack.url}/api/scriptor/history", timeout=10).json()
            return [PlayRecord.model_validate(r) for r in got]

        deadline = time.monotonic() + args.timeout
        seen = 0
        while time.monotonic() < deadline and seen < args.plays:
            state = httpx.get(f"{stack.url}/api/scriptor/state", timeout=10).json()
            if state.get("status") in ("finished", "failed"):
                print(f"the scriptor stopped: {state}")
                break
            for r in rows()[seen:]:
                seen += 1
                print(
                    f"play {seen} at {time.monotonic() - t1:.0f} s: song {r.song_id} {r.difficulty} "
                    f"counts {r.counts} fast {r.fast} slow {r.slow} "
                    f"offset {r.correction_time_us / 1000:.1f} ms "
                    f"all_perfect {r.all_perfect} cleared {r.cleared} wrong_song {r.wrong_song} "
                    f"skipped {r.skipped} {r.note}"
                )
            time.sleep(1.0)
        if seen < args.plays:
            info = json.loads((data / "run" / "launcher.json").read_text())
            print("\n".join(["the scriptor's last log lines:", *task_log(info["redis_url"], last=15)]))
        httpx.post(f"{stack.url}/api/scriptor/stop", timeout=10)
        wait_state(stack.url, "scriptor", lambda s: s["status"] != "running", 120)
        return 0 if seen >= args.plays else 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
