from pyg_kgt.nn.losses.cross_entropy_loss import OneToNCrossEntropyLoss
from pyg_kgt.nn.losses.self_adversarial_loss import \
    SelfAdversarialNegativeSamplingLoss

__all__ = ['OneToNCrossEntropyLoss', 'SelfAdversarialNegativeSamplingLoss']
