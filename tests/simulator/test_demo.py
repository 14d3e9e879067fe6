"""The simulated game makes its songs known to the product: charts and title crops land in
the data dir when missing, a user's own are never replaced, and a scenario can say no."""

from __future__ import annotations

from pathlib import Path

from services.simulator.demo import seed_data_dir
from services.simulator.scenario import ExtraSong, Scenario
from shared.catalog import load_catalog


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


def test_songs_the_game_offers_that_the_catalogue_lacks_are_added_to_it(tmp_path: Path) -> None:
    # The twin 676 (オレンジ like 316, told apart by its level) is not in the shipped list.
    assert load_catalog(tmp_path).get(676) is None
    scenario = Scenario(songs=[316, 676], extra_songs={676: ExtraSong(title="オレンジ", levels={3: 26})})
    added = seed_data_dir(scenario, tmp_path)
    assert "song 676 in the catalogue" in added
    catalog = load_catalog(tmp_path)
    twin, song = catalog.get(676), catalog.get(316)
    assert twin is not None and twin.title == "オレンジ" and twin.levels == {3: 26}
    assert song is not None and song.levels.get(3) == 25  # the shipped songs stay
    assert (tmp_path / "song_recognition" / "title_imgs" / "t-676.png").is_file()
    assert seed_data_dir(scenario, tmp_path) == []  # a song already known is never rewritten
