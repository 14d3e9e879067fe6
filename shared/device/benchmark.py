"""Measure each capture backend on the connected device and pick the fastest that works.

``autobang device benchmark`` prints the table; ``AUTOBANG_CAPTURE=auto`` runs a short
measurement on the first capture and keeps the winner. A backend's time is what a
``screencap()`` call costs the caller (for ``stream``: handing over the newest decoded
frame; its start-up, the time to the first frame, is reported apart).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from shared.device.capture import CAPTURE_NAMES, Capture
from shared.device.errors import DeviceError

AUTO_FRAMES = 3  # per backend when choosing automatically: enough to see an order of magnitude


class Measurable(Protocol):
    def make_capture(self, name: str) -> Capture: ...


@dataclass(frozen=True)
class BackendResult:
    backend: str
    frames: int  # captures that succeeded
    start_ms: float  # the first capture (stream: until the first decoded frame)
    mean_ms: float
    p95_ms: float
    max_ms: float
    error: str = ""  # why it does not work here ("" when it does)

    @property
    def ok(self) -> bool:
        return not self.error and self.frames > 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * q // 100)))
    return ordered[int(rank) - 1]


def summarise(backend: str, start_ms: float, times_ms: list[float], error: str = "") -> BackendResult:
    if not times_ms:
        return BackendResult(backend, 0, start_ms, 0.0, 0.0, 0.0, error or "no frame")
    return BackendResult(
        backend,
        len(times_ms),
        round(start_ms, 2),
        round(sum(times_ms) / len(times_ms), 2),
        round(percentile(times_ms, 95), 2),
        round(max(times_ms), 2),
        error,
    )


def measure(device: Measurable, backend: str, frames: int) -> BackendResult:
    """Time ``frames`` captures after the first (which includes any start-up)."""
    times: list[float] = []
    start_ms = 0.0
    try:
        capture = device.make_capture(backend)
    except DeviceError as exc:
        return summarise(backend, 0.0, [], str(exc))
    try:
        t0 = time.perf_counter()
        capture.grab()
        start_ms = (time.perf_counter() - t0) * 1000
        for _ in range(frames):
            t0 = time.perf_counter()
            capture.grab()
            times.append((time.perf_counter() - t0) * 1000)
    except DeviceError as exc:
        return summarise(backend, start_ms, times, str(exc))
    finally:
        capture.close()
    return summarise(backend, start_ms, times)


def benchmark(
    device: Measurable, frames: int = 20, backends: tuple[str, ...] = CAPTURE_NAMES
) -> list[BackendResult]:
    return [measure(device, name, frames) for name in backends]


def fastest(results: list[BackendResult]) -> BackendResult | None:
    working = [r for r in results if r.ok]
    return min(working, key=lambda r: r.mean_ms) if working else None


def choose_capture(device: Measurable, frames: int = AUTO_FRAMES) -> tuple[Capture, str]:
    """The fastest working backend, opened, and why it was chosen (for DeviceInfo)."""
    results = benchmark(device, frames)
    best = fastest(results)
    if best is None:
        raise DeviceError(
            "no capture backend works: " + "; ".join(f"{r.backend}: {r.error}" for r in results)
        )
    why = ", ".join(f"{r.backend} {r.mean_ms:g} ms" if r.ok else f"{r.backend} failed" for r in results)
    return device.make_capture(best.backend), f"fastest measured: {why}"


def table(results: list[BackendResult]) -> str:
    """The benchmark as a plain-text table."""
    lines = [f"{'backend':8} {'frames':>6} {'start':>9} {'mean':>9} {'p95':>9} {'max':>9}  error"]
    for r in results:
        lines.append(
            f"{r.backend:8} {r.frames:6d} {r.start_ms:7.1f}ms {r.mean_ms:7.1f}ms {r.p95_ms:7.1f}ms "
            f"{r.max_ms:7.1f}ms  {r.error}"
        )
    best = fastest(results)
    lines.append(f"fastest: {best.backend}" if best else "no backend works")
    return "\n".join(lines)
