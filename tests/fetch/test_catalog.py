"""The catalog API the rest of the system reads: shipped fallback, lookups, shaving and
``check_song_id``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shared.catalog import SHIPPED_SONGS_ALL, load_catalog, shave, songs_all_path
from shared.chart.library import ChartLibrary, check_song_id


def test_shipped_state_list_is_the_registry_of_screen_states(reference_data: Path) -> None:
    from shared.screens import UI_STATES

    assert json.loads((reference_data / "ui-states.json").read_text()) == list(UI_STATES)


def test_fresh_install_reads_the_shipped_catalog(tmp_path: Path) -> None:
    cat = load_catalog(tmp_path)
    assert cat.shipped and cat.source == SHIPPED_SONGS_ALL
    assert len(cat) == 587
    song = cat.get(1)
    assert song is not None and song.title == "Yes! BanG_Dream!"
    assert song.level_names() == {"easy": 5, "normal": 10, "hard": 17, "expert": 22, "special": 26}
    cn_only = cat.get(10001)
    assert cn_only is not None and cn_only.titles_by_server()["cn"] == "彩虹节拍"
    assert cn_only.published_by_server() == {"jp": False, "en": False, "tw": False, "cn": True, "kr": False}


def test_data_dir_catalog_wins_and_reloads_when_replaced(tmp_path: Path) -> None:
    path = songs_all_path(tmp_path)
    path.parent.mkdir(parents=True)
    entry = {"musicTitle": ["A", None, None, "甲", None], "bandId": 1, "difficulty": {"3": {"playLevel": 24}}}
    path.write_text(json.dumps({"9001": entry}), encoding="utf-8")
    cat = load_catalog(tmp_path)
    assert not cat.shipped and list(cat.songs) == [9001]
    path.write_text(json.dumps({"9001": entry, "9002": entry}), encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse clocks
    assert sorted(load_catalog(tmp_path).songs) == [9001, 9002]


def test_corrupt_catalog_is_a_readable_error(tmp_path: Path) -> None:
    path = songs_all_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('{"1": {"musicTitle": "not a list"}}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"songs-all.json is unreadable: song list: song 1 has no musicTi"):
        load_catalog(tmp_path)


@pytest.mark.parametrize(
    ("title", "shaved"),
    [
        ("Yes! BanG_Dream!", "yesbangdream"),
        ("STAR BEAT!〜ホシノコドウ〜", "starbeatホシノコドウ"),  # ー-like marks stay, 〜 goes
        (
            "[期間限定 SPECIAL]ピコっと！パピっと！！ガルパ☆ピコ！！！",
            "期間限定specialピコっとパピっとガルパピコ",
        ),
        ("ＦＵＬＬ－ＷＩＤＴＨ", "fullwidth"),
        ("Sʼil Vous President", "silvouspresident"),
        ("シル・ヴ・プレジデント", "シルヴプレジデント"),
        ("∞×♪★☆", ""),
        ("여름 하늘 SUN! SUN! SEVEN!", "여름하늘sunsunseven"),
    ],
)
def test_shave(title: str, shaved: str) -> None:
    assert shave(title) == shaved


def test_find_title_matches_any_server_after_shaving(tmp_path: Path) -> None:
    cat = load_catalog(tmp_path)
    assert [s.id for s in cat.find_title("yes bang dream")] == [1]
    assert [s.id for s in cat.find_title("Star Beat")] == [2]  # the EN title
    assert cat.find_title("☆") == []


def _chart(tmp_path: Path, song_id: int, difficulty: int, reference_data: Path) -> None:
    body = (reference_data / "charts" / "1_0.bestdori").read_bytes()
    ChartLibrary(tmp_path).store(song_id, difficulty, body)


def test_check_song_id(tmp_path: Path, reference_data: Path) -> None:
    missing = check_song_id(424242, tmp_path)
    assert not missing.ok and "song 424242 is not in the catalog (587 songs)" in missing.message
    no_chart = check_song_id(1, tmp_path)
    assert not no_chart.ok
    assert no_chart.message.startswith("song 1 (Yes! BanG_Dream!) has no chart in the library")
    _chart(tmp_path, 1, 3, reference_data)
    _chart(tmp_path, 1, 0, reference_data)
    ok = check_song_id(1, tmp_path)
    assert ok.ok and ok.message == "song 1 (Yes! BanG_Dream!): charts for easy, expert"


def test_library_index_ignores_stray_files(tmp_path: Path, reference_data: Path) -> None:
    _chart(tmp_path, 316, 3, reference_data)
    charts = tmp_path / "charts"
    (charts / ".316_2.bestdori.abc.tmp").write_bytes(b"[")  # an interrupted write
    (charts / "notes.txt").write_text("x")
    lib = ChartLibrary(tmp_path)
    assert lib.index() == {316: {3}}
    assert not lib.has(316, 2)
    with pytest.raises(FileNotFoundError, match="no chart for song 316 hard"):
        lib.load(316, 2)


def test_check_song_id_with_a_corrupt_catalog_says_so(tmp_path: Path) -> None:
    path = songs_all_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("<html>oops</html>", encoding="utf-8")
    check = check_song_id(1, tmp_path)
    assert not check.ok and check.message.startswith("cannot read the song catalog: song catalog")
    assert "songs-all.json is unreadable" in check.message
