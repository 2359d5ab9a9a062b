"""The student's network: a link predictor plus distillation heads."""
from __future__ import annotations

from typing import Optional

from torch import Tensor
from torch.nn import ModuleDict

from pyg_kgt.models.link_predictor import LinkPredictor
from pyg_kgt.models.student.distillation_fade import DistillationFade
from pyg_kgt.models.student.teacher_candidates import TeacherCandidates
from pyg_kgt.models.task_loss import TaskLoss
from pyg_kgt.nn.decoders import Decoder
from pyg_kgt.nn.distill import (FeatureDistillationLoss,
                                NetworkDistillationLoss,
                                PredictionDistillationLoss)
from pyg_kgt.nn.encoders import RGCNEncoder
from pyg_kgt.training.triple_group import TripleGroup


class StudentNetwork(LinkPredictor):
    r"""A :class:`LinkPredictor` that also owns the distillation losses
    (their projections are trained with it and saved in its checkpoints)
    and its :class:`TeacherCandidates`, the teacher's hard negatives that
    join the uniform ones of a sampled 1-N loss (empty unless set).

    Args:
        encoder (RGCNEncoder): The student encoder.
        decoder (Decoder): The student decoder.
        teacher_channels (int, optional): Teacher width; without it there is
            no distillation.
        num_teacher_layers (int): Teacher depth. (default: 1)
        temperature (float): Of the prediction loss. (default: 2.0)
        loss (TaskLoss, optional): The task loss (see
            :class:`LinkPredictor`).
        fade (float): The factor of its :class:`DistillationFade`, the
            share of distillation kept at each validation plateau.
            (default: 1.0, constant weights)
    """

    def __init__(self, encoder: RGCNEncoder, decoder: Decoder,
                 teacher_channels: Optional[int] = None,
                 num_teacher_layers: int = 1,
                 temperature: float = 2.0,
                 loss: Optional[TaskLoss] = None,
                 fade: float = 1.0) -> None:
        super().__init__(encoder, decoder, loss)
        self.distillation = ModuleDict()
        self.fade = DistillationFade(fade)
        self.teacher_candidates = TeacherCandidates()
        if teacher_channels is not None:
            width = encoder.hidden_channels
            self.distillation['feature'] = FeatureDistillationLoss(
                width, teacher_channels)
            if encoder.num_layers and num_teacher_layers:
                self.distillation['network'] = NetworkDistillationLoss(
                    width, teacher_channels, encoder.num_layers,
                    num_teacher_layers)
            self.distillation['prediction'] = PredictionDistillationLoss(
                temperature)

    def one_to_n_loss(self, embeddings: Tensor, batch: Tensor,
                      group: TripleGroup, label_smoothing: float,
                      num_candidates: Optional[int] = None,
                      tail_candidates: Optional[Tensor] = None) -> Tensor:
        r""":meth:`LinkPredictor.one_to_n_loss`, whose sampled branch also
        scores each triple's teacher candidates when they are set."""
        if (tail_candidates is None and num_candidates is not None and
                self.teacher_candidates.num_candidates):
            tail_candidates = self.teacher_candidates(batch[:, 0],
                                                      batch[:, 1])
        return super().one_to_n_loss(embeddings, batch, group,
                                     label_smoothing, num_candidates,
                                     tail_candidates)
