"""The device lease holder (``module:task:job``) named in words for the 409 and the failed job."""

from __future__ import annotations

from shared.runtime.control import device_busy, device_user


def test_device_user_names_the_module_and_task() -> None:
    assert device_user("workflow:workflow:1ebf2c") == "Workflow"
    assert device_user("song_recognition:add_song:ab12") == "Add songs in Song Recognition"
    assert device_user("nobody:knows:what") == "nobody:knows:what"  # not ours: as it is
    assert device_busy("scriptor:start_scriptor:x").startswith("the device is in use by Scriptor;")
