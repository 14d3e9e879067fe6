"""The right song or none through the real stack (gateway, worker, ADB, recognisers, play
engine, result reader, history) against the simulated game: the twins 316 and 676 (one
title, Expert 25 / 26) with their levels drawn in a face the digit templates do not come
from, and a song whose ready page shows another level than the data dir's catalog (a
game update the catalog does not know): the twins are played right, the other song is
skipped and never played."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.testing.simgame import Simulator, add_catalog_songs, prepare_data
from services.testing.stack import start_stack
from tests.conftest import free_port
from tests.scriptor.sim_runs import EXTRA, TWIN, Game, assert_played

pytestmark = pytest.mark.stack

CUT_S = 4.0
OTHER = 295  # listed at Expert 24 in the data dir; the game shows 27
CHARTS = ((316, 3), (TWIN, 3), (OTHER, 3))
ENTRIES = {TWIN: ("オレンジ", {0: 8, 1: 14, 2: 20, 3: 26}), OTHER: ("Ringing 295", {3: 24})}
FONT = "DejaVuSans-Bold.ttf"  # not among the digit templates (shared.fonts.SANS_FILES)


@pytest.fixture(scope="module")
def game(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Game]:
    data = tmp_path_factory.mktemp("scriptor-right-song") / "data"
    add_catalog_songs(data, ENTRIES)
    prepare_data(data, CHARTS, CUT_S)
    port = free_port()
    env = {"AUTOBANG_DEVICE": f"adb://127.0.0.1:{port}", "AUTOBANG_DEVICE_SIMULATED": "1"}
    stack = start_stack(data, free_port(), env=env, test_bodies=False)
    yield Game(stack, port)
    stack.stop()


def test_twins_in_another_font_are_played_right_and_another_level_is_skipped(game: Game) -> None:
    """Free, songs 316 / 295 / 676 in the list. Down: 295 (its ready page says 27, its
    chart is 24: skipped), then 676. Up from there: 295 skipped again, then 316."""
    scenario = {
        "mode": "Free",
        "songs": [316, OTHER, TWIN],
        "extra_songs": EXTRA,
        "shown_levels": {OTHER: {3: 27}},
        "level_font": FONT,
    }
    sim = Simulator(scenario, game.port, game.stack.data_dir)
    try:
        down = game.again(sim, {"mode": "Free", "choose": "ListDown"})
        up = game.again(sim, {"mode": "Free", "choose": "ListUp"})
    finally:
        sim.stop()
    assert_played(down, TWIN, "expert", "Free", play=0)
    assert_played(up, 316, "expert", "Free", play=1)
    assert (len(down.rows), len(up.rows)) == (1, 1), (down.rows, up.rows)
    assert (down.rows[0]["level"], up.rows[0]["level"]) == (26, 25)
    assert [p["song"] for p in up.report["plays"]] == [TWIN, 316]  # 295 was never played
    assert [o["song"] for o in up.report["offered"]] == [OTHER, TWIN, OTHER, 316], up.report["offered"]
    for run in (down, up):
        skipped = [line for line in run.log if "ready screen shows level 27" in line]
        assert skipped and "not played" in skipped[0] and f"song {OTHER}" in skipped[0], run
