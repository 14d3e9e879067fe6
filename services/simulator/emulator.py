"""The simulated emulator: the game, its screen and its input behind the ADB server.

``Emulator`` is the ADB server's ``Backend``: it runs shell commands (``shell.parse``)
against the game (``game.Game``), serves frames drawn from the game's view (``frames``),
owns the touch servers (device-side ``tcp:`` ports behind ``adb forward``) and keeps the
report in the data dir. Everything runs on one asyncio loop; drawing and encoding run in
worker threads so touch commits are stamped on time.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import threading
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from services.simulator import programs, shell
from services.simulator.adb_server import AdbServer
from services.simulator.charts import ChartSource
from services.simulator.game import Game, GameView
from services.simulator.report import ReportWriter, build_report
from services.simulator.scenario import Scenario
from services.simulator.touch_server import Commit, TouchEvent, TouchServers, TouchSpace, display_to_game

log = logging.getLogger(__name__)

Frame = np.ndarray
Renderer = Callable[[GameView], Frame]  # a 720x1280x3 BGR frame of a view
RAW_FORMAT_RGBA_8888 = 1
COLOUR_SPACE_SRGB = 1
MINITOUCH_SOCKET = "minitouch"  # localabstract name, as minitouch uses


class Emulator:
    def __init__(
        self,
        scenario: Scenario,
        data_dir: Path,
        *,
        renderer: Renderer | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sc = scenario
        self.serial = scenario.serial
        self.clock = clock
        # Charts and catalog: the scenario's chart_dir, else the data dir (then the shipped ones).
        library = scenario.chart_dir or data_dir
        self.charts = ChartSource(library, scenario.max_song_s)
        self.game = Game(scenario, self.charts.load, clock())
        if renderer is None:
            from services.simulator.frames import FrameRenderer

            renderer = FrameRenderer(scenario, library)
        self.renderer = renderer
        self.files: dict[str, bytes] = {}  # device-side files (adb push), for bangcheater's f
        self.modes: dict[str, int] = {}  # their permission bits (push's mode, chmod)
        self.started: dict[str, int] = {}  # abstract sockets of started programs -> their count
        t = scenario.touch
        self.display = scenario.display
        self.touch = TouchServers(
            sink=self._commit,
            clock=clock,
            space=TouchSpace(t.max_x, t.max_y, t.rotation),
            display=scenario.display,
            read_file=self.files.get,
            calibrate=self._calibrate,
        )
        self.adb = AdbServer(self)
        self.report = ReportWriter(data_dir)
        self._frame_cache: tuple[tuple[int, str], Frame] | None = None
        self._report_task: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, port: int = 0, host: str = "127.0.0.1") -> int:
        self.adb.host = host
        self.adb.port = port
        await self.touch.start()
        await self.adb.start()
        self._report_task = asyncio.create_task(self._report_loop())
        self.write_report()
        return self.adb.port

    async def close(self) -> None:
        if self._report_task is not None:
            self._report_task.cancel()
        await self.adb.close()
        await self.touch.close()
        self.write_report()

    def ports(self) -> dict[str, int]:
        return {
            "adb": self.adb.port,
            "minitouch": self.touch.minitouch_port,
            "bangcheater": self.touch.bangcheater_port,
        }

    def write_report(self) -> None:
        self.game.tick(self.clock())
        self.report.write(
            build_report(self.game, self.touch.violations, serial=self.serial, ports=self.ports())
        )

    async def _report_loop(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            try:
                self.write_report()
            except OSError as exc:
                log.warning("cannot write the simulator report: %s", exc)

    # -- Backend -----------------------------------------------------------------------------

    def online(self) -> bool:
        return self.game.online(self.clock())

    def endpoint(self, spec: str) -> tuple[str, int] | None:
        t = self.sc.touch
        if spec.startswith("localabstract:") and self.started.get(spec.split(":", 1)[1]):
            return ("127.0.0.1", self.touch.minitouch_port)
        if not self.sc.touch_preinstalled:  # nothing listens until a pushed program starts
            return None
        if spec in (f"tcp:{t.minitouch_port}", f"localabstract:{MINITOUCH_SOCKET}"):
            return ("127.0.0.1", self.touch.minitouch_port)
        if spec == f"tcp:{t.bangcheater_port}":
            return ("127.0.0.1", self.touch.bangcheater_port)
        return None

    async def run(
        self, command: str, writer: asyncio.StreamWriter, hung_up: Callable[[], bool] = lambda: False
    ) -> None:
        status = 0
        for part in shell.split(command):
            # ``$?`` (adbutils appends ``; echo X4EXIT:$?`` to read the exit status).
            status = await self._run_one(part.replace("$?", str(status)), writer, hung_up)

    async def _run_one(
        self, command: str, writer: asyncio.StreamWriter, hung_up: Callable[[], bool] = lambda: False
    ) -> int:
        """Run one command; its exit status (127 for a command the shell does not know)."""
        cmd = shell.parse(command, self.serial, self.display, self.sc.touch.rotation == 90)
        now = self.clock()
        g = self.game
        if isinstance(cmd, shell.Screencap):
            latency = g.capture_latency(now)
            if latency:
                await asyncio.sleep(latency)
            await write_chunked(writer, await self.screencap(png=cmd.png))
        elif isinstance(cmd, shell.Tap):
            x, y = self._to_game(cmd.x, cmd.y)
            self._commit(Commit(now, (TouchEvent("d", 0, x, y),), "input"))
            self._commit(Commit(self.clock(), (TouchEvent("u", 0, x, y),), "input"))
        elif isinstance(cmd, shell.Swipe):
            await self._swipe(cmd)
        elif isinstance(cmd, shell.Key):
            if cmd.code == "back":
                g.back(now)
        elif isinstance(cmd, shell.Start):
            if cmd.component.split("/", 1)[0] == self.sc.package:
                g.start_app(now)
                if "/" in cmd.component:
                    writer.write(f"Starting: Intent {{ cmp={cmd.component} }}\n".encode())
                else:
                    writer.write(b"Events injected: 1\n")
            elif "/" in cmd.component:
                writer.write(f"Error: Activity class {{{cmd.component}}} does not exist.\n".encode())
            else:
                writer.write(b"** No activities found to run, monkey aborted.\n")
        elif isinstance(cmd, shell.Stop):
            if cmd.package == self.sc.package:
                g.force_stop(now)
        elif isinstance(cmd, shell.Dumpsys):
            writer.write(self._dumpsys(cmd.what).encode())
        elif isinstance(cmd, shell.Screenrecord):
            await self._screenrecord(cmd, writer)
        elif isinstance(cmd, shell.Chmod):
            if cmd.path not in self.files:
                writer.write(f"chmod: {cmd.path}: No such file or directory\n".encode())
                return 1
            self.modes[cmd.path] = cmd.mode
        elif isinstance(cmd, shell.Remove):
            self.files.pop(cmd.path, None)
            self.modes.pop(cmd.path, None)
        elif isinstance(cmd, shell.Program):
            return await self._program(cmd, writer, hung_up)
        elif isinstance(cmd, shell.Text | shell.Error):
            writer.write(cmd.output.encode())
            if isinstance(cmd, shell.Error):
                return 127 if cmd.output.endswith("not found\n") else 1
        return 0

    # -- pushed programs ---------------------------------------------------------------------

    async def _program(
        self, cmd: shell.Program, writer: asyncio.StreamWriter, hung_up: Callable[[], bool]
    ) -> int:
        """Run a pushed file (``programs.launch``); a minitouch serves its socket until its
        shell connection closes (or the device goes offline)."""
        outcome = programs.launch(cmd.path, cmd.args, self.files.get(cmd.path), self.modes.get(cmd.path, 0))
        if isinstance(outcome, programs.Refused):
            writer.write(outcome.output.encode())
            return outcome.status
        if isinstance(outcome, programs.Exited):
            writer.write(outcome.output.encode())
            return 0
        if self.started.get(outcome.socket):
            writer.write(b"Unable to bind socket: Address already in use\n")
            return 1
        t = self.sc.touch
        writer.write(programs.minitouch_banner(t.max_x, t.max_y, self.touch.max_contacts).encode())
        self.started[outcome.socket] = 1
        # On the simulator's output (as its ports): which injector a test's device started.
        print(f"[simulator] {cmd.path}: minitouch started on localabstract:{outcome.socket}", flush=True)
        try:
            await writer.drain()
            while not writer.is_closing() and not hung_up() and self.online():
                await asyncio.sleep(0.1)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.started.pop(outcome.socket, None)
            print(f"[simulator] {cmd.path}: minitouch on localabstract:{outcome.socket} ended", flush=True)
        return 0

    # -- input -------------------------------------------------------------------------------

    def _commit(self, c: Commit) -> None:
        self.game.commit(c)

    def _to_game(self, x: float, y: float) -> tuple[float, float]:
        """A point of the display (``input`` takes display pixels) in the game's 1280x720."""
        return display_to_game(self.display, x, y)

    async def _swipe(self, cmd: shell.Swipe) -> None:
        steps = max(int(cmd.ms / 16), 1)
        x1, y1 = self._to_game(cmd.x1, cmd.y1)
        x2, y2 = self._to_game(cmd.x2, cmd.y2)
        self._commit(Commit(self.clock(), (TouchEvent("d", 0, x1, y1),), "input"))
        for k in range(1, steps + 1):
            await asyncio.sleep(cmd.ms / 1000 / steps)
            f = k / steps
            x, y = x1 + (x2 - x1) * f, y1 + (y2 - y1) * f
            self._commit(Commit(self.clock(), (TouchEvent("m", 0, x, y),), "input"))
        self._commit(Commit(self.clock(), (TouchEvent("u", 0, x2, y2),), "input"))

    def _calibrate(self, predict_us: int) -> str:
        """bangcheater ``C``: how far the game's actual start is from the prediction, as the
        device-side helper measures it (0 when no play is running)."""
        play = self.game.play
        return "0" if play is None else str(round(play.t0 * 1e6) - predict_us)

    def _dumpsys(self, what: str) -> str:
        fg = self.game.foreground
        if what == "window":
            return (
                f"  mCurrentFocus=Window{{4e3f1a2 u0 {fg}}}\n"
                f"  mFocusedApp=ActivityRecord{{9c1 u0 {fg} t12}}\n"
            )
        if what == "activity":
            return f"    mResumedActivity: ActivityRecord{{9c1 u0 {fg} t12}}\n"
        if what == "input":
            orientation = 1 if self.sc.touch.rotation == 90 else 0
            return f"INPUT MANAGER (dumpsys input)\n    SurfaceOrientation: {orientation}\n"
        return ""

    # -- frames ------------------------------------------------------------------------------

    async def _frame_async(self) -> Frame:
        view = self.game.view(self.clock())
        key = (view.key, view.state)
        cached = self._frame_cache
        if view.state != "playing" and cached is not None and cached[0] == key:
            return cached[1]
        frame: Frame = await asyncio.to_thread(self.renderer, view)
        if view.state != "playing":
            self._frame_cache = (key, frame)
        return frame

    async def screencap(self, *, png: bool) -> bytes:
        frame = await self._frame_async()
        if png:
            return await asyncio.to_thread(lambda: encode_png(on_display(frame, self.display)))
        return await asyncio.to_thread(encode_raw, frame, self.display)

    async def _screenrecord(self, cmd: shell.Screenrecord, writer: asyncio.StreamWriter) -> None:
        import av

        codec = av.CodecContext.create("libx264", "w")
        codec.width, codec.height = cmd.width, cmd.height
        codec.pix_fmt = "yuv420p"
        codec.time_base = Fraction(1, self.sc.fps)
        codec.framerate = Fraction(self.sc.fps, 1)
        codec.bit_rate = cmd.bit_rate
        codec.options = {"preset": "ultrafast", "tune": "zerolatency"}
        period = 1 / self.sc.fps
        start = self.clock()
        n = 0
        # The encoder runs in a worker thread; a client that leaves cancels this coroutine
        # while that thread may still be encoding. libx264 aborts the process when one
        # context is used from two threads at once, so every use holds this lock.
        busy = threading.Lock()

        def encode(frame: Frame, pts: int) -> bytes:
            if frame.shape[1] != cmd.width or frame.shape[0] != cmd.height:
                frame = cv2.resize(frame, (cmd.width, cmd.height), interpolation=cv2.INTER_AREA)
            vf = av.VideoFrame.from_ndarray(frame, format="bgr24")
            vf.pts = pts
            with busy:
                return b"".join(bytes(p) for p in codec.encode(vf))

        try:
            # A device that goes offline drops its connections, the stream's too.
            while self.clock() - start < cmd.time_limit_s and not writer.is_closing() and self.online():
                frame = await self._frame_async()
                data = await asyncio.to_thread(encode, frame, n)
                if data:
                    writer.write(data)
                    await writer.drain()
                n += 1
                # A slow device ("slow" fault) sends a frame only every latency.
                delay = max(start + n * period - self.clock(), self.game.capture_latency(self.clock()))
                if delay > 0:
                    await asyncio.sleep(delay)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            # No flush: the client has gone, and flushing from the loop thread right after
            # a worker thread encoded aborted libx264 (seen in the test suite). Waiting for
            # an encode in flight before the context is dropped keeps it single-threaded.
            busy.acquire()
            busy.release()


WRITE_CHUNK = 1 << 18


async def write_chunked(writer: asyncio.StreamWriter, data: bytes) -> None:
    """A large answer (8 MB for a raw 1920x1080 frame) in pieces, each drained: asyncio's
    transport copies what the socket does not take at once and shifts its buffer after
    every send, which for one 8 MB write costs tens of ms."""
    view = memoryview(data)
    for i in range(0, len(view), WRITE_CHUNK):
        writer.write(view[i : i + WRITE_CHUNK])
        await writer.drain()


def on_display(frame: Frame, display: tuple[int, int]) -> Frame:
    """The game's 1280x720 picture as the display shows it (scaled to its pixels)."""
    w, h = display
    if frame.shape[1] == w and frame.shape[0] == h:
        return frame
    return cv2.resize(frame, (w, h), interpolation=cv2.INTER_LINEAR)


def encode_raw(frame: Frame, display: tuple[int, int] | None = None) -> bytes:
    """``screencap`` without ``-p``: width, height, format (RGBA_8888), colour space, pixels
    (scaled to ``display``; converted first, at the game's smaller size: cheaper)."""
    rgba = on_display(cv2.cvtColor(frame, cv2.COLOR_BGR2RGBA), display or (frame.shape[1], frame.shape[0]))
    h, w = rgba.shape[:2]
    return struct.pack("<4I", w, h, RAW_FORMAT_RGBA_8888, COLOUR_SPACE_SRGB) + rgba.tobytes()


def encode_png(frame: Frame) -> bytes:
    ok, buf = cv2.imencode(".png", frame, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return bytes(buf.tobytes())
