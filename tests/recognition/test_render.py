from __future__ import annotations

from pathlib import Path

import numpy as np

from services.recognition.song.store import list_titles, read_gray
from shared.title_render import render_title, system_fonts


def test_crops_are_dark_text_on_light_background() -> None:
    img = render_title("夏空 SUN! SUN! SEVEN!")
    assert img.shape == (36, 450) and img.dtype == np.uint8
    assert np.median(img) > 200  # background
    assert img.min() < 100  # text


def test_style_follows_the_text_so_identical_titles_match() -> None:
    assert np.array_equal(render_title("閃光"), render_title("閃光"))
    assert not np.array_equal(render_title("閃光"), render_title("閃光!"))


def test_long_titles_are_shrunk_to_fit() -> None:
    img = render_title("[超高难易度 新SPECIAL] HELL! or HELL? " * 2)
    ink = np.flatnonzero((img < 128).any(axis=0))
    assert len(ink) > 0 and ink[0] >= 0 and ink[-1] <= 449
    # Something is drawn near both ends: the text was squeezed, not cut.
    assert ink[0] < 60 and ink[-1] > 390


def test_several_system_fonts_are_used() -> None:
    assert len(system_fonts()) >= 2


def test_render_titles_writes_t_id_pngs(title_dir: Path, sample_titles: dict[int, str]) -> None:
    found = list_titles(title_dir)
    assert set(found) == set(sample_titles)
    assert read_gray(found[1]).shape == (36, 450)
    # Identical titles (389 / 462 "シル・ヴ・プレジデント") give the same picture.
    assert np.array_equal(read_gray(found[389]), read_gray(found[462]))
