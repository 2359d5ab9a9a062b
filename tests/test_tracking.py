import sys

import pytest

from pyg_kgt.errors import ConfigError
from pyg_kgt.tracking import TensorBoardTracker, open_tracker
from pyg_kgt.training import TrainingConfig


def test_unknown_tracker_and_missing_package_are_clear_errors(
        tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="tracker: unknown value 'wandb'"):
        TrainingConfig(tracker='wandb')
    assert open_tracker(None, str(tmp_path)) is None
    monkeypatch.setitem(sys.modules, 'torch.utils.tensorboard', None)
    with pytest.raises(ConfigError, match=r"pyg_kgt\[tensorboard\]"):
        open_tracker('tensorboard', str(tmp_path / 'tb'))


def test_tensorboard_tracker_writes_each_epoch(tmp_path):
    pytest.importorskip('tensorboard')
    from tensorboard.backend.event_processing.event_accumulator import \
        EventAccumulator
    tracker = TensorBoardTracker(str(tmp_path / 'tb'), tag='retrain')
    assert repr(tracker).startswith('TensorBoardTracker(')
    for epoch, loss in ((1, 2.0), (2, 1.5)):
        tracker({'epoch': epoch, 'loss': loss, 'seconds': 0.1})
    tracker({'epoch': 2, 'loss': 1.5, 'val_mrr': 0.25, 'seconds': 0.1})
    tracker.close()
    events = EventAccumulator(str(tmp_path / 'tb'))
    events.Reload()
    losses = [(e.step, e.value) for e in events.Scalars('retrain/loss')]
    assert losses[:2] == [(1, 2.0), (2, 1.5)]
    assert events.Scalars('retrain/val_mrr')[0].value == pytest.approx(0.25)
