r"""A tiny deterministic training run, driven by tests/training/
test_faults.py in a subprocess: ``folder epochs resume sleep``. Writes the
final parameters to ``folder/final.pt``; prints each finished epoch."""
import sys
import time

import torch
from torch_geometric import seed_everything

from pyg_kgt.data import make_synthetic_multi_source_kg
from pyg_kgt.models import ModelConfig
from pyg_kgt.training import TrainingConfig, fit

folder, epochs, resume, pause = (sys.argv[1], int(sys.argv[2]),
                                 sys.argv[3] == '1', float(sys.argv[4]))
kg = make_synthetic_multi_source_kg(num_entities=300, num_values=20,
                                    num_types=6, seed=1)['source1']
seed_everything(0)
model = ModelConfig(hidden_channels=16, dropout=0.1).build(
    kg.num_entities, kg.num_relations)
adjacency = model.encoder.adjacency(kg.train[:, [0, 2]].t(), kg.train[:, 1])


def on_epoch(record):
    print('epoch', record['epoch'], flush=True)
    time.sleep(pause)  # time for the test to strike; changes no result


fit(model, adjacency, kg.train,
    # Bit-identical resumes are promised for deterministic runs: by
    # default the thread count follows the free cores, and a resumed
    # process on a busier machine may sum in another order.
    TrainingConfig(epochs=epochs, batch_size=128, checkpoint_every=1,
                   deterministic=True),
    checkpoint_dir=folder, resume=resume, on_epoch=on_epoch)
torch.save(model.state_dict(), f'{folder}/final.pt')
