"""DistMult."""
from __future__ import annotations

from torch import Tensor

from pyg_kgt.nn.decoders.decoder import Decoder


class DistMult(Decoder):
    r"""DistMult (Yang et al., ICLR 2015):

    .. math::
        f(\mathbf{h}, r, \mathbf{t}) = \langle \mathbf{h}, \mathbf{r},
        \mathbf{t} \rangle = \sum_k h_k r_k t_k

    All-candidate scoring is one matrix product per slice.
    """

    def _score(self, head: Tensor, rel: Tensor, tail: Tensor) -> Tensor:
        return (head * rel * tail).sum(-1)

    def _tails(self, head: Tensor, rel: Tensor, cand: Tensor) -> Tensor:
        return (head * rel) @ cand.t()

    def _heads(self, rel: Tensor, tail: Tensor, cand: Tensor) -> Tensor:
        return (rel * tail) @ cand.t()
