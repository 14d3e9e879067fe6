"""The simulator's machine-readable report: ``<data dir>/simulator/report.json``, rewritten
atomically whenever it changes. What a test or a person checks a run against: the songs
offered, each play's judgement counts and timing errors, the faults injected and when
each was left, the touch protocol violations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from services.simulator.game import Game
from shared.atomic_write import write_atomic

REPORT_NAME = "report.json"


def report_path(data_dir: Path) -> Path:
    return Path(data_dir) / "simulator" / REPORT_NAME


def build_report(game: Game, violations: list[str], *, serial: str, ports: dict[str, int]) -> dict[str, Any]:
    plays = []
    for p in game.plays:
        res = p.result
        plays.append(
            {
                "song": p.song,
                "difficulty": p.difficulty,
                "notes": p.chart.note_count,
                "t0": round(p.t0 - game.start_time, 4),
                "counts": res.counts() if res else None,
                "all_perfect": bool(res and res.all_perfect),
                "full_combo": bool(res and res.full_combo),
                "failed": p.failed,
                "result_shown": p.shown,
                "medley": p.medley,
                "touches": sum(len(c.events) for c in p.commits),
                "errors_ms": [None if r.error_ms is None else round(r.error_ms, 2) for r in res.results]
                if res
                else [],
            }
        )
    return {
        "serial": serial,
        "ports": ports,
        "state": game.state,
        "offered": list(game.offered),
        "plays": plays,
        "faults": [{"kind": f.kind, "at": f.at, "left": f.left, "detail": f.detail} for f in game.faults],
        "protocol_violations": len(violations),
        "violations": violations[-100:],
        "ignored_taps": game.ignored_taps,
        "stories_unread": game.story_unread,
        "foreign_input": game.foreign_input,
    }


class ReportWriter:
    """Writes the report when its content changed (cheap to call often)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = report_path(data_dir)
        self._last = ""

    def write(self, report: dict[str, Any]) -> bool:
        text = json.dumps(report, indent=1, ensure_ascii=False)
        if text == self._last:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, text.encode())
        self._last = text
        return True
