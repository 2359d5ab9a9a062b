"""TransE."""
from __future__ import annotations

import torch
from torch import Tensor

from pyg_kgt.nn.decoders.decoder import Decoder


class TransE(Decoder):
    r"""TransE (Bordes et al., NeurIPS 2013):

    .. math::
        f(\mathbf{h}, r, \mathbf{t}) = -\| \mathbf{h} + \mathbf{r} -
        \mathbf{t} \|_p

    Args:
        num_relations (int): Relations.
        channels (int): Embedding width.
        p (int): Norm. (default: 2)
    """

    def __init__(self, num_relations: int, channels: int, p: int = 2) -> None:
        self.p = p
        super().__init__(num_relations, channels)

    def _score(self, head: Tensor, rel: Tensor, tail: Tensor) -> Tensor:
        return -torch.linalg.vector_norm(head + rel - tail, self.p, dim=-1)

    def _tails(self, head: Tensor, rel: Tensor, cand: Tensor) -> Tensor:
        return -torch.cdist(head + rel, cand, p=self.p)

    def _heads(self, rel: Tensor, tail: Tensor, cand: Tensor) -> Tensor:
        return -torch.cdist(tail - rel, cand, p=self.p)
