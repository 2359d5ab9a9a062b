"""Base class of score functions (infrastructure)."""
from __future__ import annotations

from typing import Optional

import torch
from torch import Tensor
from torch.nn import Embedding, Module


class Decoder(Module):
    r"""A score function :math:`f(\mathbf{h}, r, \mathbf{t})`; higher is
    more plausible. Shared by teacher and student.

    Two entry points:

    * :meth:`forward` scores given triples, :obj:`[B]`;
    * :meth:`score_tails` / :meth:`score_heads` score every candidate,
      :obj:`[B, num_candidates]`, computed in slices of ``slice_size``
      candidates so memory is bounded by ``B * slice_size`` (plus, for
      distance models, the same again as workspace).

    Subclasses define the relation width and ``_score``, ``_tails``,
    ``_heads``.

    Args:
        num_relations (int): Relations.
        channels (int): Entity embedding width.
    """
    relation_width_ratio = 1.0

    def __init__(self, num_relations: int, channels: int) -> None:
        super().__init__()
        self.num_relations = num_relations
        self.channels = channels
        self.relation_embedding = Embedding(
            num_relations, int(channels * self.relation_width_ratio))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        torch.nn.init.xavier_uniform_(self.relation_embedding.weight)

    def forward(self, head: Tensor, relation: Tensor, tail: Tensor) -> Tensor:
        r"""Scores triples.

        Args:
            head (torch.Tensor): Head embeddings :obj:`[B, channels]`.
            relation (torch.Tensor): Relation ids :obj:`[B]`.
            tail (torch.Tensor): Tail embeddings :obj:`[B, channels]`.
        """
        return self._score(head, self.relation_embedding(relation), tail)

    def score_tails(self, head: Tensor, relation: Tensor,
                    candidates: Tensor,
                    slice_size: Optional[int] = None) -> Tensor:
        r"""Scores every candidate tail: :obj:`[B, num_candidates]`.

        Args:
            head (torch.Tensor): :obj:`[B, channels]`.
            relation (torch.Tensor): :obj:`[B]`.
            candidates (torch.Tensor): :obj:`[num_candidates, channels]`.
            slice_size (int, optional): Candidates per slice.
        """
        rel = self.relation_embedding(relation)
        return self._sliced(lambda c: self._tails(head, rel, c), candidates,
                            slice_size)

    def score_heads(self, relation: Tensor, tail: Tensor, candidates: Tensor,
                    slice_size: Optional[int] = None) -> Tensor:
        r"""Scores every candidate head: :obj:`[B, num_candidates]`."""
        rel = self.relation_embedding(relation)
        return self._sliced(lambda c: self._heads(rel, tail, c), candidates,
                            slice_size)

    @staticmethod
    def _sliced(fn, candidates: Tensor, slice_size: Optional[int]) -> Tensor:
        if slice_size is None or slice_size >= candidates.size(0):
            return fn(candidates)
        return torch.cat([fn(part) for part in torch.split(candidates,
                                                           slice_size)], 1)

    def _score(self, head: Tensor, rel: Tensor, tail: Tensor) -> Tensor:
        raise NotImplementedError

    def _tails(self, head: Tensor, rel: Tensor, cand: Tensor) -> Tensor:
        raise NotImplementedError

    def _heads(self, rel: Tensor, tail: Tensor, cand: Tensor) -> Tensor:
        raise NotImplementedError

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.channels}, '
                f'num_relations={self.num_relations})')


def split_complex(x: Tensor) -> tuple:
    r"""Views the last dimension as (real half, imaginary half)."""
    return x.chunk(2, dim=-1)
