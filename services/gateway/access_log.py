"""The gateway's access log, quiet by default about the routes the dashboard polls.

The dashboard asks for the device's screen, module states, the history and the offsets
again and again; one line per answer buried everything else. A successful GET of a polled
route is not logged unless ``AUTOBANG_ACCESS_LOG=all``; errors (4xx/5xx) and every other
request still are."""

from __future__ import annotations

import logging
import re

POLLED = re.compile(
    r"^/(healthz|api/device(/screen)?|api/[a-z_]+/state|api/scriptor/(history|offsets|errors)|api/modules)(\?.*)?$"
)


class QuietPolling(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple) or len(args) < 5:
            return True
        _, method, path, _, status = args[:5]
        quiet = method == "GET" and isinstance(status, int) and status < 400 and POLLED.match(str(path))
        return not quiet


def configure(mode: str) -> None:
    """``quiet`` (default): polled routes' successes are not logged; ``all``: every request."""
    access = logging.getLogger("uvicorn.access")
    for f in [f for f in access.filters if isinstance(f, QuietPolling)]:
        access.removeFilter(f)
    if mode != "all":
        access.addFilter(QuietPolling())
