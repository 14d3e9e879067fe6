"""The base song and UI recognition share (services/recognition/common): one error type,
the metadata check, the train-compare-promote steps (candidate, start checkpoint, verdict,
promotion or keeping aside) and the command lines' error exit."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from services.recognition.common import promote as promotion
from services.recognition.common.cli import run
from services.recognition.common.model_file import ModelFileError, check_meta
from services.recognition.common.promote import promote
from services.recognition.song import meta as song_meta
from services.recognition.ui import meta as ui_meta


def test_both_packages_raise_the_one_error_type() -> None:
    assert song_meta.ModelFileError is ui_meta.ModelFileError is ModelFileError
    with pytest.raises(ModelFileError, match="format is 'autobang-banguinet'"):
        song_meta.check_meta(ui_meta.base_meta(), "m.onnx")  # a UI model is no TitleNet
    with pytest.raises(ModelFileError, match="no BangUINet metadata"):
        ui_meta.check_meta(None, "m.onnx")


def test_check_meta_names_the_file_and_the_field() -> None:
    want = {"format": "f", "version": 2, "input": [1, 2]}
    assert (
        check_meta({"format": "f", "version": 2, "input": [1, 2], "extra": 1}, "a", want, "Net")["extra"] == 1
    )
    with pytest.raises(ModelFileError, match=r"^b\.pt: input is \[2, 2\], this code needs \[1, 2\]$"):
        check_meta({"format": "f", "version": 2, "input": [2, 2]}, "b.pt", want, "Net")


def test_promote_moves_only_the_named_files(tmp_path: Path) -> None:
    cand, models = tmp_path / "cand", tmp_path / "models"
    cand.mkdir()
    (cand / "m.onnx").write_bytes(b"new")
    (cand / "notes.txt").write_text("stays")
    models.mkdir()
    (models / "m.onnx").write_bytes(b"old")
    (models / "m.pt").write_bytes(b"old pt")
    promote(cand, models, ["m.onnx", "m.pt"])
    assert (models / "m.onnx").read_bytes() == b"new" and not (cand / "m.onnx").exists()
    assert (models / "m.pt").read_bytes() == b"old pt"  # the candidate had none: kept
    assert (cand / "notes.txt").is_file() and not (models / "notes.txt").exists()


def test_settle_promotes_discards_or_keeps_aside(tmp_path: Path) -> None:
    models = tmp_path / "models"
    names = ["m.onnx"]
    cases = (("", False), ("new model is worse (0.1000 < 0.2000)", False), ("worse on: x", True))
    for why_not, keep in cases:
        cand = promotion.fresh_candidate(models)
        cand.mkdir(parents=True)
        (cand / "m.onnx").write_text(why_not or "promoted")
        aside = promotion.settle(cand, models, names, why_not, keep_refused=keep)
        assert not cand.exists()
        if keep:
            assert aside is not None and (aside / "reason.txt").read_text() == "worse on: x\n"
            assert (aside / "m.onnx").read_text() == "worse on: x"
        else:
            assert aside is None
    assert (models / "m.onnx").read_text() == "promoted"  # neither refused one replaced it


def test_the_current_model_and_the_start_checkpoint(tmp_path: Path) -> None:
    shipped = tmp_path / "shipped.pt"
    models = tmp_path / "models"
    assert promotion.current_model(models, "m.pt", shipped) == shipped
    assert promotion.start_checkpoint(models, "m.pt", shipped, load=True) is None  # neither exists
    shipped.write_bytes(b"s")
    assert promotion.start_checkpoint(models, "m.pt", shipped, load=True) == shipped
    models.mkdir()
    (models / "m.pt").write_bytes(b"own")
    assert promotion.start_checkpoint(models, "m.pt", shipped, load=True) == models / "m.pt"
    assert promotion.current_model(models, "m.pt", shipped) == models / "m.pt"
    assert promotion.start_checkpoint(models, "m.pt", shipped, load=False) is None


def test_the_verdict_by_one_number_and_an_unusable_current_model() -> None:
    assert promotion.worse(0.5, None) == "" and promotion.worse(0.5, 0.5) == ""
    assert promotion.worse(0.4, 0.5) == "new model is worse (0.4000 < 0.5000)"
    logged: list[tuple[str, str]] = []

    def bad() -> float:
        raise ModelFileError("old.onnx: no metadata")

    assert promotion.measure_current(bad, lambda m, level: logged.append((m, level))) is None
    assert logged == [("current model unusable (old.onnx: no metadata); replacing it", "warning")]
    assert promotion.measure_current(lambda: 0.7, lambda m, level: logged.append((m, level))) == 0.7


def test_cli_run_turns_bad_input_into_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)

    def bad(_a: argparse.Namespace) -> int:
        raise ModelFileError("x.onnx: labels is [], this code needs [...]")

    sub.add_parser("bad").set_defaults(fn=bad)
    sub.add_parser("ok").set_defaults(fn=lambda _a: 0)
    assert run(p, ["ok"]) == 0
    assert run(p, ["bad"]) == 2
    assert capsys.readouterr().err == "error: x.onnx: labels is [], this code needs [...]\n"
