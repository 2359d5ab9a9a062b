r"""Layers, encoders, decoders and losses."""
from pyg_kgt.nn.conv import (RelationalAdjacency, RelationalConv,
                             RelationalMessages)
from pyg_kgt.nn.decoders import (ComplEx, Decoder, DistMult, RotatE, TransE,
                                 build_decoder)
from pyg_kgt.nn.encoders import RGCNEncoder
from pyg_kgt.nn.losses import (OneToNCrossEntropyLoss,
                               SelfAdversarialNegativeSamplingLoss)

__all__ = [
    'RelationalAdjacency', 'RelationalConv', 'RelationalMessages',
    'RGCNEncoder', 'Decoder', 'TransE', 'DistMult', 'ComplEx', 'RotatE',
    'build_decoder', 'OneToNCrossEntropyLoss',
    'SelfAdversarialNegativeSamplingLoss',
]
