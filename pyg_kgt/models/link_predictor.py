"""Encoder + decoder for link prediction."""
from __future__ import annotations

from typing import Optional

from torch import Tensor
from torch.nn import Module

from pyg_kgt.nn.conv import RelationalAdjacency
from pyg_kgt.nn.decoders import Decoder
from pyg_kgt.nn.encoders import RGCNEncoder


class LinkPredictor(Module):
    r"""An :class:`~pyg_kgt.nn.RGCNEncoder` that embeds every entity and a
    :class:`~pyg_kgt.nn.Decoder` that scores triples with them. The single-KG
    baseline, and the backbone of the teacher and the student.

    Args:
        encoder (RGCNEncoder): The entity encoder.
        decoder (Decoder): The score function.
    """

    def __init__(self, encoder: RGCNEncoder, decoder: Decoder) -> None:
        super().__init__()
        if encoder.hidden_channels != decoder.channels:
            raise ValueError(f'encoder width {encoder.hidden_channels} != '
                             f'decoder width {decoder.channels}')
        self.encoder = encoder
        self.decoder = decoder

    def reset_parameters(self) -> None:
        self.encoder.reset_parameters()
        self.decoder.reset_parameters()

    def forward(self, adjacency: RelationalAdjacency) -> Tensor:
        r"""Entity embeddings :obj:`[N, d]`."""
        return self.encoder(adjacency)

    def scorer(self, embeddings: Tensor, candidates: Optional[Tensor] = None,
               slice_size: Optional[int] = None):
        r"""A ``scorer(entity, relation, side)`` for
        :func:`~pyg_kgt.evaluation.evaluate_link_prediction`: scores every
        entity (or the ``candidates`` ids, e.g. one KG's entities inside a
        larger graph) as tail or head."""
        pool = embeddings if candidates is None else embeddings[candidates]

        def score(entity: Tensor, relation: Tensor, side: str) -> Tensor:
            if side == 'tail':
                return self.decoder.score_tails(embeddings[entity], relation,
                                                pool, slice_size)
            return self.decoder.score_heads(relation, embeddings[entity],
                                            pool, slice_size)
        return score

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(encoder={self.encoder}, '
                f'decoder={self.decoder})')
