"""ComplEx."""
from __future__ import annotations

import torch
from torch import Tensor

from pyg_kgt.nn.decoders.decoder import Decoder, split_complex


class ComplEx(Decoder):
    r"""ComplEx (Trouillon et al., ICML 2016), with an embedding of width
    ``channels`` read as ``channels / 2`` complex numbers (real half, then
    imaginary half):

    .. math::
        f(\mathbf{h}, r, \mathbf{t}) = \mathrm{Re}\,\langle \mathbf{h},
        \mathbf{r}, \overline{\mathbf{t}} \rangle

    All-candidate scoring is one matrix product per slice.
    """

    def __init__(self, num_relations: int, channels: int) -> None:
        if channels % 2:
            raise ValueError(f'ComplEx needs an even width, got {channels}')
        super().__init__(num_relations, channels)

    def _score(self, head: Tensor, rel: Tensor, tail: Tensor) -> Tensor:
        return (self._rotate(head, rel) * tail).sum(-1)

    @staticmethod
    def _rotate(x: Tensor, rel: Tensor) -> Tensor:
        # x * r as complex numbers, back in (real, imaginary) layout.
        xr, xi = split_complex(x)
        rr, ri = split_complex(rel)
        return torch.cat([xr * rr - xi * ri, xr * ri + xi * rr], dim=-1)

    def _tails(self, head: Tensor, rel: Tensor, cand: Tensor) -> Tensor:
        return self._rotate(head, rel) @ cand.t()

    def _heads(self, rel: Tensor, tail: Tensor, cand: Tensor) -> Tensor:
        # Re<h, r, conj t> = <h, (Re(r conj t), Im(conj(r) t))>.
        rr, ri = split_complex(rel)
        tr, ti = split_complex(tail)
        query = torch.cat([rr * tr + ri * ti, rr * ti - ri * tr], dim=-1)
        return query @ cand.t()
