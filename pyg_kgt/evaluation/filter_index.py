"""Known answers per query, for filtered ranking."""
from __future__ import annotations

from typing import Tuple

import torch
from torch import Tensor


class FilterIndex:
    r"""For each query ``(entity, relation)`` the set of known answers,
    stored as CSR over sorted query keys ``entity * R + relation``.

    For tail prediction build it from ``(h, r, t)`` triples; for head
    prediction from the flipped triples ``(t, r, h)`` (``side="head"``).
    Duplicate triples are collapsed, so every answer is listed once.

    Args:
        triples (torch.Tensor): Known triples :obj:`[n, 3]` (h, r, t).
        num_relations (int): Relations :math:`R`.
        side (str): ``"tail"`` or ``"head"`` (which entity is the answer).
            (default: ``"tail"``)
    """

    def __init__(self, triples: Tensor, num_relations: int,
                 side: str = 'tail') -> None:
        if side not in ('tail', 'head'):
            raise ValueError(f"side must be 'tail' or 'head', got '{side}'")
        self.num_relations = num_relations
        self.side = side
        triples = torch.unique(triples.long(), dim=0) if triples.numel() \
            else triples.long().view(0, 3)
        query, answer = ((triples[:, 0], triples[:, 2]) if side == 'tail'
                         else (triples[:, 2], triples[:, 0]))
        key = query * num_relations + triples[:, 1]
        key, order = torch.sort(key, stable=True)
        self.answers = answer[order]
        self.keys, counts = torch.unique_consecutive(key, return_counts=True)
        self.ptr = torch.zeros(self.keys.numel() + 1, dtype=torch.long)
        torch.cumsum(counts, 0, out=self.ptr[1:])

    def __len__(self) -> int:
        return int(self.answers.numel())

    def lookup(self, entity: Tensor, relation: Tensor) -> Tuple[Tensor,
                                                                 Tensor]:
        r"""Known answers of a batch of queries, vectorised.

        Args:
            entity (torch.Tensor): :obj:`[B]` query entities.
            relation (torch.Tensor): :obj:`[B]` query relations.

        Returns:
            ``(row, answer)``, each :obj:`[F]`: query ``row`` in the batch has
            the known answer ``answer``.
        """
        key = entity.long().cpu() * self.num_relations + relation.long().cpu()
        if self.keys.numel() == 0:
            empty = torch.empty(0, dtype=torch.long)
            return empty, empty
        pos = torch.searchsorted(self.keys, key).clamp_(max=self.keys.numel()
                                                         - 1)
        found = self.keys[pos] == key
        start = self.ptr[pos]
        count = torch.where(found, self.ptr[pos + 1] - start, 0)
        row = torch.repeat_interleave(torch.arange(key.numel()), count)
        first = torch.repeat_interleave(torch.cumsum(count, 0) - count, count)
        offset = torch.arange(row.numel()) - first
        return row, self.answers[start[row] + offset]

    def contains(self, entity: Tensor, relation: Tensor,
                 candidates: Tensor) -> Tensor:
        r""":obj:`[B, k]` whether ``candidates[b, j]`` is a known answer of
        query ``(entity[b], relation[b])`` (:obj:`[B]` each; candidates
        :obj:`[B, k]` on the CPU, like the index)."""
        row, answer = self.lookup(entity, relation)
        return torch.zeros(candidates.shape).index_add_(
            0, row, (candidates[row] == answer[:, None]).float()) > 0
