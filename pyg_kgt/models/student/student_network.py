"""The student's network: a link predictor plus distillation heads."""
from __future__ import annotations

from typing import Optional

from torch.nn import ModuleDict

from pyg_kgt.models.link_predictor import LinkPredictor
from pyg_kgt.models.student.distillation_fade import DistillationFade
from pyg_kgt.models.task_loss import TaskLoss
from pyg_kgt.nn.decoders import Decoder
from pyg_kgt.nn.distill import (FeatureDistillationLoss,
                                NetworkDistillationLoss,
                                PredictionDistillationLoss)
from pyg_kgt.nn.encoders import RGCNEncoder


class StudentNetwork(LinkPredictor):
    r"""A :class:`LinkPredictor` that also owns the distillation losses
    (their projections are trained with it and saved in its checkpoints).

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
