"""Training and evaluating one KG alone (the from-scratch baseline)."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence

import torch
from torch import Tensor

from torch_geometric import seed_everything
from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.evaluation import evaluate_link_prediction
from pyg_kgt.training.config import TrainingConfig
from pyg_kgt.training.fit import fit

if TYPE_CHECKING:  # pragma: no cover
    from pyg_kgt.models.link_predictor import LinkPredictor
    from pyg_kgt.models.model_config import ModelConfig


def evaluate_kg(model: LinkPredictor, adjacency, kg: KnowledgeGraph,
                split: str = 'test',
                protocols: Sequence[str] = ('filtered', 'lifted'),
                batch_size: int = 512, progress: bool = False,
                node_ids: Optional[Tensor] = None,
                embeddings: Optional[Tensor] = None,
                relation_index: Optional[Tensor] = None,
                triples: Optional[Tensor] = None) -> Dict[str, Any]:
    r"""Evaluates ``model`` on one KG's ``split`` under each protocol.

    Candidates are the KG's own entities: ``node_ids`` :obj:`[num_entities]`
    maps each of its entity ids to a node of the model's graph (default:
    nodes ``0 .. num_entities - 1``), so a KG inside a larger linked graph is
    ranked only against its own entities.

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
                    protocols: Sequence[str] = ('filtered', 'lifted'),
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


def train_single_kg(kg: KnowledgeGraph, model_config: ModelConfig,
                    training_config: TrainingConfig,
                    checkpoint_dir: Optional[str] = None,
                    resume: bool = False) -> Dict[str, Any]:
    r"""Trains an RGCN link predictor on ``kg`` alone (message passing over
    its training triples plus inverses), early-stopped on validation
    filtered MRR, and evaluates the test split under both protocols.

    Returns:
        ``{"model", "adjacency", "history", "test", "wall_s"}`` where
        ``test`` maps protocol to its result.
    """
    seed_everything(training_config.seed)
    began = time.perf_counter()
    model = model_config.build(kg.num_entities, kg.num_relations)
    adjacency = model.encoder.adjacency(kg.train[:, [0, 2]].t(),
                                        kg.train[:, 1], kg.num_entities)
    def validate(m: LinkPredictor) -> float:
        result = evaluate_kg(m, adjacency, kg, 'val', ('filtered',),
                             training_config.eval_batch_size)
        return result['filtered']['metrics']['mrr']
    history = fit(model, adjacency, kg.train, training_config,
                  validate if kg.val.numel() else None,
                  checkpoint_dir=checkpoint_dir, resume=resume)
    train_s = time.perf_counter() - began
    test = evaluate_kg(model, adjacency, kg, 'test',
                       batch_size=training_config.eval_batch_size,
                       progress=training_config.progress)
    return {'model': model, 'adjacency': adjacency, 'history': history,
            'test': test, 'train_s': train_s,
            'wall_s': time.perf_counter() - began}
