"""ArcFace head and the triplet loss over mined indices."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

MIN_SCALE = 8.0


def adacos_scale(n_classes: int) -> float:
    """AdaCos's fixed scale sqrt(2) * ln(C - 1): large enough to separate C classes, small
    enough that the softmax still has gradient when every class looks alike at the start.
    Floored at 8 so a handful of classes (tests, first real crops) still get tight clusters."""
    return max(MIN_SCALE, math.sqrt(2.0) * math.log(max(n_classes - 1, 2)))


class ArcFace(nn.Module):
    """Additive angular margin: logit_y = s * cos(theta_y + m). ``margin`` can be passed
    per call (margin warm-up)."""

    def __init__(
        self, embed_dim: int, n_classes: int, scale: float | None = None, margin: float = 0.5
    ) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_classes, embed_dim))
        nn.init.xavier_uniform_(self.weight)
        self.scale = float(scale) if scale else adacos_scale(n_classes)
        self.margin = margin

    def forward(self, emb: torch.Tensor, labels: torch.Tensor, margin: float | None = None) -> torch.Tensor:
        m = self.margin if margin is None else margin
        cos = F.linear(emb, F.normalize(self.weight, dim=1)).clamp(-1 + 1e-7, 1 - 1e-7)
        sin = torch.sqrt(1.0 - cos * cos)
        phi = cos * math.cos(m) - sin * math.sin(m)
        # Past theta = pi - m, cos(theta + m) stops decreasing; use the linear fallback.
        phi = torch.where(cos > math.cos(math.pi - m), phi, cos - math.sin(math.pi - m) * m)
        onehot = F.one_hot(labels, cos.shape[1]).to(cos.dtype)
        logits = self.scale * (onehot * phi + (1 - onehot) * cos)
        return F.cross_entropy(logits, labels)


def triplet_loss(
    emb: torch.Tensor, a: torch.Tensor, p: torch.Tensor, n: torch.Tensor, margin: float = 0.2
) -> torch.Tensor:
    d_ap = (emb[a] - emb[p]).norm(dim=1)
    d_an = (emb[a] - emb[n]).norm(dim=1)
    return F.relu(d_ap - d_an + margin).mean()
