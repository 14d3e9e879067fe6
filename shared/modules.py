"""The module registry: module -> tasks -> config model -> entry point.

The one list of modules. The gateway, the workers, the launcher, the compose file (checked
by a test) and the dashboard (through ``GET /api/modules``) all read it. Entry points are
dotted strings so ``shared`` never imports ``services``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.config import (
    FetchConfig,
    ModuleConfig,
    ScriptorConfig,
    SongRecognitionConfig,
    UIRecognitionConfig,
    WorkflowConfig,
)


@dataclass(frozen=True)
class TaskSpec:
    name: str
    title: str
    entry: str  # "package.module:function", called as function(ctx)
    uses_device: bool = False  # drives the emulator: takes the device lease
    interactive: bool = False  # asks the user questions (prompt events)
    placeholder: bool = False  # smallest honest body; its module's issue replaces it


@dataclass(frozen=True)
class ModuleSpec:
    name: str
    title: str
    config_model: type[ModuleConfig]
    tasks: tuple[TaskSpec, ...]

    def task(self, name: str) -> TaskSpec:
        for t in self.tasks:
            if t.name == name:
                return t
        raise KeyError(f"module {self.name!r} has no task {name!r}")


MODULES: tuple[ModuleSpec, ...] = (
    ModuleSpec(
        "scriptor",
        "Scriptor",
        ScriptorConfig,
        (
            TaskSpec(
                "start_scriptor",
                "Scriptor",
                "services.scriptor.tasks:start_scriptor",
                uses_device=True,
            ),
        ),
    ),
    ModuleSpec(
        "song_recognition",
        "Song Recognition",
        SongRecognitionConfig,
        (
            TaskSpec(
                "add_song",
                "Add songs",
                "services.recognition.song.tasks:add_song",
                uses_device=True,
                interactive=True,
            ),
            TaskSpec(
                "train_song_recognition",
                "Train song recognition",
                "services.recognition.song.tasks:train_song_recognition",
            ),
        ),
    ),
    ModuleSpec(
        "ui_recognition",
        "UI Recognition",
        UIRecognitionConfig,
        (
            TaskSpec(
                "add_img",
                "Add images",
                "services.recognition.ui.tasks:add_img",
                uses_device=True,
                interactive=True,
            ),
            TaskSpec(
                "train_ui_recognition",
                "Train UI recognition",
                "services.recognition.ui.tasks:train_ui_recognition",
            ),
        ),
    ),
    ModuleSpec(
        "fetch",
        "Fetch",
        FetchConfig,
        (TaskSpec("fetch", "Fetch", "services.fetch.tasks:fetch"),),
    ),
    ModuleSpec(
        "workflow",
        "Workflow",
        WorkflowConfig,
        (
            TaskSpec(
                "workflow",
                "Workflow",
                "services.workflow.tasks:workflow",
                uses_device=True,
            ),
        ),
    ),
)

MODULE_NAMES: tuple[str, ...] = tuple(m.name for m in MODULES)
# The modules with a task that drives the device: each has a unit per device of the list.
DEVICE_MODULES: tuple[str, ...] = tuple(m.name for m in MODULES if any(t.uses_device for t in m.tasks))


def get_module(name: str) -> ModuleSpec:
    for m in MODULES:
        if m.name == name:
            return m
    raise KeyError(f"unknown module {name!r}; known: {', '.join(MODULE_NAMES)}")


# -- units: a module serving one device ---------------------------------------------------
# A module's tasks for the first device of the device list run under the module's own name
# (``scriptor``: queue, state, lease, events as before); for another device under
# ``module@device`` (``scriptor@mumu2``), with its own queue, state, lease and events, so a
# scriptor run per device goes on at once and two runs on one device exclude each other.
UNIT_SEP = "@"
DEVICE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
DEVICE_NAME_RULE = "lower-case letters, digits, '-' and '_' (at most 32, starting with a letter or digit)"


def unit_name(module: str, device: str = "") -> str:
    """The unit of ``module`` for ``device`` ("" or None: the first device, the module itself)."""
    return f"{module}{UNIT_SEP}{device}" if device else module


def split_unit(unit: str) -> tuple[str, str]:
    """``(module, device)`` of a unit name; device "" for the first device."""
    module, _, device = unit.partition(UNIT_SEP)
    return module, device


def get_unit(unit: str) -> ModuleSpec:
    """The module of a unit; ``KeyError`` for an unknown module, a bad device name, or a
    module without device tasks named with a device."""
    module, device = split_unit(unit)
    spec = get_module(module)
    if UNIT_SEP in unit:
        if not DEVICE_NAME_RE.match(device):
            raise KeyError(f"{unit!r}: the device name after {UNIT_SEP!r} must be {DEVICE_NAME_RULE}")
        if not any(t.uses_device for t in spec.tasks):
            raise KeyError(f"{unit!r}: module {module} has no task that uses a device")
    return spec
