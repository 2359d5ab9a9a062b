"""Negative sampling loss with self-adversarial weighting."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.nn import Module


class SelfAdversarialNegativeSamplingLoss(Module):
    r"""The negative sampling loss of RotatE (Sun et al., ICLR 2019) with
    self-adversarial weights; with scores :math:`s` (higher is better),

    .. math::
        \mathcal{L} = -\log \sigma(\gamma + s^{+})
        - \sum_{i=1}^{K} p_i \log \sigma(-\gamma - s^{-}_i), \qquad
        p_i = \mathrm{softmax}(\alpha\, s^{-})_i

    where the weights :math:`p` are treated as constants (no gradient).
    ``temperature=0`` gives uniform weights :math:`1/K`.

    Args:
        margin (float): :math:`\gamma`. (default: 9.0)
        temperature (float): :math:`\alpha`. (default: 1.0)
    """

    def __init__(self, margin: float = 9.0, temperature: float = 1.0) -> None:
        super().__init__()
        self.margin = margin
        self.temperature = temperature

    def forward(self, positive: Tensor, negative: Tensor) -> Tensor:
        r"""Args:
            positive (torch.Tensor): :obj:`[B]` scores of true triples.
            negative (torch.Tensor): :obj:`[B, K]` scores of corruptions.
        """
        weights = torch.softmax(self.temperature * negative.detach(), dim=-1)
        positive_term = -F.logsigmoid(self.margin + positive)
        negative_term = -(weights * F.logsigmoid(-self.margin - negative)
                          ).sum(-1)
        return (positive_term + negative_term).mean()

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(margin={self.margin}, '
                f'temperature={self.temperature})')
