"""One knowledge graph: vocabularies and train/val/test triples."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Dict, List

import torch
from torch import Tensor

SPLITS = ('train', 'val', 'test')


def _empty_triples() -> Tensor:
    return torch.empty(0, 3, dtype=torch.long)


@dataclass
class KnowledgeGraph:
    r"""A single knowledge graph with named entities and relations.

    Triples are long tensors of shape :obj:`[num_triples, 3]` holding
    ``(head, relation, tail)`` ids. Entity ids index :obj:`entity_names`,
    relation ids index :obj:`relation_names` (the graph's own vocabulary; a
    :class:`MultiSourceKG` maps them into a shared or namespaced space).

    Nothing is dropped on construction: duplicate triples and evaluation
    triples whose entities never occur in training are kept, counted by
    :meth:`statistics` and reported by ``pyg-kgt stats``.

    Args:
        name (str): Short name, e.g. ``"el"``; also the node type in
            :class:`~torch_geometric.data.HeteroData`.
        entity_names ([str]): Entity id -> name.
        relation_names ([str]): Relation id -> name.
        train (torch.Tensor): Training triples :obj:`[n, 3]`.
        val (torch.Tensor, optional): Validation triples :obj:`[n, 3]`.
        test (torch.Tensor, optional): Test triples :obj:`[n, 3]`.
    """
    name: str
    entity_names: List[str]
    relation_names: List[str]
    train: Tensor
    val: Tensor = field(default_factory=_empty_triples)
    test: Tensor = field(default_factory=_empty_triples)

    def __post_init__(self) -> None:
        for split in SPLITS:
            triples = torch.as_tensor(getattr(self, split), dtype=torch.long)
            if triples.dim() != 2 or triples.size(1) != 3:
                raise ValueError(f"KG '{self.name}': {split} triples must "
                                 f"have shape [n, 3], got "
                                 f"{list(triples.shape)}")
            if triples.numel() > 0:
                for col, bound, what in ((0, self.num_entities, 'head'),
                                         (1, self.num_relations, 'relation'),
                                         (2, self.num_entities, 'tail')):
                    lo, hi = triples[:, col].min(), triples[:, col].max()
                    if lo < 0 or hi >= bound:
                        raise ValueError(
                            f"KG '{self.name}': {split} {what} id "
                            f"{int(hi if hi >= bound else lo)} is out of "
                            f"range [0, {bound})")
            setattr(self, split, triples)

    @property
    def num_entities(self) -> int:
        return len(self.entity_names)

    @property
    def num_relations(self) -> int:
        return len(self.relation_names)

    @cached_property
    def entity_to_id(self) -> Dict[str, int]:
        r"""Name -> id; a repeated name maps to its first id."""
        mapping: Dict[str, int] = {}
        for i, name in enumerate(self.entity_names):
            mapping.setdefault(name, i)
        return mapping

    @cached_property
    def relation_to_id(self) -> Dict[str, int]:
        return {name: i for i, name in enumerate(self.relation_names)}

    def triples(self, split: str) -> Tensor:
        r"""The triples of ``split`` (``train``, ``val`` or ``test``)."""
        if split not in SPLITS:
            raise ValueError(f"unknown split '{split}' (use one of {SPLITS})")
        return getattr(self, split)

    def all_triples(self) -> Tensor:
        return torch.cat([self.train, self.val, self.test], dim=0)

    def statistics(self) -> Dict[str, object]:
        r"""Counts for reports: entities, relations used, triples per split,
        duplicates, and evaluation triples with entities unseen in training.
        """
        all_triples = self.all_triples()
        seen = torch.zeros(self.num_entities, dtype=torch.bool)
        seen[self.train[:, [0, 2]].reshape(-1)] = True
        stats: Dict[str, object] = {
            'entities': self.num_entities,
            'entities_in_triples': int(
                torch.unique(all_triples[:, [0, 2]]).numel()),
            'duplicate_entity_names': self.num_entities - len(
                self.entity_to_id),
            'relations': self.num_relations,
            'relations_used': int(torch.unique(all_triples[:, 1]).numel()),
        }
        for split in SPLITS:
            stats[f'{split}_triples'] = int(self.triples(split).size(0))
        stats['duplicate_triples'] = {
            split: _count_duplicates(self.triples(split)) for split in SPLITS}
        stats['unseen_entity_triples'] = {
            split: int((~seen[self.triples(split)[:, [0, 2]]]).any(1).sum())
            for split in ('val', 'test')}
        return stats

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}('{self.name}', "
                f"entities={self.num_entities}, "
                f"relations={self.num_relations}, "
                f"train={self.train.size(0)}, val={self.val.size(0)}, "
                f"test={self.test.size(0)})")


def _count_duplicates(triples: Tensor) -> int:
    if triples.numel() == 0:
        return 0
    return int(triples.size(0) - torch.unique(triples, dim=0).size(0))
