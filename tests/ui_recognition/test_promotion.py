"""The screen model's promotion rule (pure): coverage of the current model's screens and
no screen worse."""

from __future__ import annotations

from pathlib import Path

from services.recognition.common.promote import keep_aside
from services.recognition.ui.promotion import known_states, refusal


def test_known_states_are_those_with_training_frames() -> None:
    assert known_states({"train_counts": {"ready": 5, "playing": 0, "unknown": 3}}) == {"ready"}
    assert known_states({}) == set()


def test_a_new_model_must_cover_and_match_every_screen() -> None:
    old = {"ready", "playing", "main_page"}
    assert refusal(old | {"story"}, old, {"ready": 1.0, "playing": 0.9}, {"ready": 1.0, "playing": 0.9}) == ""
    why = refusal({"ready"}, old, {"ready": 1.0}, {"ready": 1.0})
    assert "knows no frames of 2 screen(s) the current model knows: main_page, playing" in why
    why = refusal(old, old, {"ready": 0.5, "playing": 1.0}, {"ready": 1.0, "playing": 0.5})
    assert why == "it is worse on: ready (0.50 < 1.00)"


def test_a_refused_model_is_kept_aside_with_its_reason(tmp_path: Path) -> None:
    cand = tmp_path / "candidate"
    cand.mkdir()
    (cand / "banguinet.onnx").write_bytes(b"m")
    a = keep_aside(cand, tmp_path, "it is worse on: ready")
    b_cand = tmp_path / "candidate"
    b_cand.mkdir()
    b = keep_aside(b_cand, tmp_path, "again")
    assert a != b and (a / "banguinet.onnx").read_bytes() == b"m" and b.is_dir()
    assert (a / "reason.txt").read_text() == "it is worse on: ready\n"
    assert (b / "reason.txt").read_text() == "again\n"
