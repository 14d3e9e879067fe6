"""The access log is quiet about polled routes' successes, not about anything else."""

from __future__ import annotations

import logging

from services.gateway.access_log import QuietPolling, configure


def line(method: str, path: str, status: int) -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", method, path, "1.1", status),
        None,
    )


def test_polled_successes_are_left_out_errors_and_actions_are_kept() -> None:
    f = QuietPolling()
    assert not f.filter(line("GET", "/api/device/screen", 200))
    assert not f.filter(line("GET", "/api/scriptor/state", 200))
    assert not f.filter(line("GET", "/api/scriptor/history?limit=500", 200))
    assert not f.filter(line("GET", "/healthz", 200))
    assert f.filter(line("GET", "/api/device/screen", 503))  # an error is always said
    assert f.filter(line("POST", "/api/scriptor/tasks/start_scriptor/start", 200))
    assert f.filter(line("PUT", "/api/scriptor/offsets/sim:emulator-5554", 200))
    assert f.filter(line("GET", "/api/songs", 200))


def test_all_logs_every_request() -> None:
    access = logging.getLogger("uvicorn.access")
    configure("quiet")
    configure("quiet")
    assert sum(isinstance(f, QuietPolling) for f in access.filters) == 1
    configure("all")
    assert not any(isinstance(f, QuietPolling) for f in access.filters)
