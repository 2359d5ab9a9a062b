"""A relation space and the one place that maps relations between graphs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence

import torch
from torch import Tensor


@dataclass
class RelationVocabulary:
    r"""A global relation space and, per KG, its own relation names.

    The model of a :class:`~pyg_kgt.data.MultiSourceKG` (and so a teacher,
    a student or a linked subgraph) scores global relation ids; users and
    other graphs name relations by their KG's own names. This class is the
    single place where the two meet: :meth:`map` turns any KG's relation
    names into ids of this space *by name* (the same URI), optionally
    through a relation alignment
    (:func:`~pyg_kgt.data.readers.read_relation_alignment`), with
    :math:`-1` where this space has no counterpart.

    Args:
        names ([str]): Global relation id -> name.
        kg_names ({str: [str]}): Per KG, its local relation id -> name.
        kg_index ({str: [int]}): Per KG, its local relation id -> global id.
    """
    names: List[str]
    kg_names: Dict[str, List[str]]
    kg_index: Dict[str, List[int]]

    def __post_init__(self) -> None:
        for kg, index in self.kg_index.items():
            if len(index) != len(self.kg_names[kg]):
                raise ValueError(f"relation vocabulary of KG '{kg}': "
                                 f'{len(index)} ids for '
                                 f'{len(self.kg_names[kg])} names')
            if index and not 0 <= min(index) <= max(index) < len(
                    self.names):
                raise ValueError(f"relation vocabulary of KG '{kg}': ids "
                                 f'outside [0, {len(self.names)})')

    @property
    def num_relations(self) -> int:
        return len(self.names)

    def index_of(self, kg: str) -> Tensor:
        r"""KG ``kg``'s local relation ids -> global ids :obj:`[R_kg]`."""
        return torch.tensor(self.kg_index[kg], dtype=torch.long)

    def lookup(self) -> Dict[str, int]:
        r"""Name -> global id: every KG's own names (the first KG that uses
        a name wins) and the global names."""
        ids: Dict[str, int] = {}
        for kg, names in self.kg_names.items():
            for name, index in zip(names, self.kg_index[kg]):
                ids.setdefault(name, index)
        for index, name in enumerate(self.names):
            ids.setdefault(name, index)
        return ids

    def map(self, names: Sequence[str],
            aliases: Optional[Mapping[str, str]] = None) -> Tensor:
        r"""Ids in this space of relations named ``names`` in another graph
        :obj:`[len(names)]`; :math:`-1` where none matches.

        Args:
            names ([str]): The other graph's relation names.
            aliases ({str: str}, optional): Other name -> name in this space
                (a relation alignment); it takes precedence over equal
                names. (default: :obj:`None`)
        """
        ids = self.lookup()
        aliases = aliases or {}
        return torch.tensor([ids.get(aliases.get(n, n), -1) for n in names],
                            dtype=torch.long)

    @classmethod
    def from_hetero(cls, data) -> 'RelationVocabulary':
        r"""The vocabulary carried by a
        :meth:`~pyg_kgt.data.MultiSourceKG.to_hetero_data` graph (or a
        :class:`~pyg_kgt.transforms.LinkSubgraph` of one)."""
        kg_names, kg_index = {}, {}
        for node_type in data.node_types:
            store = data[node_type]
            if 'relation_names' in store:
                kg_names[node_type] = list(store.relation_names)
                kg_index[node_type] = store.relation_index.tolist()
        names = getattr(data, 'relation_names', None)
        if names is None:
            raise ValueError('the graph carries no relation vocabulary '
                             '(make it with MultiSourceKG.to_hetero_data)')
        return cls(list(names), kg_names, kg_index)

    def to_dict(self) -> Dict[str, object]:
        return {'names': self.names, 'kg_names': self.kg_names,
                'kg_index': self.kg_index}

    @classmethod
    def from_dict(cls, values: Dict[str, object]) -> 'RelationVocabulary':
        return cls(list(values['names']), dict(values['kg_names']),
                   dict(values['kg_index']))
