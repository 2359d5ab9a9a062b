"""Feature-level knowledge distillation."""
from __future__ import annotations

from typing import Optional

import torch.nn.functional as F
from torch import Tensor
from torch.nn import Identity, Linear, Module


class FeatureDistillationLoss(Module):
    r"""Feature-level distillation (Sun et al., KDD 2023): the student's
    entity embeddings imitate the teacher's for linked entities,

    .. math::
        \mathcal{L}_{\textrm{feat}} = \frac{1}{|V_\ell|} \sum_{v \in V_\ell}
        \big\| \mathbf{P}\,\mathbf{h}^{S}_{v} - \mathbf{h}^{T}_{\tau(v)}
        \big\|_2^2 \,/\, d_T

    where :math:`V_\ell` are the student nodes with a teacher counterpart
    :math:`\tau(v)` and :math:`\mathbf{P}` is a learnable projection from
    the student to the teacher width (the identity when they are equal).
    The teacher side is detached.

    Args:
        student_channels (int): Student embedding width :math:`d_S`.
        teacher_channels (int): Teacher embedding width :math:`d_T`.
    """

    def __init__(self, student_channels: int, teacher_channels: int) -> None:
        super().__init__()
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.projection = (Identity() if student_channels == teacher_channels
                           else Linear(student_channels, teacher_channels,
                                       bias=False))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if isinstance(self.projection, Linear):
            self.projection.reset_parameters()

    def forward(self, student: Tensor, teacher: Tensor,
                index: Optional[Tensor] = None) -> Tensor:
        r"""Args:
            student (torch.Tensor): :obj:`[N, d_S]` student embeddings.
            teacher (torch.Tensor): :obj:`[n, d_T]` teacher embeddings of the
                linked nodes.
            index (torch.Tensor, optional): :obj:`[n]` the student node of
                each teacher row (default: rows correspond).
        """
        if index is not None:
            student = student[index]
        return F.mse_loss(self.projection(student), teacher.detach())

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.student_channels}, '
                f'{self.teacher_channels})')
