"""``autobang play CHART_FILE --touch URL --start-at EPOCH_S``: compile a chart and play it
against an injector so that a note at chart time t is judged at wall-clock EPOCH_S + t."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from shared.weight_titles import WEIGHT_TITLES

if TYPE_CHECKING:
    from shared.chart import Chart

# Names only: the engine (numpy, OpenCV, pydantic) is imported when the command runs, not
# every time `autobang` builds its parser.
# (tests/play/test_cli_play.py checks them against Performance and ROTATIONS).
PERFORMANCES = ("AllPerfect", "FullCombo", "DropLastFC", "Custom", "DropLastCustom")
ROTATION_CHOICES = (0, 90, 180, 270)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("play", help="play a chart file against a touch injector at a wall-clock time")
    p.add_argument("chart", type=Path, help="a Bestdori chart file (<song id>_<difficulty>.bestdori)")
    p.add_argument("--touch", required=True, help="minitouch://HOST:PORT or bangcheater://HOST:PORT")
    p.add_argument(
        "--start-at",
        type=float,
        required=True,
        help="wall-clock time (epoch seconds) at which chart time 0 reaches the judge line",
    )
    p.add_argument("--performance", choices=PERFORMANCES, default="AllPerfect")
    p.add_argument(
        "--weight-title",
        choices=list(WEIGHT_TITLES),
        help="weights for Custom/FullCombo (default: by the song's level, else skilled)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the Custom draws (reproducible runs)")
    p.add_argument(
        "--rotation", type=int, choices=ROTATION_CHOICES, help="display rotation against the panel"
    )
    p.add_argument("--correction-us", type=int, default=0, help="us added to every touch (correction_time)")
    p.add_argument("--dilation", type=int, default=1_000_000, help="chart time scale x1e6 (dilation_time)")
    p.set_defaults(func=cmd_play)


def load_chart_file(path: Path) -> Chart:
    from shared.chart import ChartError, apply_errata, decode_chart, parse_chart
    from shared.chart.library import CHART_NAME

    if not path.is_file():
        raise ChartError(f"chart file {path} does not exist")
    m = CHART_NAME.match(path.name)
    try:
        events = decode_chart(path.read_bytes())
        applied: tuple[str, ...] = ()
        if m:
            events, applied = apply_errata(events, int(m.group(1)), int(m.group(2)))
        return parse_chart(events, errata=applied)
    except ChartError as exc:
        raise ChartError(f"{path} is not a playable chart: {exc}") from exc


def song_level(path: Path) -> int | None:
    """The level of ``<id>_<difficulty>.bestdori`` in the shipped song list, if known."""
    from shared.chart.library import CHART_NAME

    m = CHART_NAME.match(path.name)
    if not m:
        return None
    from shared.catalog import SHIPPED_SONGS_ALL, load_songs_all

    song = load_songs_all(SHIPPED_SONGS_ALL).get(int(m.group(1)))
    return None if song is None else song.levels.get(int(m.group(2)))


def cmd_play(args: argparse.Namespace) -> int:
    from services.scriptor.play.compile import PlayOptions, compile_chart
    from services.scriptor.play.performance import ladder_title
    from services.scriptor.play.player import Player
    from services.scriptor.play.render import summary
    from shared.chart import ChartError
    from shared.config.scriptor import Performance
    from shared.device.touch import TouchError, parse_touch_url

    try:
        parse_touch_url(args.touch)
        chart = load_chart_file(args.chart)
    except (ChartError, TouchError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    level = song_level(args.chart)
    title = args.weight_title or (ladder_title(level) if level is not None else "skilled")
    options = PlayOptions(
        performance=Performance(args.performance),
        weight_title=title,
        weights=WEIGHT_TITLES[title],
        seed=args.seed,
        dilation_time=args.dilation,
        correction_time=args.correction_us,
    )
    plan = compile_chart(chart, options)
    print(f"plan: {summary(plan)}", flush=True)
    player = Player(args.touch, args.rotation)
    try:
        player.open()  # start the sender and connect before the first deadline
        # The wall-clock start on this process's monotonic clock (the sender's is the same).
        t0 = args.start_at - time.time() + time.monotonic()
        stats = player.play(plan, t0)
    except TouchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopped: every contact lifted", file=sys.stderr)
        return 130
    finally:
        player.close()
    if stats.error:
        print(f"error: {stats.error}", file=sys.stderr)
        return 1
    downs = sum(1 for f in plan.frames[: stats.frames_sent] for op in f.ops if op.kind == "d")
    notes = plan.notes if stats.frames_sent == stats.frames_total else f"{downs}/{plan.gestures} gestures"
    print(f"sent {stats.frames_sent}/{stats.frames_total} frames ({notes} notes), {stats.lateness}")
    return 0
