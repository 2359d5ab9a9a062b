"""Training and evaluating one KG alone (the from-scratch baseline)."""
from __future__ import annotations

import time
from typing import Any, Dict, Optional

from torch_geometric import seed_everything

from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.evaluation.kg_evaluation import evaluate_kg
from pyg_kgt.models.link_predictor import LinkPredictor
from pyg_kgt.models.model_config import ModelConfig
from pyg_kgt.models.task_loss import TaskLoss
from pyg_kgt.models.training_run import train_link_predictor
from pyg_kgt.training.config import TrainingConfig
from pyg_kgt.training.triple_group import TripleGroup


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
    model = model_config.build(kg.num_entities, kg.num_relations,
                               loss=TaskLoss.from_training(training_config))
    adjacency = model.encoder.adjacency(kg.train[:, [0, 2]].t(),
                                        kg.train[:, 1], kg.num_entities)

    def validate(m: LinkPredictor, graph) -> float:
        protocol = training_config.val_protocol
        result = evaluate_kg(m, graph, kg, 'val', (protocol,),
                             training_config.eval_batch_size)
        return result[protocol]['metrics']['mrr']
    run = train_link_predictor(
        model, adjacency,
        [TripleGroup.create(kg.train, kg.num_entities, name=kg.name)],
        training_config, validate if kg.val.numel() else None,
        checkpoint_dir=checkpoint_dir, resume=resume)
    test = evaluate_kg(model, run.adjacency, kg, 'test',
                       batch_size=training_config.eval_batch_size,
                       progress=training_config.progress)
    return {'model': model, 'adjacency': run.adjacency,
            'history': run.history, 'test': test, 'train_s': run.seconds,
            'wall_s': time.perf_counter() - began}
