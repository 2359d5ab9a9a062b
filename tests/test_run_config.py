import re

import pytest

from pyg_kgt.errors import ConfigError
from pyg_kgt.run_config import RunConfig


def test_yaml_round_trip(tmp_path):
    config = RunConfig().override(['training.epochs=7',
                                   'teacher.model.decoder=rotate',
                                   'data.sources=[a, b]'])
    path = tmp_path / 'c.yaml'
    path.write_text(config.to_yaml())
    loaded = RunConfig.from_yaml(str(path))
    assert loaded == config and loaded.training.epochs == 7
    assert loaded.data.sources == ['a', 'b']


@pytest.mark.parametrize('values, message', [
    ({'training': {'epoch': 3}}, "unknown key 'training.epoch'"),
    ({'training': {'epochs': 'x'}}, "'training.epochs' must be int"),
    ({'training': {'lr': True}}, "'training.lr' must be float"),
    ({'teacher': {'model': {'decoder': 'foo'}}}, 'teacher.model.decoder'),
    ({'student': 3}, "'student' must be a mapping"),
    ({'nope': 1}, "unknown key 'nope'"),
    ({'data': {'shared_relations': 'maybe'}}, 'data.shared_relations'),
    ({'teacher': {'num_neighbors': ['a']}},
     "'teacher.num_neighbors[0]' must be int, got 'a'"),
    ({'data': {'sources': 'en'}}, "'data.sources' must be a list"),
    ({'retraining': {'lrr': 0.1}},
     "unknown key 'retraining.lrr' (did you mean 'retraining.lr'?)"),
    ({'retraining': {'lr': True}}, "'retraining.lr' must be float"),
    ({'retraining': {'lr': -1}}, 'retraining.lr: must be > 0'),
    ({'retraining': 3}, "'retraining' must be a mapping"),
])
def test_bad_values_name_the_key(values, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        RunConfig.from_dict(values)


def test_bad_files(tmp_path):
    with pytest.raises(ConfigError, match='missing file'):
        RunConfig.from_yaml(str(tmp_path / 'none.yaml'))
    bad = tmp_path / 'bad.yaml'
    bad.write_text('training: [unclosed')
    with pytest.raises(ConfigError, match='not valid YAML'):
        RunConfig.from_yaml(str(bad))
    evil = tmp_path / 'evil.yaml'
    evil.write_text('!!python/object/apply:os.system ["echo pwned"]')
    with pytest.raises(ConfigError, match='not valid YAML'):
        RunConfig.from_yaml(str(evil))
    with pytest.raises(ConfigError, match="unknown key 'training.nope'"):
        RunConfig().override(['training.nope=1'])


def test_retraining_changes_only_its_keys_for_retrain_and_fit(tmp_path):
    config = RunConfig.from_dict({
        'training': {'epochs': 20, 'lr': 0.01, 'batch_size': 4096},
        'retraining': {'epochs': 50, 'lr': 0.005}})
    student = config.retraining_config()
    assert (student.epochs, student.lr, student.batch_size) == (
        50, 0.005, 4096)
    assert (config.training.epochs, config.training.lr) == (20, 0.01)
    # Read when asked: a later change to training carries over.
    config.training.progress = False
    assert config.retraining_config().progress is False
    assert RunConfig().retraining_config() == RunConfig().training
    changed = config.override(['retraining.patience=7'])
    assert changed.retraining_config().patience == 7
    path = tmp_path / 'c.yaml'
    path.write_text(changed.to_yaml())
    assert RunConfig.from_yaml(str(path)) == changed
