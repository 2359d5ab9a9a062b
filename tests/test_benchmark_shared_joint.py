import os

import pytest
import torch

from benchmarks.shared_joint import RUN_FILE, train_or_load_joint
from pyg_kgt.data import make_synthetic_multi_source_kg
from pyg_kgt.models import JointTeacherConfig, ModelConfig
from pyg_kgt.training import TrainingConfig


@pytest.fixture(scope='module')
def kg():
    return make_synthetic_multi_source_kg(num_entities=120, num_values=10,
                                          num_types=4, seed=3)


CONFIG = JointTeacherConfig(model=ModelConfig(hidden_channels=8,
                                              dropout=0.0))


def _training(epochs=2, progress=False):
    return TrainingConfig(epochs=epochs, batch_size=256, eval_every=2,
                          seed=1, progress=progress)


def test_second_target_loads_the_first_targets_model(kg, tmp_path):
    names = kg.names[:2]
    first, run = train_or_load_joint(kg, names, CONFIG, _training(),
                                     str(tmp_path))
    assert os.path.exists(tmp_path / 'seed1' / RUN_FILE)
    assert run['epochs'] == 2 and run['train_seconds'] > 0
    # Same KGs, model and training (the progress bar does not count).
    second, again = train_or_load_joint(kg, names, CONFIG,
                                        _training(progress=True),
                                        str(tmp_path))
    assert again == run
    assert torch.equal(first.embeddings(), second.embeddings())
    assert second.evaluate(kg.subset(names), names=[names[1]]) == \
        first.evaluate(kg.subset(names), names=[names[1]])


def test_a_different_run_trains_again(kg, tmp_path):
    names = kg.names[:2]
    _, run = train_or_load_joint(kg, names, CONFIG, _training(),
                                 str(tmp_path))
    _, other = train_or_load_joint(kg, names, CONFIG, _training(epochs=3),
                                   str(tmp_path))
    assert other['key'] != run['key'] and other['epochs'] == 3
    _, reordered = train_or_load_joint(kg, names[::-1], CONFIG,
                                       _training(epochs=3), str(tmp_path))
    assert reordered['key']['kgs'] == names[::-1]


def test_without_a_folder_nothing_is_saved(kg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, run = train_or_load_joint(kg, kg.names[:2], CONFIG, _training())
    assert run['epochs'] == 2 and os.listdir(tmp_path) == []
