"""The command line: python -m services.recognition.song <command>."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from services.recognition.song.cli import main
from shared.title_render import render_title
from tests.recognition.conftest import SAMPLE_IDS


def test_render_build_identify_add_stats_evaluate(
    tmp_path: Path, reference_data: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = json.loads((reference_data / "songs-all.json").read_text(encoding="utf-8"))
    catalog = tmp_path / "songs.json"
    catalog.write_text(json.dumps({k: v for k, v in raw.items() if int(k) in SAMPLE_IDS}), encoding="utf-8")
    titles, gallery = tmp_path / "t", tmp_path / "g.json"
    assert main(["render", "--catalog", str(catalog), "--out", str(titles)]) == 0
    assert len(list(titles.glob("t-*.png"))) == len(SAMPLE_IDS)
    common = ["--titles", str(titles), "--gallery", str(gallery), "--model", str(tiny_model)]
    assert main(["build-gallery", *common]) == 0
    assert len(json.loads(gallery.read_text())) == len(SAMPLE_IDS)
    capsys.readouterr()

    assert main(["identify", *common, str(titles / "t-26.png")]) == 0
    out = json.loads(capsys.readouterr().out.strip())
    assert out["id"] == 26 and out["score"] > 0.9

    new = tmp_path / "t-777.png"
    cv2.imwrite(str(new), render_title("コマンドラインの新曲"))
    assert main(["add", *common, str(new)]) == 0
    assert "added song 777" in capsys.readouterr().out
    assert main(["add", *common, str(new)]) == 2  # refused: already in the gallery
    assert "already in the gallery" in capsys.readouterr().err

    png, js = tmp_path / "h.png", tmp_path / "h.json"
    assert main(["stats", *common, "--pairs", "256", "--png", str(png), "--json", str(js)]) == 0
    st = json.loads(js.read_text())
    assert png.read_bytes().startswith(b"\x89PNG") and sum(st["histogram"]["counts"]) == 256
    assert -1.0 <= st["min"] <= st["max"] <= 1.0 and "gap" in st

    rep = tmp_path / "e.json"
    args = [
        "evaluate",
        "--titles",
        str(titles),
        "--model",
        str(tiny_model),
        "--per-title",
        "2",
        "--json",
        str(rep),
    ]
    assert main(args) == 0
    report = json.loads(rep.read_text())
    assert report["user"]["queries"] > 0 and 0.0 <= report["user"]["learned_top1"] <= 1.0
    assert "classical_top1" in report["hard"]


def test_missing_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["build-gallery", "--titles", str(tmp_path / "nope"), "--gallery", str(tmp_path / "g.json")])
        == 2
    )
    assert "title folder not found" in capsys.readouterr().err
