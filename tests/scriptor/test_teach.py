"""Teach while it runs: the scriptor loop on a game that is not the simulator
(services/testing/foreign_screens.py), the shipped network and a screen gallery in the data dir. An
unplaced screen is asked about, the answer joins the gallery and the loop acts on it; the
next frame of that screen is placed without a question; an unanswered question times out
and the loop recovers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from services.recognition.ui.prototypes import ScreenReader
from services.scriptor.loop import Scriptor
from services.scriptor.play import PlayOptions, compile_chart
from services.scriptor.teach import AUTO_COVERED, MIN_SEEN, Teacher
from services.scriptor.tools import SongGuess, Tools
from services.testing.foreign_screens import ForeignGame
from shared.catalog import load_catalog
from shared.chart.library import ChartLibrary
from shared.config.scriptor import AskUnplaced, ScriptorConfig
from shared.screens import UI_STATES
from shared.task_context import Reply
from tests.scriptor.loop_helpers import FakePlayer, ScriptedDevice
from tests.task_double import RecordingContext

GAME = ForeignGame(seed=5)


@dataclass
class ForeignDevice(ScriptedDevice):
    seed: int = 0

    def screencap(self) -> Any:
        self.seed += 1
        return GAME.frame(self.state, np.random.default_rng(self.seed))


def make(
    tmp_path: Path, dev: ScriptedDevice, replies: list[Reply], **cfg: Any
) -> tuple[Scriptor, ScreenReader]:
    ctx = RecordingContext(tmp_path, ScriptorConfig.model_validate({"mode": "Free", **cfg}), replies)
    reader = ScreenReader(tmp_path)
    teacher = Teacher(ctx, reader)

    def classify(frame: Any) -> tuple[str, float]:
        r = reader.read(frame)
        return r.state, r.confidence

    tools = Tools(
        device=dev,
        classify=classify,
        recognise=lambda frame, multi: SongGuess(None, "test"),
        charts=ChartLibrary(tmp_path),
        catalog=load_catalog(tmp_path),
        compile=lambda chart, config, level: compile_chart(chart, PlayOptions.from_config(config)),
        player=FakePlayer,
        start_time=lambda chart: 0.0,
        settle=teacher.settle,
    )
    return Scriptor(ctx, tools), reader


def ctx_of(s: Scriptor) -> RecordingContext[ScriptorConfig]:
    assert isinstance(s.ctx, RecordingContext)
    return s.ctx


def test_an_unplaced_screen_is_asked_about_taught_and_acted_on(tmp_path: Path) -> None:
    dev = ForeignDevice("story_skip")
    s, reader = make(tmp_path, dev, [Reply("No", "story_skip")], ask_unplaced="Ask")
    s.cycle()
    ctx = ctx_of(s)
    assert len(ctx.prompts) == 1 and "cannot place this screen" in ctx.prompts[0]
    assert ctx.choices[0][0] == UI_STATES[0] and len(ctx.choices[0]) == len(UI_STATES)  # untaught first
    assert any(m.get("unplaced") for m in ctx.metas)  # the frame (and its group) was shown
    assert (
        "\nstory_skip: " in ctx.prompts[0] and "ready_adjust: " in ctx.prompts[0]
    )  # the catalogue's buttons
    assert reader.user_counts()["story_skip"] == 1
    assert dev.backs == 0 and dev.taps  # acted on the answer: story_skip's tap, no BACK
    assert ctx.states[-1]["screen"] == "story_skip"

    s.cycle()  # another frame of the same screen: placed by the gallery, no question
    assert len(ctx.prompts) == 1
    assert ctx.states[-1]["screen"] == "story_skip"


def test_similar_unplaced_frames_are_labelled_by_one_answer(tmp_path: Path) -> None:
    dev = ForeignDevice("tour")
    s, reader = make(tmp_path, dev, [Reply("No", "tour")], ask_unplaced="Recover")
    for _ in range(3):
        s.cycle()  # recovering: BACK presses, the frames are kept
    assert dev.backs >= 1 and ctx_of(s).prompts == []
    s.ctx.config.ask_unplaced = AskUnplaced.Ask  # the user switches to asking
    s.cycle()
    assert len(ctx_of(s).prompts) == 1
    assert reader.user_counts()["tour"] >= 2  # the frame asked about and the similar ones kept


def test_an_unanswered_question_times_out_and_the_loop_recovers(tmp_path: Path) -> None:
    dev = ForeignDevice("story_skip")
    s, reader = make(tmp_path, dev, [], ask_unplaced="Ask", ask_timeout_s=10)
    s.cycle()
    ctx = ctx_of(s)
    assert len(ctx.prompts) == 1
    assert dev.backs == 1  # recovered
    assert any("no answer in 10 s" in m for m in ctx.warnings())
    for _ in range(3):
        s.cycle()  # quiet for a while: no second question, recovering
    assert len(ctx.prompts) == 1 and dev.taps == []
    assert reader.user_counts()["story_skip"] == 0


def test_auto_asks_only_once_most_frames_go_unplaced(tmp_path: Path) -> None:
    dev = ForeignDevice("story_skip")
    s, _ = make(tmp_path, dev, [Reply("Drop")], ask_unplaced="Auto")
    for _ in range(MIN_SEEN - 1):
        s.cycle()
    assert ctx_of(s).prompts == []  # too few frames seen to judge the gallery's cover
    s.cycle()
    assert len(ctx_of(s).prompts) == 1  # every frame unplaced: a game it does not know
    s.cycle()  # answered "none of them": that screen is not asked about again
    assert len(ctx_of(s).prompts) == 1


def test_auto_recovers_where_the_game_is_covered(tmp_path: Path) -> None:
    """A run that placed many screens meets a burst of unknown frames (a popup nobody
    labelled): it recovers as before instead of waiting on the user."""
    dev = ForeignDevice("story_skip")
    s, _ = make(tmp_path, dev, [], ask_unplaced="Auto")
    teacher = s.t.settle.__self__  # type: ignore[union-attr]
    assert isinstance(teacher, Teacher)
    teacher.placed_states.update(UI_STATES[:AUTO_COVERED])
    for _ in range(MIN_SEEN + 3):
        s.cycle()
    assert ctx_of(s).prompts == []


def test_the_question_describes_each_state_by_the_catalogues_buttons() -> None:
    from services.scriptor.teach import describe, schematic
    from shared.catalogue import screen

    for state in UI_STATES:
        line = describe(state)
        assert line.startswith(f"{state}: ")
        for b in screen(state).buttons:
            assert b.name in line
    assert schematic("ready").shape == (180, 320, 3)


def test_auto_keeps_asking_on_a_new_game_after_teaching_some_screens(tmp_path: Path) -> None:
    """States the user taught in the run do not make the game covered: a first run on a new
    game goes on asking after its first 8 answers."""
    dev = ForeignDevice("story_skip")
    s, _ = make(tmp_path, dev, [Reply("Drop")], ask_unplaced="Auto")
    teacher = s.t.settle.__self__  # type: ignore[union-attr]
    assert isinstance(teacher, Teacher)
    rng = np.random.default_rng(0)
    for state in UI_STATES[:AUTO_COVERED]:
        teacher.reader.teach(GAME.frame(state, rng), state)
        teacher.placed_states.add(state)
    for _ in range(MIN_SEEN):
        s.cycle()
    assert len(ctx_of(s).prompts) == 1


@dataclass
class UnknownScreens(ForeignDevice):
    def screencap(self) -> Any:
        self.seed += 1
        return GAME.unknown_frame(np.random.default_rng(self.seed))


@pytest.mark.parametrize("all_taught", [True, False])
def test_auto_asks_no_more_once_every_state_is_taught(tmp_path: Path, all_taught: bool) -> None:
    """A gallery with the user's frames of every state covers the game: unknown frames are
    recovered from, not asked about; with one state left to teach they are asked about."""
    from services.recognition.ui.dataset import add_frame, dataset_dir

    rng = np.random.default_rng(0)
    for state in UI_STATES if all_taught else UI_STATES[1:]:
        ok, png = cv2.imencode(".png", GAME.frame(state, rng))
        assert ok
        add_frame(png.tobytes(), dataset_dir(tmp_path), state, "f.png")
    s, reader = make(tmp_path, UnknownScreens("story_skip"), [Reply("Drop")], ask_unplaced="Auto")
    assert len(reader.untaught()) == (0 if all_taught else 1)
    for _ in range(MIN_SEEN + 3):
        s.cycle()
    assert (ctx_of(s).prompts == []) == all_taught


def test_a_screen_answered_none_is_not_asked_about_in_the_next_run(tmp_path: Path) -> None:
    """Drop keeps the frame in imgs/unknown/ (the rejection class training reads): the next
    run's reader remembers it, and the screen stays unknown to the scriptor, unasked."""
    s, reader = make(tmp_path, ForeignDevice("story_skip"), [Reply("Drop")], ask_unplaced="Ask")
    s.cycle()
    assert len(ctx_of(s).prompts) == 1
    kept = list((tmp_path / "ui_recognition" / "imgs" / "unknown").iterdir())
    assert len(kept) == 1 and len(reader.dismissed) == 1
    assert reader.user_counts()["story_skip"] == 0  # never a state's prototype

    again, reader2 = make(tmp_path, ForeignDevice("story_skip", seed=100), [], ask_unplaced="Ask")
    assert len(reader2.dismissed) == 1
    for _ in range(3):
        again.cycle()
    assert ctx_of(again).prompts == []
    assert ctx_of(again).states[-1]["screen"] == "unknown"
