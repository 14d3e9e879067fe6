"""UI (screen-state) recognition: which of the 34 screens a frame shows, or ``unknown``.

``from services.recognition.ui import UIClassifier`` is the public entry; it needs no torch
(ONNX Runtime). Training (torch) is ``train.py``; the tasks are ``tasks.py``."""

from services.recognition.ui.classifier import Prediction, UIClassifier

__all__ = ["Prediction", "UIClassifier"]
