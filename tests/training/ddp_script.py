r"""A tiny data-parallel training run, driven by tests/training/
test_distributed.py under torchrun (or alone for the 1-rank reference):
``out.json [die_after_epoch | skew]``. Rank 0 writes the loss per epoch
to ``out.json``; with ``die_after_epoch`` rank 1 kills itself after that
epoch; with ``skew`` rank 1 starts from other weights (fit must replace
them by rank 0's). A DistributedError ends the process with one line and
exit code 3.
"""
import json
import os
import signal
import sys

import torch
import torch.nn.parallel
from torch_geometric import seed_everything

from pyg_kgt.data import make_synthetic_multi_source_kg
from pyg_kgt.models import ModelConfig
from pyg_kgt.training import TrainingConfig, fit
from pyg_kgt.training.distributed import (DistributedContext, DistributedError,
                                          exit_failed_rank)

wrapped = []  # fit must train through DistributedDataParallel
_ddp_init = torch.nn.parallel.DistributedDataParallel.__init__


def _counting_init(self, *args, **kwargs):
    wrapped.append(type(args[0] if args else kwargs['module']).__name__)
    _ddp_init(self, *args, **kwargs)


torch.nn.parallel.DistributedDataParallel.__init__ = _counting_init
out = sys.argv[1]
mode = sys.argv[2] if len(sys.argv) > 2 else None
die_after = int(mode) if mode and mode.isdigit() else None
kg = make_synthetic_multi_source_kg(num_entities=300, num_values=20,
                                    num_types=6, seed=1)['source1']
config = TrainingConfig(epochs=4, batch_size=100, lr=0.01,
                        distributed_timeout_s=20)
try:
    context = DistributedContext.from_environment(config.distributed_timeout_s)
    seed_everything(0)
    model = ModelConfig(hidden_channels=16, dropout=0.2).build(
        kg.num_entities, kg.num_relations)
    if mode == 'skew' and context.rank == 1:
        with torch.no_grad():
            for p in model.parameters():
                p.add_(1.0)
    adjacency = model.encoder.adjacency(kg.train[:, [0, 2]].t(),
                                        kg.train[:, 1], kg.num_entities)

    def on_epoch(record):
        print(f"rank {context.rank} epoch {record['epoch']}", flush=True)
        if die_after is not None and context.rank == 1 and \
                record['epoch'] == die_after:
            os.kill(os.getpid(), signal.SIGKILL)

    history = fit(model, adjacency, kg.train, config, on_epoch=on_epoch)
    if context.is_main:
        with open(out, 'w') as f:
            json.dump({'world_size': context.world_size, 'ddp': wrapped,
                       'loss': [h['loss'] for h in history]}, f)
    context.close()
except DistributedError as e:
    exit_failed_rank(f'distributed error: {e}', 3)  # as the CLI does
