from __future__ import annotations

import math

import torch

from services.recognition.song.titlenet import BN_MOMENTUM, TitleNet


def test_output_is_128d_unit_vectors() -> None:
    torch.manual_seed(0)
    net = TitleNet().eval()
    with torch.no_grad():
        y = net(torch.rand(3, 1, 36, 450))
    assert y.shape == (3, 128)
    assert torch.allclose(y.norm(dim=1), torch.ones(3), atol=1e-5)
    # Different inputs give different embeddings (the net is not collapsed at init).
    assert float((y[0] - y[1]).abs().max()) > 1e-4


def test_kaiming_initialisation_and_bn_momentum() -> None:
    torch.manual_seed(0)
    net = TitleNet()
    convs = [
        m
        for m in net.modules()
        if isinstance(m, torch.nn.Conv2d) and m.groups == 1 and m.kernel_size == (1, 1)
    ]
    big = max(convs, key=lambda m: m.weight.numel())
    fan_out = big.out_channels * big.kernel_size[0] * big.kernel_size[1]
    assert math.isclose(float(big.weight.detach().std()), math.sqrt(2.0 / fan_out), rel_tol=0.1)
    bns = [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert bns and all(m.momentum == BN_MOMENTUM for m in bns)
    with torch.no_grad():
        assert all(float(m.weight.min()) == 1.0 and float(m.bias.abs().max()) == 0.0 for m in bns)


def test_gradients_reach_the_first_layer() -> None:
    net = TitleNet().train()
    y = net(torch.rand(4, 1, 36, 450))
    (y[:, 0].sum()).backward()
    first = net.features[0][0].weight  # type: ignore[index]
    assert first.grad is not None and float(first.grad.abs().sum()) > 0
