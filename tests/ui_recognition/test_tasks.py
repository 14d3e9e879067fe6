"""add_img and train_ui_recognition called directly with a RecordingContext."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from services.recognition.ui.dataset import INBOX, dataset_dir, models_dir
from services.recognition.ui.tasks import DROPPED, add_img, train_ui_recognition
from shared.config import UIRecognitionConfig
from shared.screens import UI_STATES
from shared.task_context import Reply
from tests.task_double import RecordingContext
from tests.ui_recognition.conftest import STATES, Tiny
from tests.ui_recognition.synthetic import layout_frame, write_dataset


def _install(tiny: Tiny, data: Path) -> None:
    mdir = models_dir(data)
    mdir.mkdir(parents=True)
    for name in ("banguinet.onnx", "banguinet.pt", "banguinet.json"):
        shutil.copy(tiny.dir / name, mdir / name)


def test_add_img_yes_no_drop_stop(tmp_path: Path, tiny: Tiny) -> None:
    _install(tiny, tmp_path)
    inbox = tmp_path / INBOX
    inbox.mkdir(parents=True)
    rng = np.random.default_rng(3)
    for name, state in [("a", "ready"), ("b", "ready"), ("c", "ready"), ("d", "ready"), ("e", "ready")]:
        cv2.imwrite(str(inbox / f"{name}.png"), cv2.resize(layout_frame(state, rng), (1280, 720)))
    replies = [
        Reply("Yes"),  # a: the proposal
        Reply("No", "nope"),  # b: not a state -> asked again
        Reply("No", "17"),  # b: by id
        Reply("No", "Award_Score"),  # c: by name, any case
        Reply("Drop"),  # d
        Reply("Stop"),  # e stays in the inbox
    ]
    cfg = UIRecognitionConfig(group_similar=False)  # one question per frame
    ctx = RecordingContext(tmp_path, cfg, replies, module="ui_recognition", task="add_img")
    add_img(ctx)
    root = dataset_dir(tmp_path)
    assert (root / "ready" / "a.png").is_file()  # the tiny model knows "ready"
    assert "'ready' (" in ctx.prompts[0]
    assert (root / UI_STATES[17] / "b.png").is_file() and UI_STATES[17] == "main_page"
    assert (root / "award_score" / "c.png").is_file()
    assert (tmp_path / DROPPED / "d.png").is_file()
    assert sorted(p.name for p in inbox.iterdir()) == ["e.png"]
    assert any("'nope' is not a state" in w for w in ctx.warnings())
    assert ctx.states[-1] == {"labelled": 3, "dropped": 1, "left": 1}
    assert [k for k, _ in ctx.images] == ["frame"] * 5


def test_add_img_with_an_empty_inbox_ends_clearly(tmp_path: Path) -> None:
    ctx = RecordingContext(tmp_path, UIRecognitionConfig())
    add_img(ctx)
    assert "nothing to label" in ctx.warnings()[0] and not ctx.prompts


def test_train_reports_epochs_and_promotes(tmp_path: Path) -> None:
    # The data dir's current model is unusable: any working model replaces it.
    models_dir(tmp_path).mkdir(parents=True)
    (models_dir(tmp_path) / "banguinet.onnx").write_bytes(b"not a model")
    write_dataset(dataset_dir(tmp_path), ["ready", "main_page", "playing"], 5)
    write_dataset(dataset_dir(tmp_path), ["story"], 1)
    cfg = UIRecognitionConfig(is_load_model=False, epoch=2, batch_size=32)
    ctx = RecordingContext(tmp_path, cfg, module="ui_recognition", task="train_ui_recognition")
    train_ui_recognition(ctx)
    epochs = [p for p in ctx.progresses if "loss" in p.metrics]
    assert [p.done for p in epochs] == [1, 2] and all(p.total == 2 for p in epochs)
    assert all(0 <= float(p.metrics["val_acc"]) <= 1 for p in epochs)
    assert any("story (1)" in w for w in ctx.warnings())
    assert "confusion_matrix" in [k for k, _ in ctx.images]
    assert (models_dir(tmp_path) / "banguinet.onnx").read_bytes() != b"not a model"
    assert not (models_dir(tmp_path) / "candidate").exists()
    assert "new model saved" in ctx.text()


def test_a_model_of_a_few_screens_never_replaces_the_shipped_one(tmp_path: Path) -> None:
    # Issue 19: 4 screens, 2 epochs replaced the model and the scriptor went blind.
    write_dataset(dataset_dir(tmp_path), ["ready", "main_page", "playing", "award_score"], 3)
    cfg = UIRecognitionConfig(is_load_model=False, epoch=2, batch_size=32)
    ctx = RecordingContext(tmp_path, cfg, module="ui_recognition", task="train_ui_recognition")
    train_ui_recognition(ctx)
    assert not (models_dir(tmp_path) / "banguinet.onnx").exists()  # the shipped model stays in use
    (aside,) = (models_dir(tmp_path) / "rejected").iterdir()
    reason = (aside / "reason.txt").read_text()
    assert "knows no frames of 30 screen(s) the current model knows" in reason
    assert (aside / "banguinet.onnx").is_file()
    assert any("does not replace the current one" in w for w in ctx.warnings()), ctx.text()


def test_train_keeps_the_current_model_when_the_new_one_is_worse(tmp_path: Path, tiny: Tiny) -> None:
    _install(tiny, tmp_path)
    write_dataset(dataset_dir(tmp_path), STATES, 5, seed=11)
    before = (models_dir(tmp_path) / "banguinet.onnx").read_bytes()
    cfg = UIRecognitionConfig(is_load_model=False, epoch=1, batch_size=128, learn_rate=0.0001)
    ctx = RecordingContext(tmp_path, cfg, module="ui_recognition", task="train_ui_recognition")
    train_ui_recognition(ctx)
    assert any("keeping the current model" in w for w in ctx.warnings()), ctx.text()
    assert (models_dir(tmp_path) / "banguinet.onnx").read_bytes() == before


def test_train_without_frames_fails_clearly(tmp_path: Path) -> None:
    import pytest

    with pytest.raises(FileNotFoundError, match="add_img"):
        train_ui_recognition(RecordingContext(tmp_path, UIRecognitionConfig()))


def test_add_img_from_the_device(tmp_path: Path, tiny: Tiny) -> None:
    from shared.config.recognition import UIImageSource
    from shared.device.pictures import PictureDevice

    _install(tiny, tmp_path)
    shots = tmp_path / "device_pictures"
    shots.mkdir()
    rng = np.random.default_rng(4)
    for i, state in enumerate(["ready", "main_page"]):
        cv2.imwrite(str(shots / f"{i}.png"), cv2.resize(layout_frame(state, rng), (1280, 720)))
    cfg = UIRecognitionConfig(image_source=UIImageSource.Device)
    replies = [Reply("Yes"), Reply("Drop"), Reply("No", "story"), Reply("Stop")]
    device = PictureDevice(shots)
    ctx = RecordingContext(tmp_path, cfg, replies, module="ui_recognition", task="add_img", device=device)
    add_img(ctx)
    root = dataset_dir(tmp_path)
    assert len(list((root / "ready").glob("device-*.png"))) == 1  # frame 1: the proposal
    assert len(list((root / "story").glob("device-*.png"))) == 1  # frame 3, relabelled
    assert "'ready' (" in ctx.prompts[0] and device.count == 4
    assert ctx.states[-1] == {"labelled": 2, "dropped": 1}


def test_add_img_offers_the_states_to_pick_from_and_yes_only_with_a_proposal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import services.recognition.ui.tasks as ui_tasks

    inbox = tmp_path / INBOX
    inbox.mkdir(parents=True)
    rng = np.random.default_rng(4)
    for name in ("a", "b"):
        cv2.imwrite(str(inbox / f"{name}.png"), cv2.resize(layout_frame("ready", rng), (1280, 720)))
    replies = [Reply("No", "ready"), Reply("Stop")]
    cfg = UIRecognitionConfig(group_similar=False)
    ctx = RecordingContext(tmp_path, cfg, replies, module="ui_recognition", task="add_img")
    add_img(ctx)  # the shipped model proposes: Yes is offered
    assert ctx.options[0] == ("Yes", "No", "Drop", "Stop") and ctx.choices[0] == tuple(UI_STATES)
    assert (dataset_dir(tmp_path) / "ready" / "a.png").is_file()
    monkeypatch.setattr(ui_tasks, "current_model", lambda data_dir: tmp_path / "missing.onnx")
    stop = [Reply("Stop")]
    ctx = RecordingContext(tmp_path, cfg, stop, module="ui_recognition", task="add_img")
    add_img(ctx)  # no model, no proposal: nothing to say Yes to
    assert ctx.options[0] == ("No", "Drop", "Stop") and ctx.choices[0] == tuple(UI_STATES)


def test_add_img_asks_once_per_group_of_similar_frames(tmp_path: Path) -> None:
    """A recording (the inbox Workflow Record fills) of a game the model does not know: one
    answer labels each group, and the screen gallery takes the frames up."""
    from services.recognition.ui.prototypes import ScreenReader
    from services.testing.foreign_screens import ForeignGame

    class User(RecordingContext[UIRecognitionConfig]):
        """Answers with the screen the frame shown is of (its file name says)."""

        def ask(self, prompt: str, *args: object, **kw: object) -> Reply:
            super().ask(prompt)  # recorded
            return Reply("No", prompt.split("-", 1)[0])

    game = ForeignGame(seed=6)
    inbox = tmp_path / INBOX
    inbox.mkdir(parents=True)
    rng = np.random.default_rng(5)
    for state in ("story_skip", "tour"):
        for k in range(6):
            cv2.imwrite(str(inbox / f"{state}-{k}.png"), game.frame(state, rng))
    ctx = User(tmp_path, UIRecognitionConfig(), [Reply("No")] * 12, module="ui_recognition", task="add_img")
    add_img(ctx)
    assert 2 <= len(ctx.prompts) < 12 and "similar frame(s)" in ctx.prompts[0]
    root = dataset_dir(tmp_path)
    for state in ("story_skip", "tour"):  # every group held one screen's frames only
        assert sorted(p.name for p in (root / state).iterdir()) == [f"{state}-{k}.png" for k in range(6)]
    assert list(inbox.iterdir()) == []
    assert ScreenReader(tmp_path).user_counts()["tour"] == 6
