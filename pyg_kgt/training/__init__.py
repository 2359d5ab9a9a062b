r"""Fit loop, early stopping, checkpoints."""
from pyg_kgt.training.checkpoint import load_checkpoint, save_checkpoint
from pyg_kgt.training.config import TrainingConfig
from pyg_kgt.training.early_stopping import EarlyStopping
from pyg_kgt.training.fit import (NonFiniteLossError, TrainableModel,
                                  TrainingInterrupted, fit)
from pyg_kgt.training.neighbor_sampler import (RelationalNeighborSampler,
                                               SampledSubgraph)
from pyg_kgt.training.triple_group import TripleGroup

__all__ = ['TrainingConfig', 'EarlyStopping', 'NonFiniteLossError',
           'TrainingInterrupted', 'TrainableModel', 'fit',
           'save_checkpoint', 'load_checkpoint',
           'RelationalNeighborSampler',
           'SampledSubgraph', 'TripleGroup']
