import pytest

from pyg_kgt.errors import ConfigError
from pyg_kgt.tuning import SearchSpace, TuningStudy

optuna = pytest.importorskip('optuna')

SPACE = {'lr': {'type': 'float', 'low': 1e-4, 'high': 1.0, 'log': True}}


def curve(params, folder, on_epoch, epochs=10):
    r"""A stand-in trial: validation MRR rises towards lr's closeness to
    0.01, reported every epoch as fit does."""
    import math
    quality = 1 / (1 + abs(math.log10(params['lr']) + 2))
    history = []
    for epoch in range(1, epochs + 1):
        record = {'epoch': epoch, 'loss': 1.0,
                  'val_mrr': quality * epoch / epochs}
        history.append(record)
        on_epoch(record)
    return history


def make(folder, run=curve, **kwargs):
    return TuningStudy(str(folder), SearchSpace(SPACE, ['lr']), run,
                       min_epochs=1, max_epochs=10, **kwargs)


def test_prunes_bad_trials_and_keeps_the_best(tmp_path):
    study = make(tmp_path)
    study.optimize(12)
    states = [t.state.name for t in study.study.trials]
    assert len(states) == 12 and 'PRUNED' in states
    best = study.study.best_trial
    assert best.value == max(t.value for t in study.study.trials
                             if t.value is not None)
    assert 1e-3 < best.params['lr'] < 0.1
    # A pruned trial stopped early, at or after the second validation.
    pruned = [t for t in study.study.trials if t.state.name == 'PRUNED']
    assert all(2 <= t.user_attrs['epochs'] < 10 for t in pruned)
    assert (tmp_path / 'study.db').is_file()


def test_the_same_seed_asks_the_same_trials(tmp_path):
    first, second = make(tmp_path / 'a'), make(tmp_path / 'b')
    first.optimize(6)
    second.optimize(6)
    assert [t.params for t in first.study.trials] == \
        [t.params for t in second.study.trials]


def test_resume_after_ctrl_c_asks_the_interrupted_trial_again(tmp_path):
    calls = []

    def interrupted_third(params, folder, on_epoch):
        calls.append(params)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return curve(params, folder, on_epoch)

    study = make(tmp_path, interrupted_third)
    with pytest.raises(KeyboardInterrupt):
        study.optimize(5)
    assert [t.state.name for t in study.study.trials] == [
        'COMPLETE', 'COMPLETE', 'FAIL']
    with pytest.raises(ConfigError, match='continue it with --resume'):
        make(tmp_path)
    resumed = make(tmp_path, resume=True)
    resumed.optimize(5)
    trials = resumed.study.trials
    assert len(resumed.finished) == 5 and len(trials) == 6
    assert trials[3].params == calls[2]  # asked again, first
    assert trials[3].user_attrs['retry_of'] == 2
    resumed.optimize(5)  # already there: nothing more runs
    assert len(resumed.study.trials) == 6
    with pytest.raises(ConfigError, match='no study to resume'):
        make(tmp_path / 'none', resume=True)


def test_a_trial_without_validation_is_a_clear_error(tmp_path):
    study = make(tmp_path, lambda p, f, e: [{'epoch': 1, 'loss': 1.0}])
    with pytest.raises(ConfigError, match='no validation MRR'):
        study.optimize(1)
