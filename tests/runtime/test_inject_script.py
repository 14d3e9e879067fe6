"""``scripts/inject`` against the real stack (``autobang up``): it finds Redis through
``--data-dir``, follows the job to its end and sets the exit code by the outcome."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import httpx
import pytest

from services.testing.stack import ROOT, Stack, wait_state
from shared.modules import MODULE_NAMES

pytestmark = pytest.mark.stack

INJECT = str(ROOT / "scripts" / "inject")
ENV = {"PATH": "/usr/bin:/bin"}  # no AUTOBANG_* at all: the data dir is the only lead


@pytest.fixture
def live(stack: Stack) -> Iterator[Stack]:
    yield stack
    for m in MODULE_NAMES:  # leave every module idle for the next test
        if httpx.get(f"{stack.url}/api/{m}/state").json()["status"] in ("queued", "running", "stopping"):
            httpx.post(f"{stack.url}/api/{m}/stop", timeout=10)
            wait_state(stack.url, m, lambda st: st["status"] not in ("queued", "running", "stopping"))


def inject(s: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [INJECT, "--data-dir", str(s.data_dir), *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
        check=False,
    )


def test_waits_until_finished(live: Stack) -> None:
    ok = inject(live, "fetch", "fetch", '{"fetch_mode": "SpecialChar"}')
    assert ok.returncode == 0, ok
    assert ok.stdout.splitlines()[-1] == "status finished", ok.stdout


def test_failed_and_refused_exit_1(live: Stack) -> None:
    failed = inject(live, "scriptor", "start_scriptor", '{"weight_title": "nobody"}')
    assert failed.returncode == 1 and "status failed: invalid config" in failed.stdout, failed
    bad = inject(live, "scriptor", "start_scriptor", '{"level": "Hardest"}')
    assert bad.returncode == 1 and "INVALID_CONFIG level: must be one of" in bad.stderr, bad


def test_waits_past_running_until_stopped(live: Stack) -> None:
    proc = subprocess.Popen(
        [INJECT, "--data-dir", str(live.data_dir), "scriptor", "start_scriptor"],
        bufsize=1,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert proc.stdout is not None
    seen = []
    try:
        # Until the script has reported "running" (readline returns "" if it exits first).
        while (line := proc.stdout.readline()) and line.strip() != "status running":
            seen.append(line)
        assert line, seen
        assert proc.poll() is None  # running is not an outcome: still waiting
        httpx.post(f"{live.url}/api/scriptor/stop", timeout=10)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 3, (out, err)
    assert out.splitlines()[-1] == "status stopped", out


def test_a_data_dir_without_a_launcher_is_a_readable_error(tmp_path_factory: pytest.TempPathFactory) -> None:
    empty = tmp_path_factory.mktemp("no-launcher")
    out = subprocess.run(
        [INJECT, "--data-dir", str(empty), "fetch", "fetch"],
        capture_output=True,
        text=True,
        env={**ENV, "AUTOBANG_REDIS_URL": "redis://127.0.0.1:1/0"},
        timeout=30,
        check=False,
    )
    assert out.returncode == 2 and f"{empty}/run/launcher.json does not exist" in out.stderr, out
