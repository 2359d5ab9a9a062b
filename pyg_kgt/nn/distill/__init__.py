r"""The three knowledge distillation losses of joint pre-training and local
re-training (feature, network, prediction)."""
from pyg_kgt.nn.distill.feature_distillation_loss import \
    FeatureDistillationLoss
from pyg_kgt.nn.distill.network_distillation_loss import (
    NetworkDistillationLoss, match_layers)
from pyg_kgt.nn.distill.prediction_distillation_loss import \
    PredictionDistillationLoss

__all__ = ['FeatureDistillationLoss', 'NetworkDistillationLoss',
           'PredictionDistillationLoss', 'match_layers']
