"""Link prediction on one KG, with a model or any scorer."""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

import torch
from torch import Tensor
from torch.nn import Module

from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.evaluation.link_prediction import (DEFAULT_PROTOCOLS,
                                                evaluate_link_prediction)
from pyg_kgt.nn.conv import RelationalAdjacency


def evaluate_kg(model: Module, adjacency: Optional[RelationalAdjacency],
                kg: KnowledgeGraph,
                split: str = 'test',
                protocols: Sequence[str] = DEFAULT_PROTOCOLS,
                batch_size: int = 512, progress: bool = False,
                node_ids: Optional[Tensor] = None,
                embeddings: Optional[Tensor] = None,
                relation_index: Optional[Tensor] = None,
                triples: Optional[Tensor] = None) -> Dict[str, Any]:
    r"""Evaluates ``model`` on one KG's ``split`` under each protocol.

    ``model`` is any module whose ``model(adjacency)`` gives node embeddings
    and whose ``model.scorer(embeddings)`` scores candidates (e.g. a
    :class:`~pyg_kgt.models.LinkPredictor`); it runs where its parameters
    live. Candidates are the KG's own entities: ``node_ids``
    :obj:`[num_entities]` maps each of its entity ids to a node of the
    model's graph (default: nodes ``0 .. num_entities - 1``), so a KG inside
    a larger linked graph is ranked only against its own entities.

    Args:
        embeddings (torch.Tensor, optional): Precomputed node embeddings.
        relation_index (torch.Tensor, optional): :obj:`[R]` the model's
            relation id of each of the KG's relations (see
            :class:`~pyg_kgt.data.MultiSourceKG`). (default: the same ids)
        triples (torch.Tensor, optional): Rank these instead of the whole
            ``split`` (e.g. a sample); filters still use every split.
    """
    model.eval()
    if embeddings is None:
        with torch.no_grad():
            embeddings = model(adjacency)
    if node_ids is not None:
        embeddings = embeddings[node_ids]
    return evaluate_scorer(model.scorer(embeddings[:kg.num_entities]), kg,
                           split, protocols, batch_size, progress,
                           relation_index, triples)


def evaluate_scorer(scorer, kg: KnowledgeGraph, split: str = 'test',
                    protocols: Sequence[str] = DEFAULT_PROTOCOLS,
                    batch_size: int = 512, progress: bool = False,
                    relation_index: Optional[Tensor] = None,
                    triples: Optional[Tensor] = None) -> Dict[str, Any]:
    r"""Evaluates a ``scorer(entity, relation, side)`` over ``kg``'s
    entities (see :func:`~pyg_kgt.evaluation.evaluate_link_prediction`) on
    ``split`` (or the given ``triples``), filtering with every split; the
    scorer gets relation ids through ``relation_index`` :obj:`[R]` when
    given."""
    if relation_index is None:
        relation_index = torch.arange(kg.num_relations)

    def to_model(rows: Tensor) -> Tensor:
        return torch.stack([rows[:, 0], relation_index[rows[:, 1]],
                            rows[:, 2]], dim=1)

    known = {name: to_model(kg.triples(name)) for name in ('train', 'val',
                                                           'test')}
    ranked = known[split] if triples is None else to_model(triples)
    num_relations = int(relation_index.max()) + 1 if relation_index.numel() \
        else 0
    return {protocol: evaluate_link_prediction(
        scorer, ranked, protocol, known, num_relations, batch_size,
        progress, f'{kg.name} {split} {protocol}') for protocol in protocols}
