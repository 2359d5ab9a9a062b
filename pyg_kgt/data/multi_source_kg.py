"""Several knowledge graphs linked by seed entity alignments."""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Union

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from pyg_kgt.data.alignment import AlignmentLinks
from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.data.relation_vocabulary import RelationVocabulary

FACT = 'fact'
SAME_AS = 'same_as'


SharedRelations = Union[bool, str, None]


def parse_shared_relations(value: SharedRelations) -> Optional[bool]:
    r"""``"auto"``/:obj:`None` -> :obj:`None`; booleans (and the strings
    ``"true"``/``"false"``) as they are; anything else is an error."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ('auto', 'true', 'false'):
        return {'auto': None, 'true': True, 'false': False}[text]
    raise ValueError(f"shared_relations: use 'auto', true or false, got "
                     f'{value!r}')


class MultiSourceKG:
    r"""Several KGs plus seed alignments between pairs of them.

    **Relation space.** A relation is shared by name: relations with the
    same name (e.g. the same URI) in several KGs get one global id, named
    by that name; the others get their own. The global vocabulary lists
    the names in order of first appearance (KGs in order), so KGs with one
    vocabulary in one order (DBP-5L) keep their local ids as global ids.
    With ``shared_relations=False`` every KG's relations are namespaced
    instead: global name ``"k:name"``. ``relation_index[k]`` maps KG ``k``'s
    local relation ids to global ids :obj:`[R_k]`.

    Args:
        kgs ([KnowledgeGraph]): The graphs; names must be unique.
        alignments ([AlignmentLinks], optional): Seed alignments between
            pairs of them. (default: :obj:`None`)
        shared_relations (bool or str, optional): ``"auto"`` (or
            :obj:`None`) shares identical names; :obj:`True` does too, and
            raises when several KGs have no relation name in common;
            :obj:`False` namespaces every KG. (default: ``"auto"``)
    """

    def __init__(self, kgs: Sequence[KnowledgeGraph],
                 alignments: Optional[Iterable[AlignmentLinks]] = None,
                 shared_relations: SharedRelations = 'auto') -> None:
        self.kgs: Dict[str, KnowledgeGraph] = {}
        for kg in kgs:
            if kg.name in self.kgs:
                raise ValueError(f"duplicate KG name '{kg.name}'")
            self.kgs[kg.name] = kg
        if not self.kgs:
            raise ValueError('a MultiSourceKG needs at least one KG')
        self.alignments: Dict[tuple, AlignmentLinks] = {}
        for links in alignments or ():
            self._check_links(links)
            if links.key in self.alignments:
                raise ValueError(f'duplicate alignment {links.key}')
            self.alignments[links.key] = links

        mode = parse_shared_relations(shared_relations)
        self.shared_relations = mode is not False
        self.relation_names: List[str] = []
        self.relation_index: Dict[str, Tensor] = {}
        global_id: Dict[str, int] = {}
        for name, kg in self.kgs.items():
            names = (kg.relation_names if self.shared_relations else
                     [f'{name}:{r}' for r in kg.relation_names])
            ids = []
            for relation in names:
                if relation not in global_id:
                    global_id[relation] = len(self.relation_names)
                    self.relation_names.append(relation)
                ids.append(global_id[relation])
            self.relation_index[name] = torch.tensor(ids, dtype=torch.long)
        total = sum(kg.num_relations for kg in self.kgs.values())
        if (mode is True and len(self.kgs) > 1
                and len(self.relation_names) == total):
            raise ValueError('shared_relations=True: the KGs have no '
                             'relation name in common (use "auto" or '
                             'false, or give the relations one vocabulary)')

    def _check_links(self, links: AlignmentLinks) -> None:
        for side, kg_name in enumerate(links.key):
            if kg_name not in self.kgs:
                raise ValueError(f'alignment {links.key} names unknown KG '
                                 f"'{kg_name}'")
            bound = self.kgs[kg_name].num_entities
            for split in ('train', 'test'):
                ids = getattr(links, split)[:, side]
                if ids.numel() and (ids.min() < 0 or ids.max() >= bound):
                    bad = int(ids.max() if ids.max() >= bound else ids.min())
                    raise ValueError(
                        f'alignment {links.source}-{links.target} ({split}) '
                        f"links entity {bad} outside KG '{kg_name}' "
                        f'[0, {bound})')

    @property
    def names(self) -> List[str]:
        return list(self.kgs)

    @property
    def num_relations(self) -> int:
        return len(self.relation_names)

    def __getitem__(self, name: str) -> KnowledgeGraph:
        return self.kgs[name]

    def global_relations(self, name: str, relations: Tensor) -> Tensor:
        r"""Maps local relation ids of KG ``name`` into the global space."""
        return self.relation_index[name][relations]

    @property
    def relation_vocabulary(self) -> RelationVocabulary:
        r"""The global relation space with every KG's own names."""
        return RelationVocabulary(
            list(self.relation_names),
            {n: list(kg.relation_names) for n, kg in self.kgs.items()},
            {n: index.tolist() for n, index in self.relation_index.items()})

    def links(self, a: str, b: str) -> Optional[AlignmentLinks]:
        r"""Alignment between ``a`` and ``b`` oriented as ``(a, b)``."""
        if (a, b) in self.alignments:
            return self.alignments[(a, b)]
        if (b, a) in self.alignments:
            return self.alignments[(b, a)].flipped()
        return None

    def subset(self, names: Sequence[str]) -> 'MultiSourceKG':
        r"""The KGs in ``names`` and the alignments among them only."""
        keep = set(names)
        unknown = keep - set(self.kgs)
        if unknown:
            raise ValueError(f'unknown KG(s) {sorted(unknown)}; available: '
                             f'{self.names}')
        return MultiSourceKG(
            [self.kgs[n] for n in names],
            [links for key, links in self.alignments.items()
             if set(key) <= keep],
            'auto' if self.shared_relations else False)

    def with_all_alignments(self) -> 'MultiSourceKG':
        r"""The same KGs with every seed alignment pair used for training
        (see :meth:`AlignmentLinks.all_for_training`)."""
        return MultiSourceKG(
            list(self.kgs.values()),
            [links.all_for_training() for links in self.alignments.values()],
            'auto' if self.shared_relations else False)

    def to_hetero_data(self) -> HeteroData:
        r"""Converts to :class:`~torch_geometric.data.HeteroData`.

        Layout:

        * ``data[kg].num_nodes``: entities of KG ``kg``.
        * ``data[kg, 'fact', kg].edge_index`` :obj:`[2, E]` (head, tail) and
          ``.edge_type`` :obj:`[E]` (global relation id) for training
          triples; ``val_edge_index`` / ``val_edge_type`` and
          ``test_edge_index`` / ``test_edge_type`` likewise.
        * ``data[a, 'same_as', b].edge_index`` :obj:`[2, A]`: training
          alignment pairs; ``.test_edge_index`` the held-out pairs.
        * ``data[kg].entity_names`` and ``data[kg].relation_names``: the
          KG's own vocabularies; ``data[kg].relation_index`` :obj:`[R_k]`:
          its local relation ids -> global ids.
        * ``data.num_relations`` and ``data.relation_names``: the global
          relation space.
        """
        data = HeteroData()
        for name, kg in self.kgs.items():
            data[name].num_nodes = kg.num_entities
            data[name].entity_names = kg.entity_names
            data[name].relation_names = kg.relation_names
            data[name].relation_index = self.relation_index[name]
            store = data[name, FACT, name]
            for split in ('train', 'val', 'test'):
                triples = kg.triples(split)
                prefix = '' if split == 'train' else f'{split}_'
                store[f'{prefix}edge_index'] = triples[:, [0, 2]].t()
                store[f'{prefix}edge_type'] = self.global_relations(
                    name, triples[:, 1])
        for (a, b), links in self.alignments.items():
            data[a, SAME_AS, b].edge_index = links.train.t()
            data[a, SAME_AS, b].test_edge_index = links.test.t()
        data.num_relations = self.num_relations
        data.relation_names = list(self.relation_names)
        return data

    def statistics(self) -> dict:
        r"""Per-KG and per-pair counts, as printed by ``pyg-kgt stats``."""
        return {
            'kgs': {name: kg.statistics() for name, kg in self.kgs.items()},
            'alignments': {f'{a}-{b}': links.statistics()
                           for (a, b), links in self.alignments.items()},
            'relations': self.num_relations,
            'shared_relations': self.shared_relations,
            'relations_in_several_kgs': int(
                (torch.bincount(torch.cat([i.unique() for i in
                                           self.relation_index.values()]),
                                minlength=self.num_relations) > 1).sum()),
        }

    def __repr__(self) -> str:
        kgs = ', '.join(f'{n}={kg.num_entities}' for n, kg in self.kgs.items())
        return (f'{self.__class__.__name__}({kgs}, '
                f'relations={self.num_relations}, '
                f'alignments={len(self.alignments)})')
