"""RotatE."""
from __future__ import annotations

import math

import torch
from torch import Tensor

from pyg_kgt.nn.decoders.decoder import Decoder, split_complex


class RotatE(Decoder):
    r"""RotatE (Sun et al., ICLR 2019): relations rotate in the complex
    plane; entity width ``channels`` is read as ``channels / 2`` complex
    numbers, each relation is ``channels / 2`` phases :math:`\theta`:

    .. math::
        f(\mathbf{h}, r, \mathbf{t}) = -\| \mathbf{h} \circ
        e^{i\boldsymbol{\theta}_r} - \mathbf{t} \|_2

    (the L2 norm over all real components, as in PyKEEN). Head scoring uses
    :math:`\|\mathbf{h} \circ e^{i\theta} - \mathbf{t}\| = \|\mathbf{h} -
    \mathbf{t} \circ e^{-i\theta}\|`.
    """
    relation_width_ratio = 0.5

    def __init__(self, num_relations: int, channels: int) -> None:
        if channels % 2:
            raise ValueError(f'RotatE needs an even width, got {channels}')
        super().__init__(num_relations, channels)

    def reset_parameters(self) -> None:
        torch.nn.init.uniform_(self.relation_embedding.weight, -math.pi,
                               math.pi)

    @staticmethod
    def _rotate(x: Tensor, phase: Tensor) -> Tensor:
        xr, xi = split_complex(x)
        cos, sin = torch.cos(phase), torch.sin(phase)
        return torch.cat([xr * cos - xi * sin, xr * sin + xi * cos], dim=-1)

    def _score(self, head: Tensor, rel: Tensor, tail: Tensor) -> Tensor:
        return -torch.linalg.vector_norm(self._rotate(head, rel) - tail,
                                         dim=-1)

    def _tails(self, head: Tensor, rel: Tensor, cand: Tensor) -> Tensor:
        return -torch.cdist(self._rotate(head, rel), cand)

    def _heads(self, rel: Tensor, tail: Tensor, cand: Tensor) -> Tensor:
        return -torch.cdist(self._rotate(tail, -rel), cand)
