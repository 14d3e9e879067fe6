"""The last fit as TraceNote leaves it, from the shipped trace (``trace_note.json``), for
the dashboard's browser test of Save coefficients (the simulated game in that stack plays
no song to trace): ``python -m tests.workflow.shipped_fit DATA_DIR`` writes
``workflow/fits/last.json`` there and prints the fit's coefficients as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from services.workflow import curve
from shared import curve_fits as fits
from shared.data import DATA_DIR
from shared.playfield import shipped_coefficients


def main(data_dir: str) -> None:
    rows = json.loads((DATA_DIR / "trace_note.json").read_text())
    fit = curve.fit_curve(curve.note_tracks(rows), shipped_coefficients("v1"))
    doc = fits.fit_document(fit, "shared/data/trace_note.json", "TraceNote")
    fits.write_last_fit(Path(data_dir), doc)
    print(json.dumps(doc["coefficients"]))


if __name__ == "__main__":
    main(sys.argv[1])
