import pytest

from pyg_kgt.errors import ConfigError
from pyg_kgt.run_config import RunConfig
from pyg_kgt.tuning import SearchSpace

optuna = pytest.importorskip('optuna')


def test_suggests_each_type_within_its_bounds():
    space = SearchSpace({
        'lr': {'type': 'float', 'low': 1e-3, 'high': 1e-1, 'log': True},
        'epochs': {'type': 'int', 'low': 10, 'high': 30, 'step': 10},
        'decoder': {'type': 'categorical', 'choices': ['distmult', None]}},
        ['lr', 'epochs', 'decoder'])
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(0))
    seen = [space.suggest(study.ask()) for _ in range(30)]
    assert all(1e-3 <= s['lr'] <= 1e-1 for s in seen)
    assert {s['epochs'] for s in seen} == {10, 20, 30}
    assert {s['decoder'] for s in seen} == {'distmult', None}
    assert space.keys == ['lr', 'epochs', 'decoder']


@pytest.mark.parametrize('tune, problem', [
    ({'retraining.lrr': {'type': 'float', 'low': 0.1, 'high': 1.0}},
     "tune.retraining.lrr: unknown configuration key (did you mean "
     "'retraining.lr'?)"),
    ({'retraining.lr': {'type': 'float', 'low': 0.1, 'hihg': 1.0}},
     "unknown setting 'hihg' for float (did you mean 'high'?)"),
    ({'retraining.lr': {'type': 'float', 'low': 0.1}},
     'tune.retraining.lr: float needs high'),
    ({'retraining.lr': {'type': 'gauss', 'low': 0.1}},
     "tune.retraining.lr.type: unknown value 'gauss'"),
    ({'retraining.lr': {'type': 'float', 'low': 1.0, 'high': 0.1}},
     'low (1.0) must not exceed high (0.1)'),
    ({'retraining.lr': {'type': 'float', 'low': 0.0, 'high': 0.1,
                        'log': True}}, 'log needs low > 0'),
    ({'retraining.epochs': {'type': 'int', 'low': 1.5, 'high': 3}},
     'tune.retraining.epochs.low: must be int, got 1.5'),
    # The bounds must fit the key: epochs is an int >= 1, lr a float > 0.
    ({'retraining.epochs': {'type': 'int', 'low': 0, 'high': 3}},
     'tune.retraining.epochs: the value 0 does not fit'),
    ({'retraining.lr': {'type': 'categorical', 'choices': ['fast']}},
     "the value 'fast' does not fit"),
    ({'retraining.lr': {'type': 'categorical', 'choices': [[1]]}},
     'choices: a non-empty list of numbers'),
    ({'run_dir': {'type': 'categorical', 'choices': ['a']}},
     'tune.run_dir: unknown configuration key'),
    ('lr', "'tune' must map configuration keys to distributions"),
])
def test_bad_spaces_name_the_key_and_the_problem(tune, problem):
    with pytest.raises(ConfigError, match=problem.replace(
            '(', r'\(').replace(')', r'\)').replace('?', r'\?')):
        RunConfig.from_dict({'tune': tune})


def test_a_config_with_params_is_an_ordinary_config():
    config = RunConfig.from_dict({'tune': {
        'retraining.lr': {'type': 'float', 'low': 1e-5, 'high': 1e-2,
                          'log': True}}})
    trial = config.with_params({'retraining.lr': 1e-05,
                                'student.top_k': 7}, 'runs/t/0001')
    assert trial.retraining_config().lr == 1e-05
    assert trial.student.top_k == 7 and trial.run_dir == 'runs/t/0001'
    assert trial.tune == {} and config.tune  # the base is unchanged
