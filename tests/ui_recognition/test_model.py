"""BangUINet's shapes and initialisation, and the label mapping (ids from the 34 states)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from services.recognition.ui.bangui_net import LAST, BangUINet
from services.recognition.ui.labels import LABEL_ID, LABELS, UNKNOWN, UNKNOWN_ID, parse_label
from services.recognition.ui.preprocess import model_input
from shared.screens import UI_STATES


def test_labels_are_the_34_states_in_order_then_unknown() -> None:
    assert LABELS[: len(UI_STATES)] == UI_STATES and len(UI_STATES) == 34
    assert LABELS[UNKNOWN_ID] == UNKNOWN == "unknown" and len(LABELS) == 35
    assert LABEL_ID["award"] == 0 and LABEL_ID["main_page"] == UI_STATES.index("main_page")


@pytest.mark.parametrize(
    ("text", "want"),
    [("17", UI_STATES[17]), (" Ready ", "ready"), ("34", UNKNOWN), ("35", None), ("nope", None), ("", None)],
)
def test_parse_label_takes_ids_and_names(text: str, want: str | None) -> None:
    assert parse_label(text) == want


def test_full_width_shapes_and_features() -> None:
    net = BangUINet().eval()
    x = torch.rand(2, 3, 90, 160)
    logits, feats = net.embed(x)
    assert logits.shape == (2, 35) and feats.shape == (2, LAST) == (2, 256)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs[0].out_channels == 32 and convs[0].stride == (2, 2)  # the stem
    assert max(c.out_channels for c in convs) == 576  # the last stage expands its 96 inputs x 6
    assert convs[-1].out_channels == 256 and convs[-1].kernel_size == (1, 1)


def test_kaiming_init_scale() -> None:
    torch.manual_seed(0)
    conv = [m for m in BangUINet().modules() if isinstance(m, torch.nn.Conv2d)][-1]  # 1x1 to 256
    assert conv.weight.std().item() == pytest.approx(np.sqrt(2 / 256), rel=0.1)


def test_narrow_width_keeps_the_head() -> None:
    assert BangUINet(width_mult=0.5)(torch.rand(1, 3, 90, 160)).shape == (1, 35)


def test_model_input_is_rgb_160x90_unit_range() -> None:
    frame = np.zeros((720, 1280, 3), np.uint8)
    frame[..., 0] = 255  # blue in BGR
    x = model_input(frame)
    assert x.shape == (1, 3, 90, 160) and x.dtype == np.float32
    assert x[0, 2].min() == 1.0 and x[0, 0].max() == 0.0  # blue lands in channel 2 (RGB)
