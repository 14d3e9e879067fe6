"""What the product reads from the frame on the Workflow tab: the same reading as
``autobang inspect`` (the UI classifier's state, then that screen's reader), published in
the frame's image meta so the dashboard shows it under the frame."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from services.recognition.screen.frame import FrameError
from services.recognition.screen.inspect import inspect_frame
from shared.catalog import Song, load_catalog

log = logging.getLogger(__name__)


class FrameReader:
    """Loads the classifier and the song list on first use (a second or so), then reads
    frames; a reader that fails says why in the reading instead of ending the task."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._classify: Any = None
        self._songs: list[Song] | None = None

    def _load(self) -> None:
        from services.recognition.ui import UIClassifier
        from services.recognition.ui.classifier import current_model

        net = UIClassifier(current_model(self.data_dir))

        def classify(frame: np.ndarray) -> tuple[str, float]:
            p = net.classify(frame)
            return p.state, p.confidence

        self._classify = classify
        self._songs = list(load_catalog(self.data_dir))

    def __call__(self, frame: np.ndarray) -> dict[str, Any]:
        try:
            if self._songs is None:
                self._load()
            assert self._songs is not None
            return inspect_frame(frame, "auto", self._classify, self._songs)
        except FrameError as exc:
            return {"read": False, "error": str(exc)}
        except Exception as exc:  # a broken model file must not end a capture
            log.warning("reading the frame failed: %s", exc)
            return {"read": False, "error": f"could not read the frame: {exc}"}
