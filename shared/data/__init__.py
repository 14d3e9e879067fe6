"""Package data shipped with the project (README.md here says where each file came from):
the song catalog, real charts, the screen-state list, the first-note curve and traces."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
CHARTS_DIR = DATA_DIR / "charts"
