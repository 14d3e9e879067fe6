"""TitleNet: MobileNetV3-small (written here, no pretrained weights) for 1x36x450 title
crops, ending in a 128-d L2-normalised embedding.

The layer table is the paper's (Howard et al. 2019, Table 2). Two choices differ from
torchvision's copy on purpose:
- BatchNorm momentum 0.1 (PyTorch's default) instead of 0.01: with 0.01 the running
  statistics lag the weights by ~100 steps, so in short runs the eval-mode embedding is
  garbage while the train loss looks fine (see docs/recognition.md).
- The classifier head is replaced by global pooling -> Linear(576, 256) -> hardswish ->
  Linear(256, 128) -> L2 normalisation.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from services.recognition.song.meta import EMBED_DIM

BN_MOMENTUM = 0.1


def _make_divisible(v: float, divisor: int = 8) -> int:
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class SqueezeExcite(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        squeeze = _make_divisible(channels // 4)
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = F.adaptive_avg_pool2d(x, 1)
        s = F.hardsigmoid(self.fc2(F.relu(self.fc1(s))))
        return x * s


def conv_bn_act(
    cin: int, cout: int, k: int, stride: int, groups: int, act: type[nn.Module] | None
) -> nn.Sequential:
    layers: list[nn.Module] = [
        nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout, momentum=BN_MOMENTUM),
    ]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    def __init__(
        self, cin: int, k: int, exp: int, cout: int, se: bool, act: type[nn.Module], stride: int
    ) -> None:
        super().__init__()
        self.use_res = stride == 1 and cin == cout
        layers: list[nn.Module] = []
        if exp != cin:
            layers.append(conv_bn_act(cin, exp, 1, 1, 1, act))
        layers.append(conv_bn_act(exp, exp, k, stride, exp, act))
        if se:
            layers.append(SqueezeExcite(exp))
        layers.append(conv_bn_act(exp, cout, 1, 1, 1, None))
        self.block = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.block(x)
        out: torch.Tensor = x + y if self.use_res else y
        return out


# (kernel, expansion, out, squeeze-excite, activation, stride): MobileNetV3-small.
_RE, _HS = nn.ReLU, nn.Hardswish
SMALL_TABLE: tuple[tuple[int, int, int, bool, type[nn.Module], int], ...] = (
    (3, 16, 16, True, _RE, 2),
    (3, 72, 24, False, _RE, 2),
    (3, 88, 24, False, _RE, 1),
    (5, 96, 40, True, _HS, 2),
    (5, 240, 40, True, _HS, 1),
    (5, 240, 40, True, _HS, 1),
    (5, 120, 48, True, _HS, 1),
    (5, 144, 48, True, _HS, 1),
    (5, 288, 96, True, _HS, 2),
    (5, 576, 96, True, _HS, 1),
    (5, 576, 96, True, _HS, 1),
)


class TitleNet(nn.Module):
    """MobileNetV3-small backbone -> 128-d unit vector. Input: (N, 1, 36, 450) in [0, 1]
    (1 = text pixel after binarisation)."""

    def __init__(self, embed_dim: int = EMBED_DIM) -> None:
        super().__init__()
        layers: list[nn.Module] = [conv_bn_act(1, 16, 3, 2, 1, nn.Hardswish)]
        cin = 16
        for k, exp, cout, se, act, stride in SMALL_TABLE:
            layers.append(InvertedResidual(cin, k, exp, cout, se, act, stride))
            cin = cout
        layers.append(conv_bn_act(cin, 576, 1, 1, 1, nn.Hardswish))
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(576, 256), nn.Hardswish(), nn.Linear(256, embed_dim))
        self.embed_dim = embed_dim
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x)
        f = F.adaptive_avg_pool2d(f, 1).flatten(1)
        return F.normalize(self.head(f), dim=1)
