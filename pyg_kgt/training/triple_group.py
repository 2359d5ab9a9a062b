"""Training triples grouped with the candidates they are scored against."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch
from torch import Tensor


@dataclass
class TripleGroup:
    r"""Triples of one KG in the node ids of a (possibly larger) graph, and
    the candidate nodes its 1-N loss ranks them against (that KG's own
    entities), so a joint model over several KGs does not pay for scoring
    every triple against every KG.

    Attributes:
        triples (torch.Tensor): :obj:`[n, 3]` (head node, relation, tail
            node).
        candidates (torch.Tensor): :obj:`[C]` unique candidate node ids.
        position (torch.Tensor): :obj:`[num_nodes]` index of each node in
            ``candidates`` (-1 if absent).
        name (str): A label, e.g. the KG name.
    """
    triples: Tensor
    candidates: Tensor
    position: Tensor
    name: str = ''

    @classmethod
    def create(cls, triples: Tensor, num_nodes: int,
               candidates: Optional[Tensor] = None,
               name: str = '') -> 'TripleGroup':
        r"""Builds a group; ``candidates`` default to all nodes. Every head
        and tail must be a candidate."""
        if candidates is None:
            candidates = torch.arange(num_nodes)
        candidates = torch.unique(candidates)
        position = torch.full((num_nodes,), -1, dtype=torch.long)
        position[candidates] = torch.arange(candidates.numel())
        if triples.numel() and (position[triples[:, 0]].min() < 0 or
                                position[triples[:, 2]].min() < 0):
            raise ValueError(f"group '{name}': a head or tail is not among "
                             f'its candidates')
        return cls(triples, candidates, position, name)

    def to(self, device: torch.device) -> 'TripleGroup':
        r"""The group with its tensors on ``device``."""
        return TripleGroup(self.triples.to(device),
                           self.candidates.to(device),
                           self.position.to(device), self.name)

    def corrupt(self, batch: Tensor, num_negatives: int) -> Tensor:
        r"""``num_negatives`` corruptions per triple of ``batch``
        :obj:`[B, 3]`, :obj:`[B, k, 2]` (head, tail): head or tail replaced
        (each with probability 1/2) by a uniformly drawn candidate of the
        group. Drawn on the batch's device."""
        shape = (batch.size(0), num_negatives)
        corrupt = self.candidates[torch.randint(
            self.candidates.numel(), shape, device=batch.device)]
        corrupt_head = torch.rand(shape, device=batch.device) < 0.5
        neg_h = torch.where(corrupt_head, corrupt, batch[:, 0:1])
        neg_t = torch.where(corrupt_head, batch[:, 2:3], corrupt)
        return torch.stack([neg_h, neg_t], dim=-1)

    def __len__(self) -> int:
        return int(self.triples.size(0))
