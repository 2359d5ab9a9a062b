"""Network-level (message passing) knowledge distillation."""
from __future__ import annotations

from typing import List, Optional, Sequence

import torch
from torch import Tensor
from torch.nn import Module, ModuleList

from pyg_kgt.nn.distill.feature_distillation_loss import \
    FeatureDistillationLoss


def match_layers(num_student: int, num_teacher: int) -> List[int]:
    r"""Teacher layer matched to each student layer: student layer ``i`` (of
    ``L_S``) imitates teacher layer ``ceil((i + 1) L_T / L_S) - 1``, so the
    last layers always match and depth is spread evenly."""
    return [-(-(i + 1) * num_teacher // num_student) - 1
            for i in range(num_student)]


class NetworkDistillationLoss(Module):
    r"""Network-level distillation (Sun et al., KDD 2023): at every layer the
    student's message passing imitates the teacher's at the matched layer
    :math:`m(l)` (:func:`match_layers`), on linked nodes,

    .. math::
        \mathcal{L}_{\textrm{net}} = \frac{1}{L_S} \sum_{l=1}^{L_S}
        \frac{1}{|V_\ell|} \sum_{v \in V_\ell} \big\| \mathbf{P}_l\,
        \mathbf{m}^{S,(l)}_{v} - \mathbf{m}^{T,(m(l))}_{\tau(v)}
        \big\|_2^2 \,/\, d_T

    where :math:`\mathbf{m}^{(l)}_v` is what layer :math:`l` aggregated
    from :math:`v`'s neighbours (the ``aggregated`` field of
    :class:`~pyg_kgt.nn.conv.RelationalMessages`) and :math:`\mathbf{P}_l` a
    learnable projection per layer. The teacher side is detached.

    Args:
        student_channels (int): Student width.
        teacher_channels (int): Teacher width.
        num_student_layers (int): :math:`L_S`.
        num_teacher_layers (int): :math:`L_T`.
    """

    def __init__(self, student_channels: int, teacher_channels: int,
                 num_student_layers: int, num_teacher_layers: int) -> None:
        super().__init__()
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.num_student_layers = num_student_layers
        self.num_teacher_layers = num_teacher_layers
        self.layer_map = match_layers(num_student_layers, num_teacher_layers)
        self.layers = ModuleList([
            FeatureDistillationLoss(student_channels, teacher_channels)
            for _ in range(num_student_layers)])

    def reset_parameters(self) -> None:
        for layer in self.layers:
            layer.reset_parameters()

    def forward(self, student: Sequence[Tensor], teacher: Sequence[Tensor],
                index: Optional[Tensor] = None) -> Tensor:
        r"""Args:
            student ([torch.Tensor]): Per student layer, :obj:`[N, d_S]`.
            teacher ([torch.Tensor]): Per teacher layer, :obj:`[n, d_T]` for
                the linked nodes.
            index (torch.Tensor, optional): :obj:`[n]` student node of each
                teacher row.
        """
        if len(student) != self.num_student_layers or len(
                teacher) != self.num_teacher_layers:
            raise ValueError(f'expected {self.num_student_layers} student '
                             f'and {self.num_teacher_layers} teacher layers, '
                             f'got {len(student)} and {len(teacher)}')
        losses = [loss(student[i], teacher[self.layer_map[i]], index)
                  for i, loss in enumerate(self.layers)]
        return torch.stack(losses).mean()

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.student_channels}, '
                f'{self.teacher_channels}, layer_map={self.layer_map})')
