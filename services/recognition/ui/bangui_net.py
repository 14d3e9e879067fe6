"""BangUINet: a small MobileNetV2-style CNN (written here, no pretrained weights) for
3x90x160 frames, as the user described it (docs/domain.md section 6): stem 32, inverted
residual stages [t, c, n, s] below, 1x1 conv to 256, global pooling, dropout 0.2, linear.

``forward`` returns the logits; ``embed`` also returns the pooled 256-d features, which the
ONNX export carries as a second output for the distance-to-centroid rejection."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from services.recognition.ui.labels import LABELS

# (expansion t, channels c, repeats n, first stride s)
STAGES: tuple[tuple[int, int, int, int], ...] = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 3, 2),
    (6, 96, 2, 2),
    (6, 160, 1, 1),
)
STEM, LAST = 32, 256
DROPOUT = 0.2


def _width(c: int, mult: float) -> int:
    """Channels scaled by ``mult``, rounded to a multiple of 8 (never below 8)."""
    return max(8, int(c * mult + 4) // 8 * 8)


def conv_bn(cin: int, cout: int, k: int, stride: int, groups: int = 1, act: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [
        nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
    ]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, t: int) -> None:
        super().__init__()
        hidden = cin * t
        self.use_res = stride == 1 and cin == cout
        layers: list[nn.Module] = []
        if t != 1:
            layers.append(conv_bn(cin, hidden, 1, 1))
        layers += [conv_bn(hidden, hidden, 3, stride, groups=hidden), conv_bn(hidden, cout, 1, 1, act=False)]
        self.block = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.block(x)
        out: torch.Tensor = x + y if self.use_res else y
        return out


class BangUINet(nn.Module):
    """(N, 3, 90, 160) RGB in [0, 1] -> (N, num_classes) logits."""

    def __init__(self, num_classes: int = len(LABELS), width_mult: float = 1.0) -> None:
        super().__init__()
        cin = _width(STEM, width_mult)
        layers: list[nn.Module] = [conv_bn(3, cin, 3, 2)]
        for t, c, n, s in STAGES:
            cout = _width(c, width_mult)
            for i in range(n):
                layers.append(InvertedResidual(cin, cout, s if i == 0 else 1, t))
                cin = cout
        layers.append(conv_bn(cin, LAST, 1, 1))
        self.features = nn.Sequential(*layers)
        self.dropout = nn.Dropout(DROPOUT)
        self.head = nn.Linear(LAST, num_classes)
        self.num_classes, self.width_mult = num_classes, width_mult
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Kaiming (He) initialisation for the convolutions, as the user asked."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def embed(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(logits, pooled 256-d features)."""
        logits, f, _ = self.embed_grid(x)
        return logits, f

    def embed_grid(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(logits, pooled features, the features before pooling: (N, 256, 3, 5), where on
        the screen each is; the screen gallery compares layouts with it)."""
        grid = self.features(x)
        f = F.adaptive_avg_pool2d(grid, 1).flatten(1)
        return self.head(self.dropout(f)), f, grid

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.embed(x)[0]
