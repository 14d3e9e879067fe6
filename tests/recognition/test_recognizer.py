from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from services.recognition.song import SongRecognizer
from services.recognition.song.augment import HARD, USER, perturb
from services.recognition.song.gallery import GalleryError
from services.recognition.song.levels import read_level
from services.recognition.song.preprocess import LEVEL_OFFSET_Y, TITLE_REGIONS
from services.recognition.song.recognizer import FIRST_RERANK, RERANK
from services.recognition.song.store import read_gray
from shared.catalog import Song
from shared.title_render import render_title
from tests.recognition.screens import screenshot


@pytest.fixture
def work(tmp_path: Path, title_dir: Path) -> Path:
    d = tmp_path / "title_imgs"
    shutil.copytree(title_dir, d)
    return d


def test_gallery_is_built_and_recorded(work: Path, tiny_model: Path, tmp_path: Path) -> None:
    gp = tmp_path / "feature_vectors.json"
    rec = SongRecognizer(title_dir=work, gallery_path=gp, model_path=tiny_model)
    raw = json.loads(gp.read_text())
    assert len(raw) == 12 and all(len(v) == 128 and isinstance(i, int) for v, i in raw)
    record = json.loads(gp.with_suffix(".meta.json").read_text())
    assert record["model_id"] == rec.embedder.model_id
    # A gallery made by another model is re-embedded on load.
    record["model_id"] = "some-other-model"
    gp.with_suffix(".meta.json").write_text(json.dumps(record))
    again = SongRecognizer(title_dir=work, gallery_path=gp, model_path=tiny_model)
    assert again.gallery.model_id == rec.embedder.model_id
    assert np.allclose(again.gallery.vectors, rec.gallery.vectors, atol=1e-6)


def test_known_crops_and_screenshots_are_recognised(work: Path, tiny_model: Path, tmp_path: Path) -> None:
    rec = SongRecognizer(work, tmp_path / "g.json", tiny_model)
    crop = read_gray(work / "t-26.png")
    rng = np.random.default_rng(3)
    for p in (USER, HARD):
        q = perturb(np.repeat(crop[None], 5, axis=0), p, rng)
        assert [rec.get_id(x) for x in q] == [26] * 5
    m = rec.match(screenshot(perturb(crop[None], USER, rng)[0], region=1))
    assert m.id == 26 and m.region == 1 and m.score > 0.8 and m.margin > 0
    # A clear match is decided among the embedding's first few candidates.
    assert m.candidates[0].id == 26 and len(m.candidates) == min(FIRST_RERANK, 12)
    f = rec.get_feature(crop)
    assert f.shape == (128,) and abs(float(np.linalg.norm(f)) - 1) < 1e-5
    assert np.allclose(rec.get_feature(screenshot(crop, region=0)), f, atol=1e-6)


def test_songs_outside_the_gallery_are_not_accepted(work: Path, tiny_model: Path, tmp_path: Path) -> None:
    rec = SongRecognizer(work, tmp_path / "g.json", tiny_model)
    for text in ("全く別の曲のタイトル", "Another Song Entirely", "ぽっぴん'しゃっふる2"):
        m = rec.match(render_title(text, salt="outsider"))
        assert m.id is None and "no confident match" in m.reason, (text, m.as_dict())
        # Nothing verified among the first few: the re-rank widened to every candidate.
        assert len(m.candidates) == min(RERANK, 12)
    blank = rec.match(np.full((36, 450), 230, np.uint8))
    assert blank.id is None and "no text" in blank.reason


def test_identical_titles_are_ambiguous_until_the_level_decides(
    work: Path, tiny_model: Path, tmp_path: Path, songs: dict[int, Song]
) -> None:
    levels = {i: s.levels for i, s in songs.items()}
    rec = SongRecognizer(work, tmp_path / "g.json", tiny_model, levels=levels)
    crop = read_gray(work / "t-389.png")
    m = rec.match(crop)
    assert m.id is None and m.ambiguous == [389, 462]
    # Level 13 exists only for 389 (normal), 25 only for 462 (expert); 21 fits both.
    assert rec.match(crop, level=13).id == 389
    assert rec.match(crop, level=25).id == 462
    assert rec.match(crop, level=21).id is None
    # From a screenshot the level is read from the row below the title.
    shot = screenshot(crop, region=0, level=25)
    x1, y1, x2, y2 = TITLE_REGIONS[0]
    assert read_level(shot[y1 + LEVEL_OFFSET_Y : y2 + LEVEL_OFFSET_Y, x1:x2]) == 25
    assert rec.match(shot).id == 462


def test_add_song_without_retraining(work: Path, tiny_model: Path, tmp_path: Path) -> None:
    gp = tmp_path / "g.json"
    rec = SongRecognizer(work, gp, tiny_model)
    new = tmp_path / "incoming" / "t-1004.png"
    new.parent.mkdir()
    crop = render_title("まったく新しい曲")
    cv2.imwrite(str(new), crop)
    assert rec.get_id(crop) is None
    assert rec.add_song(new) == 1004
    assert (work / "t-1004.png").is_file() and 1004 in rec.gallery
    assert rec.get_id(perturb(crop[None], USER, np.random.default_rng(0))[0]) == 1004
    # Saved: a fresh recogniser sees it.
    assert 1004 in SongRecognizer(work, gp, tiny_model).gallery
    with pytest.raises(ValueError, match="already in the gallery"):
        rec.add_song(new)
    odd = tmp_path / "incoming" / "title.png"
    cv2.imwrite(str(odd), crop)
    with pytest.raises(ValueError, match=r"t-<id>\.png"):
        rec.add_song(odd)
    assert rec.add_song(odd, song_id=2000) == 2000
    small = tmp_path / "incoming" / "t-9.png"
    cv2.imwrite(str(small), crop[:, :200])
    with pytest.raises(ValueError, match="expected a 450x36"):
        rec.add_song(small)


def test_corrupt_gallery_is_a_clear_error(work: Path, tiny_model: Path, tmp_path: Path) -> None:
    gp = tmp_path / "g.json"
    gp.write_text("{ not json")
    with pytest.raises(GalleryError, match="not valid JSON"):
        SongRecognizer(work, gp, tiny_model)
