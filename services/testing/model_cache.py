"""Models the tests train, kept on disk between test runs (``.cache/test-models/`` in the
repository, gitignored): a session fixture that trains a tiny model pays the training once
per change of the code or data that build it, not once per run.

An entry is keyed by a hash of everything that decides the model (``digest``: the source of
the packages that train it, the library versions, the training data and options), built into
a temp folder and renamed into place with a manifest of its files' hashes, so a reader sees a
whole entry or none; an entry whose files no longer match the manifest is built again. A file
lock makes concurrent sessions (pytest-xdist workers, two runs) build an entry once. Callers
get a copy in their own folder: a test that writes next to the model never changes the cache.

``AUTOBANG_TEST_MODEL_CACHE`` names another folder, or ``off`` to build every time. The
training code stays covered: a cold run (CI's fresh clone) trains, and the tests of the
training tasks and the ``slow`` trainings train without the cache."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from shared.atomic_write import write_atomic

ROOT = Path(__file__).resolve().parents[2]
ENV = "AUTOBANG_TEST_MODEL_CACHE"
DEFAULT_DIR = ROOT / ".cache" / "test-models"
MANIFEST = ".manifest.json"
# The code a tiny training runs: the recognisers and the shared modules they import.
TRAINING_CODE = (ROOT / "services" / "recognition", ROOT / "shared")
# Libraries whose version changes what a training writes.
LIBRARIES = ("torch", "numpy", "onnx", "opencv-python-headless", "pillow")


def cache_dir() -> Path | None:
    """Where entries live; None when the cache is off."""
    named = os.environ.get(ENV, "").strip()
    if named.lower() == "off":
        return None
    return Path(named) if named else DEFAULT_DIR


def digest(*parts: bytes | str | Path) -> str:
    """A key over ``parts``: bytes and strings as they are, a folder as every file under it
    (relative path and content; ``__pycache__`` left out), a file as its content; plus the
    Python and library versions."""
    h = hashlib.sha256()

    def feed(label: str, data: bytes) -> None:
        h.update(f"{label}:{len(data)}:".encode())
        h.update(data)

    feed("python", sys.version.encode())
    for lib in LIBRARIES:
        try:
            feed(lib, version(lib).encode())
        except PackageNotFoundError:
            feed(lib, b"absent")
    for part in parts:
        if isinstance(part, Path) and part.is_dir():
            for f in sorted(p for p in part.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
                feed(f.relative_to(part).as_posix(), f.read_bytes())
        elif isinstance(part, Path):
            feed(part.name, part.read_bytes())
        else:
            feed("part", part.encode() if isinstance(part, str) else part)
    return h.hexdigest()


def cached_build(name: str, key: str, build: Callable[[Path], object], into: Path) -> Path:
    """Fill ``into`` (an empty or missing folder) with what ``build(folder)`` writes for
    ``key``: copied from the cache when an intact entry is there, else built, stored and
    copied. Returns ``into``."""
    root = cache_dir()
    if root is None:
        into.mkdir(parents=True, exist_ok=True)
        build(into)
        return into
    root.mkdir(parents=True, exist_ok=True)
    entry = root / f"{name}-{key[:20]}"
    with _locked(root / f".{name}.lock"):
        if not _intact(entry):
            _store(root, name, entry, build)
        shutil.copytree(entry, into, dirs_exist_ok=True, ignore=shutil.ignore_patterns(MANIFEST))
    return into


def _store(root: Path, name: str, entry: Path, build: Callable[[Path], object]) -> None:
    # Entries of older keys (and a torn one under this key) go: one entry per model.
    for old in root.glob(f"{name}-*"):
        shutil.rmtree(old, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        build(tmp)
        write_atomic(tmp / MANIFEST, json.dumps(_hashes(tmp), indent=1).encode())
        tmp.rename(entry)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _hashes(folder: Path) -> dict[str, str]:
    return {
        f.relative_to(folder).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(folder.rglob("*"))
        if f.is_file() and f.name != MANIFEST
    }


def _intact(entry: Path) -> bool:
    try:
        want = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(want, dict) and bool(want) and _hashes(entry) == want


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
