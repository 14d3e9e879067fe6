"""The simulated game makes its songs known to the product: charts and title crops land in
the data dir when missing, a user's own are never replaced, and a scenario can say no."""

from __future__ import annotations

from pathlib import Path

from services.simulator.demo import seed_data_dir
from services.simulator.scenario import Scenario


def test_missing_charts_and_titles_are_added_once_and_never_replaced(tmp_path: Path) -> None:
    scenario = Scenario(songs=[316, 570])
    own = tmp_path / "charts" / "316_3.bestdori"
    own.parent.mkdir(parents=True)
    own.write_bytes(b"[]")  # the user's own file
    added = seed_data_dir(scenario, tmp_path)
    assert "chart 570_0" in added and "chart 316_3" not in added
    assert own.read_bytes() == b"[]"
    titles = tmp_path / "song_recognition" / "title_imgs"
    assert (titles / "t-316.png").is_file() and (titles / "t-570.png").is_file()
    assert seed_data_dir(scenario, tmp_path) == []  # nothing missing any more


def test_a_scenario_can_leave_the_data_dir_alone(tmp_path: Path) -> None:
    assert seed_data_dir(Scenario(songs=[316], seed_data=False), tmp_path) == []
    assert not (tmp_path / "charts").exists()
