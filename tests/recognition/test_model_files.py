from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from services.recognition.song.checkpoint import load_checkpoint, save_checkpoint
from services.recognition.song.losses import ArcFace
from services.recognition.song.meta import ModelFileError, base_meta
from services.recognition.song.onnx_model import OnnxEmbedder, export_onnx
from services.recognition.song.titlenet import TitleNet


def test_checkpoint_roundtrip_keeps_the_users_keys(tmp_path: Path) -> None:
    torch.manual_seed(0)
    net, crit = TitleNet().eval(), ArcFace(128, 5)
    p = tmp_path / "c.pt"
    save_checkpoint(p, net, crit, base_meta() | {"loss": "arcface"})
    raw = torch.load(p, weights_only=True)
    assert {"model_state_dict", "criterion_state_dict", "meta"} <= set(raw)
    back, crit_state, meta = load_checkpoint(p)
    x = torch.rand(2, 1, 36, 450)
    with torch.no_grad():
        assert torch.allclose(back(x), net(x))
    assert crit_state["weight"].shape == (5, 128) and meta["loss"] == "arcface"


def test_corrupt_and_mismatched_checkpoints_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "c.pt"
    p.write_bytes(b"not a checkpoint at all")
    with pytest.raises(ModelFileError, match="not a readable checkpoint"):
        load_checkpoint(p)
    save_checkpoint(p, TitleNet(), None, base_meta() | {"input": [1, 64, 64]})
    with pytest.raises(ModelFileError, match="input"):
        load_checkpoint(p)
    torch.save({"model_state_dict": {}}, p)
    with pytest.raises(ModelFileError, match="no TitleNet metadata"):
        load_checkpoint(p)
    torch.save({"model_state_dict": {"x": torch.zeros(1)}, "meta": base_meta()}, p)
    with pytest.raises(ModelFileError, match="do not fit"):
        load_checkpoint(p)


def test_onnx_matches_torch_and_refuses_bad_files(tmp_path: Path) -> None:
    torch.manual_seed(1)
    net = TitleNet().eval()
    p = tmp_path / "m.onnx"
    export_onnx(net, p, base_meta())
    x = (np.random.default_rng(0).random((3, 1, 36, 450)) > 0.8).astype(np.float32)
    with torch.no_grad():
        ref = net(torch.from_numpy(x)).numpy()
    assert np.abs(OnnxEmbedder(p)(x) - ref).max() < 1e-4
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2])
    with pytest.raises(ModelFileError, match="not a readable ONNX"):
        OnnxEmbedder(bad)
    other = tmp_path / "other.onnx"
    export_onnx(net, other, base_meta() | {"version": 99})
    with pytest.raises(ModelFileError, match="version"):
        OnnxEmbedder(other)
