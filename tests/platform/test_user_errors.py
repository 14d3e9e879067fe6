"""An expected user error ends a task with one plain sentence (no exception class name);
the traceback is only the log line's details."""

from __future__ import annotations

from services.testing.events import start, wait_status
from services.testing.stack import Stack


def test_a_user_error_is_one_plain_sentence_with_the_traceback_behind_details(live: Stack) -> None:
    start(live.url, "ui_recognition", "add_img", {"screenshot_dir": "no-such-folder"})
    state = wait_status(live.url, "ui_recognition", "failed")
    assert state["error"] == "no screenshots in no-such-folder", state
