"""The ``stream`` capture backend: ``screenrecord --output-format=h264`` decoded with PyAV.

The device encodes H.264 in hardware and sends only what changed, so a frame costs no
encode/transfer at the moment it is asked for: a background reader decodes continuously and
``grab()`` returns the newest frame. Android ends ``screenrecord`` after 180 s; the reader
starts it again. Nothing is installed on the device (unlike scrcpy).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import av
from av.video.codeccontext import VideoCodecContext

from shared.device.errors import BadFrame, DeviceError
from shared.device.frame import Frame, checked_screen

log = logging.getLogger(__name__)

COMMAND = "screenrecord --output-format=h264 --size 1280x720 -"
CHUNK = 1 << 16
# A pause this long in the stream means the device finished writing a frame: the H.264
# parser only ends a frame when the next one starts, so on a pause it is flushed (a still
# screen would otherwise hold back its last change).
IDLE_S = 0.008
RETRY_S = 0.5  # pause before restarting a stream that ended without a single frame


class ByteStream(Protocol):
    def read(self, n: int) -> bytes | None:
        """Up to ``n`` bytes; None when nothing came for ``IDLE_S``; b"" when it ended."""
        ...

    def close(self) -> None: ...


class StreamCapture:
    name = "stream"

    def __init__(self, open_stream: Callable[[], ByteStream], first_frame_s: float = 10.0) -> None:
        self._open = open_stream
        self._first_frame_s = first_frame_s
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._frames = 0
        # Which stream decoded ``_latest``: a frame of a stream that has ended (the emulator
        # restarted, the 180 s limit) is never handed out as the screen now.
        self._stream_no = 0
        self._latest_no = 0
        self._error: str = ""
        self._stop = threading.Event()
        self._stream: ByteStream | None = None
        self._stream_lock = threading.Lock()
        self.restarts = 0  # streams that ended and were started again (the 180 s limit)
        self._thread = threading.Thread(target=self._run, name="screenrecord", daemon=True)
        self._thread.start()

    @property
    def frames(self) -> int:
        """Frames decoded so far (all streams together)."""
        return self._frames

    def _run(self) -> None:
        try:
            self._read_streams()
        except Exception as exc:
            # Never end silently: ``grab`` then raises instead of showing the last frame.
            self._error = f"the screenrecord reader ended: {type(exc).__name__}: {exc}"
            log.exception("screenrecord reader ended")
        finally:
            with self._cond:
                self._cond.notify_all()

    def _read_streams(self) -> None:
        while not self._stop.is_set():
            got = self._frames
            try:
                stream = self._open()
                with self._stream_lock:
                    self._stream = stream
                    self._stream_no += 1
                if self._stop.is_set():
                    return  # closed while opening
                self._decode(stream)
            except (DeviceError, OSError, av.FFmpegError) as exc:
                self._error = f"{type(exc).__name__}: {exc}"
                log.debug("screenrecord stream failed", exc_info=True)
            finally:
                self._close_stream()
                with self._cond:
                    self._cond.notify_all()  # a waiting grab() learns the stream is down
            if self._stop.is_set():
                return
            self.restarts += 1
            if self._frames == got:
                self._stop.wait(RETRY_S)

    def _decode(self, stream: ByteStream) -> None:
        codec = av.CodecContext.create("h264", "r")
        assert isinstance(codec, VideoCodecContext)
        pending = False  # bytes given to the parser since its last flush
        while not self._stop.is_set():
            chunk = stream.read(CHUNK)
            if chunk is None or chunk == b"":
                if pending:
                    self._decode_packets(codec, None)
                    pending = False
                if chunk == b"":
                    return  # screenrecord's time limit, or the device went away
                continue
            pending = True
            self._decode_packets(codec, chunk)

    def _decode_packets(self, codec: VideoCodecContext, data: bytes | None) -> None:
        """Parse ``data`` (None: flush the parser) and publish every frame it completes."""
        for packet in codec.parse(data):
            try:
                frames = codec.decode(packet)
            except av.FFmpegError:  # a damaged frame (a flush inside one): wait for the next
                log.debug("undecodable H.264 packet", exc_info=True)
                continue
            for frame in frames:
                image = frame.to_ndarray(format="bgr24")
                with self._cond:
                    self._latest = image
                    self._latest_no = self._stream_no
                    self._frames += 1
                    self._error = ""
                    self._cond.notify_all()

    def grab(self) -> Frame:
        with self._cond:
            if not self._fresh():
                # No frame yet, or only one of a stream that ended: wait for the current
                # stream's first frame (a restarted screenrecord sends a whole picture).
                self._cond.wait_for(self._fresh_or_down, timeout=self._first_frame_s)
            image = self._latest if self._fresh() else None
            error = self._error
        if not self._thread.is_alive() and not self._stop.is_set():
            raise DeviceError(error or "the screenrecord reader ended")
        if self._stream is None and error:
            # The stream is down and cannot be started again (the device went away): the
            # last frame is stale, so say so instead of showing it for ever.
            raise DeviceError(f"screenrecord stream down: {error}")
        if image is None:
            why = f": {error}" if error else ""
            raise BadFrame(f"screenrecord gave no frame in {self._first_frame_s:g} s{why}")
        return checked_screen(image, "screenrecord")

    def _fresh(self) -> bool:
        """A frame of the stream open now (called holding ``_cond``)."""
        return self._latest is not None and self._latest_no == self._stream_no and self._stream is not None

    def _fresh_or_down(self) -> bool:
        down = self._stream is None and bool(self._error)
        return self._fresh() or down or not self._thread.is_alive()

    def _close_stream(self) -> None:
        """Close the current stream once: the reader (when a stream ends) and ``close``
        (to unblock the reader's read) may both try, and a second close of an adbutils
        connection raises."""
        with self._stream_lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()

    def close(self) -> None:
        self._stop.set()
        self._close_stream()  # unblocks the reader's read()
        self._thread.join(timeout=5)


def wait_frames(capture: StreamCapture, count: int, timeout: float) -> bool:
    """True once ``count`` frames were decoded (for benchmarks and tests)."""
    deadline = time.monotonic() + timeout
    while capture.frames < count:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
