"""1-N cross-entropy with label smoothing."""
from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor
from torch.nn import Module


class OneToNCrossEntropyLoss(Module):
    r"""1-N ("1vsAll") cross-entropy: each query :math:`(h, r, ?)` scores
    every candidate and the true answer is the class,

    .. math::
        \mathcal{L} = -\frac{1}{B} \sum_{q} \sum_{e} y^{\epsilon}_{q,e}
        \log \mathrm{softmax}(\mathbf{s}_q)_e, \qquad
        y^{\epsilon} = (1 - \epsilon)\,\mathbf{1}_{t_q} + \epsilon / N

    Args:
        label_smoothing (float): :math:`\epsilon`. (default: 0.1)
    """

    def __init__(self, label_smoothing: float = 0.1) -> None:
        super().__init__()
        self.label_smoothing = label_smoothing

    def forward(self, scores: Tensor, target: Tensor) -> Tensor:
        r"""Args:
            scores (torch.Tensor): :obj:`[B, N]` candidate scores.
            target (torch.Tensor): :obj:`[B]` index of the true candidate.
        """
        return F.cross_entropy(scores, target,
                               label_smoothing=self.label_smoothing)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'label_smoothing={self.label_smoothing})')
