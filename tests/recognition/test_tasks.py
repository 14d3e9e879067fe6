"""The two song_recognition task bodies, called in-process with a scripted context."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cv2
import pytest

from services.recognition.song import SongRecognizer, tasks
from services.recognition.song.store import list_titles, read_gray
from shared.config.recognition import SongRecognitionConfig
from shared.task_context import Reply, TaskError, TaskStopped
from shared.title_render import render_title
from tests.recognition.screens import screenshot
from tests.task_double import RecordingContext


class ImageMetaContext(RecordingContext[SongRecognitionConfig]):
    """Also keeps each image's meta (the shared double records kind and size only)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.image_meta: list[tuple[str, dict[str, Any]]] = []

    def image(self, png: bytes, *, kind: str = "frame", meta: Mapping[str, Any] | None = None) -> None:
        assert png.startswith(b"\x89PNG"), f"{kind} image is not a PNG"
        super().image(png, kind=kind, meta=meta)
        self.image_meta.append((kind, dict(meta or {})))


def _histogram_meta(ctx: ImageMetaContext) -> dict[str, Any]:
    hist = [m for k, m in ctx.image_meta if k == "similarity_histogram"]
    assert len(hist) == 1, "one similarity histogram at the end of training"
    return hist[0]


def _assert_sane_statistics(meta: dict[str, Any], songs: int) -> None:
    assert meta["pairs"] == 2048 and meta["songs"] == songs and meta["known_queries"] == songs
    assert -1.0 <= meta["min"] <= meta["mean"] <= meta["max"] <= 1.0
    assert meta["best_different"] == meta["max"]
    assert -1.0 <= meta["worst_known"] <= 1.0
    assert meta["gap"] == pytest.approx(meta["worst_known"] - meta["max"], abs=2e-4)


def _data_dir(tmp_path: Path, titles: Path, model: Path, drop: tuple[int, ...] = ()) -> Path:
    data = tmp_path / "data"
    tdir = data / "song_recognition" / "title_imgs"
    shutil.copytree(titles, tdir)
    for i in drop:
        (tdir / f"t-{i}.png").unlink()
    mdir = data / "song_recognition" / "models"
    mdir.mkdir(parents=True)
    shutil.copy(model, mdir / "titlenet.onnx")
    return data


ALL = ("Yes", "No", "Drop", "Stop")
# A training task run: its steps, batch-norm recalibration, evaluation of both models and the
# statistics cost minutes of CPU; the fast lane checks the shared train-compare-promote steps
# through the screen model's task (tests/ui_recognition/test_tasks.py) and common/promote.py.
SLOW = pytest.mark.slow


def _shots(data: Path, title_dir: Path) -> Path:
    shots = data / SongRecognitionConfig().screenshot_dir
    shots.mkdir(parents=True)
    cv2.imwrite(str(shots / "a_known.png"), screenshot(read_gray(title_dir / "t-26.png"), region=0))
    cv2.imwrite(str(shots / "b_new.png"), screenshot(read_gray(title_dir / "t-41.png"), region=1))
    cv2.imwrite(str(shots / "c_drop.png"), screenshot(render_title("捨てる画面"), region=0))
    cv2.imwrite(str(shots / "d_never.png"), screenshot(render_title("もう一枚"), region=0))
    return shots


def test_add_song_interactive(tmp_path: Path, title_dir: Path, tiny_model: Path) -> None:
    data = _data_dir(tmp_path, title_dir, tiny_model, drop=(41,))
    _shots(data, title_dir)
    replies = [
        Reply("Yes"),  # a_known: the proposal is song 26, already in the gallery
        Reply("No", "forty-one"),  # b_new: not a number -> asked again
        Reply("No", "26"),  # already in the gallery -> asked again
        Reply("No", "41"),  # accepted: added without retraining
        Reply("Drop"),  # c_drop
        Reply("Stop"),  # d_never
    ]
    ctx = RecordingContext(data, SongRecognitionConfig(), replies)
    tasks.add_song(ctx)
    assert not ctx.replies
    assert "known song 26" in ctx.prompts[0] and "That Is How I Roll!" in ctx.prompts[0]
    # Each prompt says what its answers do; a guess's Yes is not "it is new".
    assert "Yes: it is song 26 (already in the gallery, nothing added)" in ctx.prompts[0]
    assert "No: it is another song, type its id to add it" in ctx.prompts[0]
    assert "not recognised; closest is" in ctx.prompts[1]
    assert ctx.options == [ALL] * 6
    assert "song 26 is already in the gallery; nothing to add" in ctx.text()
    assert any("whole number" in m for lvl, m in ctx.logs if lvl == "error")
    assert "added song 41" in ctx.text() and "stopped by the user" in ctx.text()
    assert 41 in list_titles(tasks.title_dir(ctx))
    model = tasks.models_dir(ctx) / "titlenet.onnx"
    rec = SongRecognizer(tasks.title_dir(ctx), tasks.gallery_path(ctx), model)
    assert len(rec.gallery) == 12 and rec.get_id(read_gray(tasks.title_dir(ctx) / "t-41.png")) == 41
    assert [k for k, _ in ctx.images] == ["frame"] * 4

    # A second run asks only about the screenshot left unanswered (Stop is no answer).
    again = RecordingContext(data, SongRecognitionConfig(), [Reply("Drop")])
    tasks.add_song(again)
    assert len(again.prompts) == 1 and again.prompts[0].startswith("d_never.png:")
    assert (
        "4 screenshots in song_recognition/screenshots (3 answered before, not asked again)" in again.text()
    )
    ledger = json.loads(tasks.answered_path(ctx).read_text(encoding="utf-8"))
    assert sorted((e["file"], e["answer"], e["song"]) for e in ledger.values()) == [
        ("a_known.png", "Yes", 26),
        ("b_new.png", "No", 41),
        ("c_drop.png", "Drop", None),
        ("d_never.png", "Drop", None),
    ]
    third = RecordingContext(data, SongRecognitionConfig())  # nothing left to ask
    tasks.add_song(third)
    assert not third.prompts and "done: 0 songs added" in third.text()


def test_add_song_with_an_empty_gallery_offers_no_yes(
    tmp_path: Path, title_dir: Path, tiny_model: Path
) -> None:
    data = _data_dir(tmp_path, title_dir, tiny_model, drop=tuple(list_titles(title_dir)))
    shots = data / SongRecognitionConfig().screenshot_dir
    shots.mkdir(parents=True)
    cv2.imwrite(str(shots / "first.png"), screenshot(read_gray(title_dir / "t-26.png"), region=0))
    ctx = RecordingContext(data, SongRecognitionConfig(), [Reply("No", "26")])
    tasks.add_song(ctx)
    assert ctx.options == [("No", "Drop", "Stop")]
    assert "no proposal (the gallery is empty)" in ctx.prompts[0]
    assert "No: type the song id to add it" in ctx.prompts[0] and "Yes" not in ctx.prompts[0]
    assert "added song 26" in ctx.text() and list(list_titles(tasks.title_dir(ctx))) == [26]


def test_question_offers_only_the_answers_that_apply() -> None:
    none = tasks.question("f.png", None, "?", False, 0.0, "")
    assert none.options == ("No", "Drop", "Stop")
    guess = tasks.question("f.png", 5, "Title", False, 0.41, "")
    assert guess.options == ALL and "closest is 5 «Title» score 0.410" in guess.prompt
    assert "Yes: it is song 5 (already in the gallery, nothing added)" in guess.prompt


def test_unreadable_ledger_asks_again(tmp_path: Path, title_dir: Path, tiny_model: Path) -> None:
    data = _data_dir(tmp_path, title_dir, tiny_model)
    shots = data / SongRecognitionConfig().screenshot_dir
    shots.mkdir(parents=True)
    cv2.imwrite(str(shots / "a.png"), screenshot(read_gray(title_dir / "t-26.png"), region=0))
    ctx = RecordingContext(data, SongRecognitionConfig(), [Reply("Drop")])
    tasks.answered_path(ctx).write_text("{not json", encoding="utf-8")
    tasks.add_song(ctx)
    assert len(ctx.prompts) == 1
    assert json.loads(tasks.answered_path(ctx).read_text(encoding="utf-8"))  # rewritten whole


def test_song_and_ui_screenshots_live_apart() -> None:
    from shared.config.recognition import UIRecognitionConfig

    assert SongRecognitionConfig().screenshot_dir == "song_recognition/screenshots"
    assert SongRecognitionConfig().screenshot_dir != UIRecognitionConfig().screenshot_dir


def test_add_song_needs_a_screenshot_folder(tmp_path: Path, title_dir: Path, tiny_model: Path) -> None:
    data = _data_dir(tmp_path, title_dir, tiny_model)
    ctx = RecordingContext(data, SongRecognitionConfig(screenshot_dir="nowhere"))
    with pytest.raises(FileNotFoundError, match="nowhere"):
        tasks.add_song(ctx)


@SLOW
def test_training_reports_progress_and_keeps_a_better_model(
    tmp_path: Path, title_dir: Path, tiny_model: Path
) -> None:
    data = _data_dir(tmp_path, title_dir, tiny_model)
    before = (data / "song_recognition" / "models" / "titlenet.onnx").read_bytes()
    cfg = SongRecognitionConfig(is_load_model=False, epoch=1, num_batches=2, batch_size=32, learn_rate=0.001)
    ctx = ImageMetaContext(data, cfg)
    tasks.train_song_recognition(ctx)
    losses = [c.metrics for c in ctx.progresses if "loss" in c.metrics]
    assert len(losses) == 2 and all({"loss", "lr", "eta_s", "elapsed_s"} <= set(m) for m in losses)
    assert "loss_curve" in [k for k, _ in ctx.images]
    # Two steps from scratch cannot beat the trained model: it stays.
    assert "keeping the current model" in ctx.text()
    assert (data / "song_recognition" / "models" / "titlenet.onnx").read_bytes() == before
    # The statistics are those of the kept (trained, 12-song) model, published last.
    assert ctx.image_meta[-1][0] == "similarity_histogram"
    meta = _histogram_meta(ctx)
    _assert_sane_statistics(meta, songs=12)
    assert f"gap {meta['gap']:.4f}" in ctx.text()
    # Statistics of the current model without training: the same numbers (fixed seed).
    again = ImageMetaContext(data, cfg)
    st = tasks.publish_statistics(again)
    assert st is not None and _histogram_meta(again) == meta


def test_statistics_need_two_songs(tmp_path: Path, title_dir: Path, tiny_model: Path) -> None:
    keep = {26}
    data = _data_dir(tmp_path, title_dir, tiny_model, drop=tuple(set(list_titles(title_dir)) - keep))
    ctx = ImageMetaContext(data, SongRecognitionConfig())
    assert tasks.publish_statistics(ctx) is None
    assert not ctx.image_meta and "at least 2 songs" in ctx.text()


def test_training_can_be_stopped(tmp_path: Path, title_dir: Path, tiny_model: Path) -> None:
    data = _data_dir(tmp_path, title_dir, tiny_model)
    cfg = SongRecognitionConfig(is_load_model=False, epoch=2, num_batches=4, batch_size=32)
    ctx = RecordingContext(data, cfg, stop_after_checkpoints=2)
    with pytest.raises(TaskStopped):
        tasks.train_song_recognition(ctx)
    assert len(ctx.progresses) == 3
    assert not (data / "song_recognition" / "models" / "titlenet.pt").exists()


@SLOW
def test_training_with_two_titles_says_what_it_evaluates_on(
    tmp_path: Path, title_dir: Path, tiny_model: Path
) -> None:
    data = _data_dir(tmp_path, title_dir, tiny_model, drop=tuple(set(list_titles(title_dir)) - {26, 41}))
    cfg = SongRecognitionConfig(is_load_model=False, epoch=1, num_batches=1, batch_size=32)
    ctx = RecordingContext(data, cfg)
    tasks.train_song_recognition(ctx)
    assert "training arcface on 2 titles (none held out: too few titles)" in ctx.text()
    assert "held-out" not in ctx.text()
    assert "on the 2 trained titles (too few titles to hold any out" in ctx.text()


def test_eval_subject_names_the_held_out_titles() -> None:
    assert tasks.eval_subject([1, 2, 3], {1, 2}) == "1 held-out titles (not trained on)"
    assert tasks.eval_subject([1, 2], {1, 2}).startswith("the 2 trained titles")


@pytest.mark.parametrize("keep", [set(), {26}])
def test_training_with_too_few_titles_is_a_task_error(
    tmp_path: Path, title_dir: Path, tiny_model: Path, keep: set[int]
) -> None:
    data = _data_dir(tmp_path, title_dir, tiny_model, drop=tuple(set(list_titles(title_dir)) - keep))
    ctx = RecordingContext(data, SongRecognitionConfig())
    expected = f"at least 2 songs; song_recognition/title_imgs has {len(keep)}: add songs first"
    with pytest.raises(TaskError, match=expected):
        tasks.train_song_recognition(ctx)
