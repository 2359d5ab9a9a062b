"""Training and evaluating one KG alone (the from-scratch baseline)."""
from __future__ import annotations

import time
from typing import Any, Dict, Optional, Sequence

import torch

from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.evaluation import evaluate_link_prediction
from pyg_kgt.models.link_predictor import LinkPredictor
from pyg_kgt.models.model_config import ModelConfig
from pyg_kgt.training.config import TrainingConfig
from pyg_kgt.training.fit import fit
from pyg_kgt.training.seed import seed_everything


def evaluate_kg(model: LinkPredictor, adjacency, kg: KnowledgeGraph,
                split: str = 'test',
                protocols: Sequence[str] = ('filtered', 'lifted'),
                batch_size: int = 512, progress: bool = False,
                node_offset: int = 0) -> Dict[str, Any]:
    r"""Evaluates ``model`` on one KG's ``split`` under each protocol.

    Candidates are the KG's own entities: nodes ``node_offset ..
    node_offset + kg.num_entities`` of the model's graph (so a KG inside a
    larger linked graph is ranked only against its own entities).
    """
    model.eval()
    with torch.no_grad():
        embeddings = model(adjacency)
    own = embeddings[node_offset:node_offset + kg.num_entities]
    scorer = model.scorer(own)
    known = {'train': kg.train, 'val': kg.val, 'test': kg.test}
    return {protocol: evaluate_link_prediction(
        scorer, kg.triples(split), protocol, known, kg.num_relations,
        batch_size, progress, f'{kg.name} {split} {protocol}')
        for protocol in protocols}


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
    validate = None
    if kg.val.numel():
        def validate(m: LinkPredictor) -> float:
            result = evaluate_kg(m, adjacency, kg, 'val', ('filtered',),
                                 training_config.eval_batch_size)
            return result['filtered']['metrics']['mrr']
    history = fit(model, adjacency, kg.train, training_config, validate,
                  checkpoint_dir=checkpoint_dir, resume=resume)
    train_s = time.perf_counter() - began
    test = evaluate_kg(model, adjacency, kg, 'test',
                       batch_size=training_config.eval_batch_size)
    return {'model': model, 'adjacency': adjacency, 'history': history,
            'test': test, 'train_s': train_s,
            'wall_s': time.perf_counter() - began}
