"""Offsets per device: the estimate from result counts (pure) and the store in the data dir."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from services.scriptor.play.offset_estimate import OffsetEstimate, estimate
from shared import device_offsets as offsets
from shared.device import DeviceInfo
from shared.device_offsets import MAX_STEP_US, PROBES_US, OffsetStore
from shared.judge_windows import WINDOWS_MS


def counts_of(errors_ms: list[float]) -> tuple[dict[str, int], int, int]:
    """What a result screen shows for these touch errors (+ late), by the judge windows."""
    names = ("perfect", "great", "good", "bad")
    c = dict.fromkeys((*names, "miss"), 0)
    fast = slow = 0
    for e in errors_ms:
        grade = next((n for n, w in zip(names, WINDOWS_MS, strict=True) if abs(e) <= w), "miss")
        c[grade] += 1
        if grade not in ("perfect", "miss"):
            fast, slow = fast + (e < 0), slow + (e > 0)
    return c, fast, slow


@pytest.mark.parametrize("mean", [-58.0, -43.0, -35.0, 33.0, 45.0, 55.0])
@pytest.mark.parametrize("sd", [2.0, 6.0])
def test_the_estimate_finds_the_mean_error_not_only_its_sign(mean: float, sd: float) -> None:
    rng = random.Random(int(mean * 10 + sd))
    est = estimate(*counts_of([rng.gauss(mean, sd) for _ in range(600)]))
    assert est is not None and abs(est.mean_error_ms - mean) <= 3.0, est


def test_all_perfect_says_nothing_so_nothing_moves() -> None:
    est = estimate({"perfect": 500}, 0, 0)
    assert est is not None and est.mean_error_ms == 0.0 and est.shift_us == 0


def test_a_lone_great_moves_the_offset_little() -> None:
    est = estimate({"perfect": 599, "great": 1}, 0, 1)
    assert est is not None and 0 <= est.mean_error_ms <= 10


def test_fast_means_early_so_the_touches_go_later() -> None:
    est = estimate({"perfect": 10, "good": 400, "great": 90}, 490, 0)
    assert est is not None and est.mean_error_ms < -35 and est.shift_us > 35_000


def test_an_untouched_song_says_nothing() -> None:
    assert estimate({"miss": 600}, 0, 0) is None
    assert estimate({}, 0, 0) is None


SIM = DeviceInfo("adb://127.0.0.1:5037", "emulator-5554", True, "raw", "bangcheater", touch_latency_us=0)
MUMU = DeviceInfo("adb", "127.0.0.1:7555", False, "raw", "bangcheater")


def test_a_new_device_starts_from_its_kind_s_default() -> None:
    assert offsets.default_offset(SIM, -45_000)[0] == 0  # the simulator says its own latency
    latent = DeviceInfo("x", "s", True, "raw", "input", touch_latency_us=12_000)
    assert offsets.default_offset(latent, -45_000)[0] == -12_000
    assert offsets.default_offset(MUMU, -45_000) == (-45_000, "the config's correction_time")
    assert offsets.device_key(SIM) == "sim:emulator-5554" and offsets.device_key(MUMU) == "127.0.0.1:7555"


def test_the_store_keeps_each_device_apart_and_learns_bounded(tmp_path: Path) -> None:
    store = OffsetStore(tmp_path)
    assert store.current("a", 0, "default").offset_us == 0
    assert store.current("b", -45_000, "config").offset_us == -45_000
    move = store.learn("a", 0, OffsetEstimate(mean_error_ms=-30.0, sigma_ms=2, hits=500, misses=0))
    assert move.why == "learned" and move.offset_us == 30_000
    # A huge estimate (a misread?) moves at most MAX_STEP_US.
    store.learn("a", 30_000, OffsetEstimate(mean_error_ms=500.0, sigma_ms=2, hits=500, misses=0))
    assert store.current("a", 0, "").offset_us == 30_000 - MAX_STEP_US
    assert store.current("b", 0, "").offset_us == -45_000  # untouched
    # Survives a restart: it is a file in the data dir.
    raw = json.loads(offsets.offsets_path(tmp_path).read_text())
    assert raw["devices"]["a"]["offset_us"] == 30_000 - MAX_STEP_US and len(raw["devices"]["a"]["moves"]) == 2


def test_a_pinned_offset_is_never_learned(tmp_path: Path) -> None:
    store = OffsetStore(tmp_path)
    store.pin("a", -20_000, pinned=True)
    move = store.learn("a", -20_000, OffsetEstimate(mean_error_ms=40.0, sigma_ms=2, hits=500, misses=0))
    assert move.why == "pinned" and store.current("a", 0, "").offset_us == -20_000
    store.pin("a", None, pinned=False)
    store.learn("a", -20_000, OffsetEstimate(mean_error_ms=10.0, sigma_ms=2, hits=500, misses=0))
    assert store.current("a", 0, "").offset_us == -30_000


def test_a_play_that_cannot_say_moves_nothing(tmp_path: Path) -> None:
    store = OffsetStore(tmp_path)
    store.current("a", 5_000, "")
    move = store.learn("a", 5_000, None, misses=600, why_not="start sync failed")
    assert move.offset_us == 5_000 and move.why.startswith("not learned: start sync failed")


def test_every_note_missed_probes_either_way_then_returns(tmp_path: Path) -> None:
    store = OffsetStore(tmp_path)
    store.current("a", 0, "")
    seen = []
    for _ in range(len(PROBES_US) + 1):
        used = store.current("a", 0, "").offset_us
        seen.append(store.learn("a", used, None, misses=600).offset_us)
    assert seen == [*PROBES_US, 0]
    # A play with hits ends the probing.
    store.learn("a", PROBES_US[0], None, misses=600)
    store.learn("a", PROBES_US[0], OffsetEstimate(mean_error_ms=5.0, sigma_ms=2, hits=500, misses=0))
    assert store.get("a") is not None and store.get("a").probes == 0  # type: ignore[union-attr]


def test_an_unreadable_file_is_kept_aside_not_lost(tmp_path: Path) -> None:
    path = offsets.offsets_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    store = OffsetStore(tmp_path)
    assert store.current("a", 7_000, "").offset_us == 7_000
    assert path.with_name("offsets.json.unreadable").read_text() == "{not json"
