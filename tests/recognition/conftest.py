"""Fixtures for song recognition: a few real titles from the reference song list rendered
as crops, and a tiny model trained on them once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.testing import model_cache
from shared.catalog import Song, load_songs_all

# Real songs: short, long, Latin, kana, kanji, and the identical-title pair 389/462.
SAMPLE_IDS = (1, 2, 3, 5, 13, 20, 26, 41, 100, 128, 389, 462)


@pytest.fixture(scope="session")
def songs(reference_data: Path) -> dict[int, Song]:
    return load_songs_all(reference_data / "songs-all.json")


@pytest.fixture(scope="session")
def sample_titles(songs: dict[int, Song]) -> dict[int, str]:
    return {i: songs[i].title for i in SAMPLE_IDS}


@pytest.fixture(scope="session")
def title_dir(tmp_path_factory: pytest.TempPathFactory, sample_titles: dict[int, str]) -> Path:
    from shared.title_render import render_titles

    d = tmp_path_factory.mktemp("titles")
    render_titles(sample_titles, d)
    return d


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, title_dir: Path) -> Path:
    """A real (short) ArcFace training on the sample titles, exported to ONNX; kept between
    runs (services/testing/model_cache.py) until the recognition code or the titles change."""
    from services.recognition.song.pipeline import train_to_dir
    from services.recognition.song.train import TrainOptions

    # 6 batches re-estimate batch norm (the product's 20 cost the fast lane ~10 s of CPU for
    # the same answers on 12 titles).
    opts = TrainOptions(
        loss="arcface", epochs=8, num_batches=8, classes_per_batch=12, lr=0.003, threads=1, bn_batches=6
    )
    key = model_cache.digest(*model_cache.TRAINING_CODE, title_dir, repr(opts))
    out = model_cache.cached_build(
        "song-tiny",
        key,
        lambda d: train_to_dir(title_dir, d, opts, log=lambda _m: None),
        tmp_path_factory.mktemp("tiny-model"),
    )
    return out / "titlenet.onnx"
