import pytest
import torch
from torch_geometric import seed_everything

from pyg_kgt.data import make_synthetic_multi_source_kg
from pyg_kgt.errors import ConfigError, DataFormatError
from pyg_kgt.models import ModelConfig
from pyg_kgt.models.single_kg import train_single_kg
from pyg_kgt.training import (EarlyStopping, NonFiniteLossError,
                              TrainingConfig, fit)
from pyg_kgt.training.checkpoint import load_checkpoint


@pytest.fixture(scope='module')
def tiny_kg():
    return make_synthetic_multi_source_kg(num_entities=300, num_values=20,
                                          num_types=6, seed=1)['source1']


def small_model(kg, **kwargs):
    return ModelConfig(hidden_channels=16, **kwargs).build(
        kg.num_entities, kg.num_relations)


def test_single_kg_training_learns(tiny_kg):
    config = TrainingConfig(epochs=30, eval_every=5, patience=10,
                            batch_size=256, lr=0.02)
    result = train_single_kg(tiny_kg, ModelConfig(hidden_channels=16,
                                                  dropout=0.0), config)
    lifted = result['test']['lifted']['metrics']
    # Random ranking of ~170 candidates gives MRR ~0.03.
    assert lifted['mrr'] > 0.2
    assert set(result['test']) == {'filtered', 'lifted', 'lifted_trainval'}
    assert result['history'][-1]['loss'] < result['history'][0]['loss']


def test_negative_sampling_loss_trains(tiny_kg):
    seed_everything(0)
    model = small_model(tiny_kg, decoder='rotate')
    adjacency = model.encoder.adjacency(tiny_kg.train[:, [0, 2]].t(),
                                        tiny_kg.train[:, 1])
    config = TrainingConfig(epochs=8, loss='negative-sampling',
                            num_negatives=8, batch_size=256, margin=3.0)
    history = fit(model, adjacency, tiny_kg.train, config)
    assert history[-1]['loss'] < history[0]['loss']


def test_early_stopping_restores_best_weights():
    model = torch.nn.Linear(2, 1)
    stopper = EarlyStopping(patience=2)
    assert not stopper.step(0.5, 1, model)
    best = model.weight.detach().clone()
    torch.nn.init.constant_(model.weight, 9.0)
    assert not stopper.step(0.4, 2, model)
    assert stopper.step(0.3, 3, model)
    stopper.restore(model)
    assert torch.equal(model.weight, best) and stopper.best_epoch == 1


def test_resume_continues_to_the_same_result(tiny_kg, tmp_path):
    config = TrainingConfig(epochs=6, checkpoint_every=1, batch_size=128)

    def run(epochs, folder, resume=False):
        seed_everything(0)
        model = small_model(tiny_kg, dropout=0.0)
        adjacency = model.encoder.adjacency(tiny_kg.train[:, [0, 2]].t(),
                                            tiny_kg.train[:, 1])
        cfg = TrainingConfig(**{**config.to_dict(), 'epochs': epochs})
        history = fit(model, adjacency, tiny_kg.train, cfg,
                      checkpoint_dir=str(folder), resume=resume)
        return model, history

    full, full_history = run(6, tmp_path / 'full')
    run(3, tmp_path / 'part')  # "interrupted" after epoch 3
    resumed, history = run(6, tmp_path / 'part', resume=True)
    assert [h['epoch'] for h in history] == list(range(1, 7))
    assert history[-1]['loss'] == pytest.approx(full_history[-1]['loss'])
    for a, b in zip(full.parameters(), resumed.parameters()):
        assert torch.equal(a, b)


def test_cosine_schedule_anneals_from_lr_towards_zero():
    from pyg_kgt.training.config import build_optimizer, build_scheduler

    def rates(config):
        optimizer = build_optimizer(config, [torch.nn.Parameter(
            torch.zeros(1))])
        scheduler = build_scheduler(config, optimizer)
        out = []
        for _ in range(config.epochs):  # the lr each epoch trains at
            out.append(optimizer.param_groups[0]['lr'])
            optimizer.step()
            scheduler.step()
        return out

    cosine = rates(TrainingConfig(epochs=4, lr=0.01, lr_schedule='cosine'))
    assert cosine[0] == pytest.approx(0.01)
    assert cosine[2] == pytest.approx(0.005)  # half way: cos(pi / 2) = 0
    assert cosine == sorted(cosine, reverse=True) and cosine[-1] > 0
    assert set(rates(TrainingConfig(epochs=4, lr=0.01))) == {0.01}
    with pytest.raises(ConfigError, match="lr_schedule: unknown value 'step'"):
        TrainingConfig(lr_schedule='step')


def test_cosine_schedule_trains_and_resumes_on_it(tiny_kg, tmp_path):
    from pyg_kgt.training.fit import TrainingInterrupted

    def run(folder, schedule, stop_at=None, resume=False):
        seed_everything(0)
        model = small_model(tiny_kg, dropout=0.0)
        adjacency = model.encoder.adjacency(tiny_kg.train[:, [0, 2]].t(),
                                            tiny_kg.train[:, 1])

        def interrupt(record):
            if record['epoch'] == stop_at:
                raise KeyboardInterrupt
        config = TrainingConfig(epochs=6, checkpoint_every=1, lr=0.05,
                                batch_size=128, lr_schedule=schedule)
        fit(model, adjacency, tiny_kg.train, config,
            checkpoint_dir=str(folder), resume=resume, on_epoch=interrupt)
        return model

    full = run(tmp_path / 'full', 'cosine')
    constant = run(tmp_path / 'constant', 'constant')
    assert not torch.equal(full.encoder.embedding.weight,
                           constant.encoder.embedding.weight)
    with pytest.raises(TrainingInterrupted):
        run(tmp_path / 'part', 'cosine', stop_at=3)
    resumed = run(tmp_path / 'part', 'cosine', resume=True)
    for a, b in zip(full.parameters(), resumed.parameters()):
        assert torch.equal(a, b)


def test_non_finite_loss_stops_with_clear_error(tiny_kg):
    model = small_model(tiny_kg)
    adjacency = model.encoder.adjacency(tiny_kg.train[:, [0, 2]].t(),
                                        tiny_kg.train[:, 1])
    with torch.no_grad():
        model.encoder.embedding.weight[0] = float('nan')
    with pytest.raises(NonFiniteLossError, match='loss is nan at epoch 1'):
        fit(model, adjacency, tiny_kg.train, TrainingConfig(epochs=1))


def test_checkpoint_is_loaded_safely(tmp_path):
    import pickle

    class Evil:
        def __reduce__(self):
            return (print, ('pwned',))
    path = tmp_path / 'evil.pt'
    path.write_bytes(pickle.dumps({'model': Evil()}))
    with pytest.raises(DataFormatError, match='cannot be loaded safely'):
        load_checkpoint(str(path), torch.nn.Linear(1, 1))
    (tmp_path / 'cut.pt').write_bytes(b'PK\x03\x04 truncated')
    with pytest.raises(DataFormatError, match='cut.pt'):
        load_checkpoint(str(tmp_path / 'cut.pt'), torch.nn.Linear(1, 1))


def test_config_validation():
    with pytest.raises(ConfigError, match="loss: unknown value 'x'"):
        TrainingConfig(loss='x')
    with pytest.raises(ConfigError, match="unknown key 'epoch' "
                       r"\(did you mean 'epochs'\?\)"):
        TrainingConfig.from_dict({'epoch': 3})
    # Every config class checks types the same way, naming the key.
    with pytest.raises(ConfigError, match="'lr' must be float"):
        TrainingConfig.from_dict({'lr': 'fast'})
    with pytest.raises(ConfigError, match='decoder'):
        ModelConfig(decoder='foo')
    assert TrainingConfig.from_dict(TrainingConfig(lr=0.1).to_dict()).lr == 0.1


@pytest.mark.parametrize('native', [False, True])
def test_bf16_without_native_arithmetic_warns(tiny_kg, monkeypatch, native):
    import importlib
    import warnings

    from pyg_kgt.errors import PerformanceWarning
    fit_module = importlib.import_module('pyg_kgt.training.fit')
    monkeypatch.setattr(fit_module, 'native_bf16', lambda device: native)
    model = small_model(tiny_kg)
    adjacency = model.encoder.adjacency(tiny_kg.train[:, [0, 2]].t(),
                                        tiny_kg.train[:, 1])
    config = TrainingConfig(epochs=1, batch_size=4096, precision='bf16')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        history = fit(model, adjacency, tiny_kg.train[:64], config)
    slow = [w for w in caught if issubclass(w.category, PerformanceWarning)]
    assert len(history) == 1
    if native:
        assert not slow
    else:
        assert len(slow) == 1
        assert 'bf16' in str(slow[0].message) and 'use fp32' in str(
            slow[0].message)


def test_fit_leaves_the_process_threads_alone(monkeypatch, tiny_kg):
    from pyg_kgt import runtime
    monkeypatch.setattr(runtime, '_following', False)  # no app opted in
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        # num_threads is the application's to apply, not fit's.
        train_single_kg(tiny_kg, ModelConfig(hidden_channels=8),
                        TrainingConfig(epochs=2, num_threads=2))
        assert torch.get_num_threads() == 1
        runtime.apply_process_settings(TrainingConfig(num_threads=2))
        assert torch.get_num_threads() == 2
        # None with OMP_NUM_THREADS set: the user's setting stands.
        monkeypatch.setenv('OMP_NUM_THREADS', '1')
        runtime.apply_process_settings(TrainingConfig())
        assert torch.get_num_threads() == 2 and not runtime._following
    finally:
        torch.set_num_threads(before)
    with pytest.raises(ConfigError, match='num_threads: must be >= 1'):
        TrainingConfig(num_threads=0)


@pytest.mark.parametrize('native', [False, True])
def test_auto_precision_takes_bf16_only_where_it_is_native(
        tiny_kg, monkeypatch, native):
    import importlib
    import warnings

    fit_module = importlib.import_module('pyg_kgt.training.fit')
    monkeypatch.setattr(fit_module, 'native_bf16', lambda device: native)
    seen = []
    real = torch.autocast

    def spy(*args, **kwargs):
        seen.append(kwargs.get('enabled'))
        return real(*args, **kwargs)
    monkeypatch.setattr(fit_module.torch, 'autocast', spy)
    model = small_model(tiny_kg)
    adjacency = model.encoder.adjacency(tiny_kg.train[:, [0, 2]].t(),
                                        tiny_kg.train[:, 1])
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # auto never warns: it chooses
        fit(model, adjacency, tiny_kg.train[:64],
            TrainingConfig(epochs=1, batch_size=4096, precision='auto'))
    assert seen[0] is native  # the step's autocast (others may follow)


def test_the_optimiser_is_chosen_by_name(tiny_kg):
    from pyg_kgt.training.config import build_optimizer
    with pytest.raises(ConfigError, match="optimizer: Could not resolve"):
        TrainingConfig(optimizer='magic')
    model = small_model(tiny_kg)
    assert type(build_optimizer(TrainingConfig(), model.parameters())
                ).__name__ == 'Adam'
    optimizer = build_optimizer(TrainingConfig(optimizer='sgd', lr=0.1,
                                               weight_decay=0.01),
                                model.parameters())
    assert type(optimizer).__name__ == 'SGD'
    assert optimizer.param_groups[0]['weight_decay'] == 0.01
    result = train_single_kg(tiny_kg, ModelConfig(hidden_channels=8),
                             TrainingConfig(epochs=2, optimizer='adamw',
                                            batch_size=256))
    assert result['history'][-1]['loss'] < result['history'][0]['loss']


def test_on_stop_extends_training_once_from_the_best_weights(tiny_kg):
    seed_everything(0)
    model = small_model(tiny_kg)
    adjacency = model.encoder.adjacency(tiny_kg.train[:, [0, 2]].t(),
                                        tiny_kg.train[:, 1])
    # Validation MRRs by call: a peak at the 2nd, then nothing better.
    values = iter([0.1, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.0])
    restored = []

    def on_stop() -> bool:  # the weights are the best ones again
        restored.append({k: v.clone() for k, v in model.state_dict().items()})
        return True

    config = TrainingConfig(epochs=20, eval_every=1, patience=2,
                            batch_size=256)
    history = fit(model, adjacency, tiny_kg.train, config,
                  validate=lambda m: next(values), on_stop=on_stop)
    # Stops would come at the 4th validation; extended once, it stops at
    # the 6th (two more without improvement), not at the budget's 20th.
    assert [r['val_mrr'] for r in history] == [0.1, 0.5, 0.4, 0.3, 0.2,
                                                0.1]
    assert len(restored) == 1
    for key, value in model.state_dict().items():  # the best, at the end
        assert torch.equal(value, restored[0][key])
