"""Song recognition: which song is on screen, from its 36x450 title crop.

``from services.recognition.song import SongRecognizer`` is the public entry; it needs no
torch (ONNX Runtime). Training lives in ``train.py`` (torch)."""

from services.recognition.song.recognizer import Match, SongRecognizer

__all__ = ["Match", "SongRecognizer"]
