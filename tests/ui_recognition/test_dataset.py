"""Dataset folders, the first version's importer and the atomic move into the dataset."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from services.recognition.ui.dataset import import_v1, load_dataset, move_into, v1_label
from services.recognition.ui.labels import LABEL_ID
from tests.ui_recognition.synthetic import layout_frame, write_dataset


def test_load_dataset_resizes_and_reports_strays(tmp_path: Path) -> None:
    write_dataset(tmp_path, ["ready", "main_page"], 2)
    (tmp_path / "not_a_state").mkdir()
    (tmp_path / "ready" / "broken.png").write_bytes(b"not a png")
    big = np.full((720, 1280, 3), 40, np.uint8)
    (tmp_path / "unknown").mkdir()
    cv2.imwrite(str(tmp_path / "unknown" / "x.png"), big)
    ds = load_dataset(tmp_path)
    assert ds.images.shape == (5, 90, 160, 3)
    assert ds.counts() == {"main_page": 2, "ready": 2, "unknown": 1}
    assert sorted(set(ds.labels.tolist())) == sorted({LABEL_ID["ready"], LABEL_ID["main_page"], 34})
    assert ds.stray == ["not_a_state"] and ds.skipped and "broken.png" in ds.skipped[0]


def test_v1_names() -> None:
    assert v1_label(Path("ready_done-003.png")) == "ready_done"
    assert v1_label(Path("award_again-12.png")) == "award_again"
    assert v1_label(Path("story_skip_7.png")) == "story_skip"
    assert v1_label(Path("nothing-1.png")) is None and v1_label(Path("ready.png")) is None


def test_import_v1_copies_by_label_and_lists_the_rest(tmp_path: Path) -> None:
    src = tmp_path / "UI_imgs"
    src.mkdir()
    rng = np.random.default_rng(0)
    for name in ("ready-001.png", "ready-002.png", "main_page-001.png", "bogus-001.png"):
        cv2.imwrite(str(src / name), layout_frame("ready", rng))
    (src / "award-001.png").write_bytes(b"\x89PNG broken")
    root = tmp_path / "imgs"
    rep = import_v1(src, root)
    assert rep.imported == {"main_page": 1, "ready": 2}
    assert len(rep.skipped) == 2 and any("bogus" in s for s in rep.skipped)
    assert sorted(p.name for p in (root / "ready").iterdir()) == ["ready-001.png", "ready-002.png"]
    assert len(list(src.iterdir())) == 5  # the source is left as it was
    assert import_v1(src, root).imported == {"main_page": 1, "ready": 2}  # again: new names
    assert len(list((root / "ready").iterdir())) == 4
    with pytest.raises(FileNotFoundError, match="UI_imgs"):
        import_v1(tmp_path / "missing", root)


def test_move_into_takes_a_free_name_and_refuses_bad_labels(tmp_path: Path) -> None:
    root = tmp_path / "imgs"
    (root / "ready").mkdir(parents=True)
    (root / "ready" / "a.png").write_bytes(b"old")
    src = tmp_path / "a.png"
    src.write_bytes(b"new")
    target = move_into(src, root, "ready")
    assert target.name == "a-1.png" and target.read_bytes() == b"new" and not src.exists()
    assert (root / "ready" / "a.png").read_bytes() == b"old"
    other = tmp_path / "b.png"
    other.write_bytes(b"x")
    with pytest.raises(ValueError, match="not a label"):
        move_into(other, root, "nowhere")
    assert other.exists()
