"""Error bundles on disk: unique folders, the listing, and file names that cannot leave
the bundle folder (the gateway serves them: ``GET /api/scriptor/errors/{name}/{file}``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.error_bundles import bundle_file, errors_dir, list_bundles, new_bundle


def test_bundles_are_unique_listed_newest_first_and_served_by_name(tmp_path: Path) -> None:
    a = new_bundle(tmp_path, now=1_800_000_000)
    b = new_bundle(tmp_path, now=1_800_000_000)  # the same second: its own folder
    c = new_bundle(tmp_path, now=1_800_000_100)
    assert a != b and b.name == f"{a.name}-2"
    (a / "states.json").write_text(json.dumps({"reason": "unknown screen", "states": []}))
    (a / "frame-00-unknown.png").write_bytes(b"png")
    listed = list_bundles(tmp_path)
    assert [x.name for x in listed] == [c.name, b.name, a.name]
    oldest = listed[-1]
    assert oldest.reason == "unknown screen" and oldest.files == ["frame-00-unknown.png", "states.json"]
    assert oldest.path == f"scriptor/errors/{a.name}"
    path, media = bundle_file(tmp_path, a.name, "states.json")
    assert path == (a / "states.json").resolve() and media == "application/json"
    assert bundle_file(tmp_path, a.name, "frame-00-unknown.png")[1] == "image/png"


def test_bundle_file_names_cannot_leave_the_bundle(tmp_path: Path) -> None:
    a = new_bundle(tmp_path, now=1_800_000_000)
    (tmp_path / "scriptor" / "history.jsonl").write_text("{}\n")
    (tmp_path / "secret.txt").write_text("no")
    (a / "link.txt").symlink_to(tmp_path / "secret.txt")
    for name, file in [
        ("..", "history.jsonl"),
        (a.name, "../../history.jsonl"),
        (a.name, "..%2Fhistory.jsonl"),
        (a.name, ".hidden.txt"),
        ("20261201", "states.json"),
        (a.name, "x.py"),
    ]:
        with pytest.raises(ValueError):
            bundle_file(tmp_path, name, file)
    with pytest.raises(FileNotFoundError):
        bundle_file(tmp_path, a.name, "link.txt")  # a link out of the folder
    with pytest.raises(FileNotFoundError):
        bundle_file(tmp_path, a.name, "log.txt")
    assert errors_dir(tmp_path) == tmp_path / "scriptor" / "errors"


def test_a_bundle_folder_that_is_a_symlink_out_of_the_data_dir_is_not_listed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    real = new_bundle(data, now=1_800_000_000)
    (real / "states.json").write_text("{}")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "private.txt").write_text("no")
    (errors_dir(data) / "20990101-000000").symlink_to(outside, target_is_directory=True)
    (real / "log.txt").symlink_to(outside / "private.txt")
    listed = list_bundles(data)
    assert [b.name for b in listed] == [real.name]
    assert listed[0].files == ["states.json"]
