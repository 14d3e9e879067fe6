from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from services.recognition.song import gallery as gal


def _g() -> gal.Gallery:
    v = np.eye(3, 128, dtype=np.float32)
    return gal.Gallery([10, 2, 1003], v, "model-a")


def test_roundtrip_json_is_the_users_list_and_binary_copy(tmp_path: Path) -> None:
    p = tmp_path / "feature_vectors.json"
    gal.save(_g(), p)
    raw = json.loads(p.read_text())
    assert [e[1] for e in raw] == [10, 2, 1003] and len(raw[0][0]) == 128
    assert p.with_suffix(".npy").is_file() and p.with_suffix(".meta.json").is_file()
    g = gal.load(p)
    assert g.ids == [10, 2, 1003] and g.model_id == "model-a"
    assert np.allclose(g.vectors, _g().vectors)


def test_edited_json_wins_over_a_stale_binary_copy(tmp_path: Path) -> None:
    p = tmp_path / "g.json"
    gal.save(_g(), p)
    raw = json.loads(p.read_text())
    raw.append([[0.0] * 127 + [1.0], 55])
    p.write_text(json.dumps(raw))
    g = gal.load(p)
    assert g.ids[-1] == 55 and len(g) == 4


def test_corrupt_gallery_gives_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "g.json"
    p.write_text("[[[0.1, 0.2], 1], [garbage")
    with pytest.raises(gal.GalleryError, match="not valid JSON"):
        gal.load(p)
    p.write_text(json.dumps([[[0.1], "x"]]))
    with pytest.raises(gal.GalleryError, match=r"entry 0 is not \[vector, id\]"):
        gal.load(p)
    p.write_text(json.dumps([[[0.1], 1], [[0.2], 1]]))
    with pytest.raises(gal.GalleryError, match="duplicate"):
        gal.load(p)


def test_add_refuses_a_known_id() -> None:
    g = _g()
    with pytest.raises(gal.GalleryError, match="already"):
        g.add(2, np.zeros(128, np.float32))
    g.add(7, np.ones(128, np.float32))
    assert g.ids[-1] == 7 and g.vectors.shape == (4, 128)


def test_appending_patches_the_json_tail(tmp_path: Path) -> None:
    p = tmp_path / "g.json"
    g = _g()
    gal.save(g, p)
    g.add(99, np.full(128, 0.5, np.float32))
    gal.save(g, p, appended=1)
    raw = json.loads(p.read_text())
    assert [e[1] for e in raw] == [10, 2, 1003, 99] and raw[-1][0][0] == 0.5
    p.with_suffix(".npy").unlink()  # force the JSON path
    assert gal.load(p).ids == [10, 2, 1003, 99]
