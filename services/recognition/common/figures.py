"""Matplotlib figures as PNG bytes, headless (the Agg backend; matplotlib is imported
only when a figure is drawn)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def subplots(figsize: tuple[float, float], dpi: int) -> tuple[Figure, Axes]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
    return fig, ax


def png(fig: Figure) -> bytes:
    """The figure as PNG (tight layout), closed afterwards."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
