"""Seed entity alignment between two knowledge graphs."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor


def _empty_pairs() -> Tensor:
    return torch.empty(0, 2, dtype=torch.long)


@dataclass
class AlignmentLinks:
    r"""Aligned entity pairs between KG ``source`` and KG ``target``.

    Pairs are long tensors :obj:`[n, 2]` holding ``(id in source, id in
    target)``. ``train`` pairs link the graphs for training; ``test`` pairs
    (when the data ships a split) are held out for entity-alignment
    evaluation. ``duplicates`` counts exact duplicate rows the reader removed,
    so the removal is reported rather than silent.

    Args:
        source (str): Name of the KG of column 0.
        target (str): Name of the KG of column 1.
        train (torch.Tensor): Training pairs :obj:`[n, 2]`.
        test (torch.Tensor, optional): Test pairs :obj:`[m, 2]`.
        duplicates (int, optional): Duplicate rows removed. (default: 0)
    """
    source: str
    target: str
    train: Tensor
    test: Tensor = field(default_factory=_empty_pairs)
    duplicates: int = 0

    def __post_init__(self) -> None:
        for split in ('train', 'test'):
            pairs = torch.as_tensor(getattr(self, split), dtype=torch.long)
            if pairs.dim() != 2 or pairs.size(1) != 2:
                raise ValueError(f'alignment {self.source}-{self.target}: '
                                 f'{split} pairs must have shape [n, 2], got '
                                 f'{list(pairs.shape)}')
            setattr(self, split, pairs)

    @property
    def key(self) -> tuple:
        return (self.source, self.target)

    def flipped(self) -> 'AlignmentLinks':
        r"""The same links with the two KGs swapped."""
        return AlignmentLinks(self.target, self.source, self.train.flip(1),
                              self.test.flip(1), self.duplicates)

    def all_for_training(self) -> 'AlignmentLinks':
        r"""The same links with every held-out pair made a training pair
        (the field's "all seed alignments" setting: nothing is left to
        evaluate entity alignment on)."""
        train, _ = deduplicate_pairs(torch.cat([self.train, self.test]))
        return AlignmentLinks(self.source, self.target, train,
                              duplicates=self.duplicates)

    def statistics(self) -> dict:
        return {'train': int(self.train.size(0)),
                'test': int(self.test.size(0)),
                'duplicates_removed': self.duplicates}


def deduplicate_pairs(pairs: Tensor) -> tuple:
    r"""Removes exact duplicate rows, keeping first occurrences in order.

    Returns:
        (torch.Tensor, int): The unique pairs and the number removed.
    """
    if pairs.numel() == 0:
        return pairs, 0
    _, inverse = torch.unique(pairs, dim=0, return_inverse=True)
    order = torch.arange(pairs.size(0))
    first = torch.full((int(inverse.max()) + 1,), pairs.size(0),
                       dtype=torch.long).scatter_reduce(
                           0, inverse, order, 'amin')
    keep = torch.sort(first).values
    return pairs[keep], int(pairs.size(0) - keep.numel())
