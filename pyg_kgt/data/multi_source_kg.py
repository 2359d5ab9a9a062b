"""Several knowledge graphs linked by seed entity alignments."""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence

from torch import Tensor
from torch_geometric.data import HeteroData

from pyg_kgt.data.alignment import AlignmentLinks
from pyg_kgt.data.knowledge_graph import KnowledgeGraph

FACT = 'fact'
SAME_AS = 'same_as'


class MultiSourceKG:
    r"""Several KGs plus seed alignments between pairs of them.

    **Relation space.** When every KG has the same relation vocabulary (as in
    DBP-5L, where relation ``r`` is the same predicate in every language), the
    global relation id equals the local one. Otherwise relations are
    namespaced per KG: the global id of local relation ``r`` of KG ``k`` is
    ``relation_offset[k] + r`` and its name is ``"k:name"``.

    Args:
        kgs ([KnowledgeGraph]): The graphs; names must be unique.
        alignments ([AlignmentLinks], optional): Seed alignments between
            pairs of them. (default: :obj:`None`)
        shared_relations (bool, optional): Force (``True``) or forbid
            (``False``) a shared relation vocabulary; :obj:`None` detects it.
            (default: :obj:`None`)
    """

    def __init__(self, kgs: Sequence[KnowledgeGraph],
                 alignments: Optional[Iterable[AlignmentLinks]] = None,
                 shared_relations: Optional[bool] = None) -> None:
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

        vocabularies = {tuple(kg.relation_names) for kg in self.kgs.values()}
        if shared_relations is None:
            shared_relations = len(vocabularies) == 1
        if shared_relations and len(vocabularies) != 1:
            raise ValueError('shared_relations=True needs identical relation '
                             'vocabularies in every KG')
        self.shared_relations = shared_relations
        self.relation_offset: Dict[str, int] = {}
        self.relation_names: List[str] = []
        for name, kg in self.kgs.items():
            if shared_relations:
                self.relation_offset[name] = 0
                self.relation_names = list(kg.relation_names)
            else:
                self.relation_offset[name] = len(self.relation_names)
                self.relation_names += [f'{name}:{r}'
                                        for r in kg.relation_names]

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
        return relations + self.relation_offset[name]

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
             if set(key) <= keep], self.shared_relations)

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
        * ``data.num_relations``: size of the global relation space.
        """
        data = HeteroData()
        for name, kg in self.kgs.items():
            data[name].num_nodes = kg.num_entities
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
        return data

    def statistics(self) -> dict:
        r"""Per-KG and per-pair counts, as printed by ``pyg-kgt stats``."""
        return {
            'kgs': {name: kg.statistics() for name, kg in self.kgs.items()},
            'alignments': {f'{a}-{b}': links.statistics()
                           for (a, b), links in self.alignments.items()},
            'relations': self.num_relations,
            'shared_relations': self.shared_relations,
        }

    def __repr__(self) -> str:
        kgs = ', '.join(f'{n}={kg.num_entities}' for n, kg in self.kgs.items())
        return (f'{self.__class__.__name__}({kgs}, '
                f'relations={self.num_relations}, '
                f'alignments={len(self.alignments)})')
