"""The tiny models' disk cache (services/testing/model_cache.py): built once per key, copied
out so tests cannot change it, rebuilt when torn, one entry per model, built once by
concurrent sessions, and off on request."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from services.testing import model_cache


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv(model_cache.ENV, str(root))
    return root


class Builder:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, d: Path) -> None:
        self.calls += 1
        (d / "sub").mkdir()
        (d / "model.onnx").write_bytes(b"weights %d" % self.calls)
        (d / "sub" / "meta.json").write_text("{}")


def test_an_entry_is_built_once_and_copied_out(cache: Path, tmp_path: Path) -> None:
    build = Builder()
    first = model_cache.cached_build("m", "k1", build, tmp_path / "a")
    (first / "model.onnx").write_bytes(b"changed by a test")
    (first / "extra.txt").write_text("a test's own file")
    second = model_cache.cached_build("m", "k1", build, tmp_path / "b")
    assert build.calls == 1
    assert (second / "model.onnx").read_bytes() == b"weights 1" and (second / "sub" / "meta.json").is_file()
    assert not (second / "extra.txt").exists() and not (second / model_cache.MANIFEST).exists()


def test_a_torn_entry_is_built_again(cache: Path, tmp_path: Path) -> None:
    build = Builder()
    model_cache.cached_build("m", "k1", build, tmp_path / "a")
    (entry,) = cache.glob("m-*")
    (entry / "model.onnx").write_bytes(b"weig")  # a torn copy
    out = model_cache.cached_build("m", "k1", build, tmp_path / "b")
    assert build.calls == 2 and (out / "model.onnx").read_bytes() == b"weights 2"
    (entry / model_cache.MANIFEST).write_text("not json")
    model_cache.cached_build("m", "k1", build, tmp_path / "c")
    assert build.calls == 3


def test_a_new_key_replaces_the_old_entry(cache: Path, tmp_path: Path) -> None:
    build = Builder()
    model_cache.cached_build("m", "k1", build, tmp_path / "a")
    model_cache.cached_build("other", "k1", build, tmp_path / "b")
    model_cache.cached_build("m", "k2", build, tmp_path / "c")
    assert build.calls == 3
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith(".")) == ["m-k2", "other-k1"]


def test_a_failed_build_leaves_no_entry(cache: Path, tmp_path: Path) -> None:
    def broken(d: Path) -> None:
        (d / "half.onnx").write_bytes(b"half")
        raise RuntimeError("training failed")

    with pytest.raises(RuntimeError, match="training failed"):
        model_cache.cached_build("m", "k1", broken, tmp_path / "a")
    assert [p for p in cache.iterdir() if p.is_dir()] == []


def _build_counting(root: str, into: str) -> None:
    os.environ[model_cache.ENV] = root

    def build(d: Path) -> None:
        with (Path(root) / "builds.log").open("a") as f:
            f.write("built\n")
        time.sleep(0.5)  # a training: long enough for the others to arrive while it runs
        (d / "model.onnx").write_bytes(b"w")

    model_cache.cached_build("m", "k1", build, Path(into))


def test_concurrent_sessions_build_once(cache: Path, tmp_path: Path) -> None:
    cache.mkdir()
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_build_counting, args=(str(cache), str(tmp_path / f"o{i}"))) for i in range(3)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert (cache / "builds.log").read_text() == "built\n"
    assert all((tmp_path / f"o{i}" / "model.onnx").read_bytes() == b"w" for i in range(3))


def test_off_builds_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(model_cache.ENV, "off")
    build = Builder()
    model_cache.cached_build("m", "k1", build, tmp_path / "a")
    out = model_cache.cached_build("m", "k1", build, tmp_path / "b")
    assert build.calls == 2 and (out / "model.onnx").read_bytes() == b"weights 2"


def test_the_key_follows_code_data_and_options(tmp_path: Path) -> None:
    code = tmp_path / "code"
    (code / "__pycache__").mkdir(parents=True)
    (code / "train.py").write_text("lr = 0.1")
    key = model_cache.digest(code, b"data", "opts")
    (code / "__pycache__" / "train.pyc").write_bytes(b"compiled")
    assert model_cache.digest(code, b"data", "opts") == key
    assert model_cache.digest(code, b"other data", "opts") != key
    assert model_cache.digest(code, b"data", "other opts") != key
    (code / "train.py").write_text("lr = 0.2")
    assert model_cache.digest(code, b"data", "opts") != key
