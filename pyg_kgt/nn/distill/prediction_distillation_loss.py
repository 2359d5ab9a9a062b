"""Prediction-level knowledge distillation."""
from __future__ import annotations

from typing import Optional

import torch.nn.functional as F
from torch import Tensor
from torch.nn import Module


class PredictionDistillationLoss(Module):
    r"""Prediction-level distillation (Sun et al., KDD 2023; Hinton et al.,
    2015): for queries :math:`(h, r, ?)` the teacher can answer, the
    student's temperature-softened score distribution over the candidate
    tails imitates the teacher's,

    .. math::
        \mathcal{L}_{\textrm{pred}} = \frac{\tau^2}{|Q|} \sum_{q \in Q}
        \mathrm{KL}\Big(\mathrm{softmax}(\mathbf{s}^{T}_q / \tau) \,\Big\|\,
        \mathrm{softmax}(\mathbf{s}^{S}_q / \tau)\Big)

    over the same candidates for both (e.g. the teacher's top-k). The
    teacher side is detached. With per-query weights :math:`w_q` (e.g. the
    teacher's agreement with known facts) each term is scaled by
    :math:`w_q`, still divided by :math:`|Q|`, so queries the teacher gets
    wrong teach little.

    Args:
        temperature (float): :math:`\tau`. (default: 2.0)
    """

    def __init__(self, temperature: float = 2.0) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError('temperature must be > 0')
        self.temperature = temperature

    def reset_parameters(self) -> None:
        pass

    def forward(self, student: Tensor, teacher: Tensor,
                index: Optional[Tensor] = None,
                weight: Optional[Tensor] = None) -> Tensor:
        r"""Args:
            student (torch.Tensor): :obj:`[Q, k]` student scores.
            teacher (torch.Tensor): :obj:`[Q', k]` teacher scores.
            index (torch.Tensor, optional): :obj:`[Q]` teacher row of each
                student row (default: rows correspond).
            weight (torch.Tensor, optional): :obj:`[Q]` per-query weights
                :math:`w_q` (default: all one).
        """
        if index is not None:
            teacher = teacher[index]
        tau = self.temperature
        target = F.log_softmax(teacher.detach() / tau, dim=-1)
        log_student = F.log_softmax(student / tau, dim=-1)
        if weight is None:
            return F.kl_div(log_student, target, reduction='batchmean',
                            log_target=True) * tau * tau
        per_query = F.kl_div(log_student, target, reduction='none',
                             log_target=True).sum(dim=-1)
        return (weight.detach() * per_query).sum() / max(
            student.size(0), 1) * tau * tau

    def __repr__(self) -> str:
        return f'{type(self).__name__}(temperature={self.temperature})'
