from pathlib import Path

import pytest
import yaml

from pyg_kgt.cli import main

pytest.importorskip('optuna')

CONFIG = {
    'data': {'target': 'target'},
    'teacher': {'model': {'hidden_channels': 8}},
    'student': {'model': {'hidden_channels': 8}},
    'training': {'epochs': 2, 'eval_every': 1},
    'retraining': {'epochs': 4, 'eval_every': 1, 'patience': 10},
    'tune': {'retraining.lr': {'type': 'categorical',
                               'choices': [0.00001, 0.01, 0.02]},
             'student.prediction_weight': {'type': 'float', 'low': 0.1,
                                           'high': 2.0, 'log': True}}}


def _rows(path):
    lines = path.read_text().splitlines()
    header = lines[0].split('\t')
    return [dict(zip(header, line.split('\t'))) for line in lines[1:]]


def test_tune_prunes_resumes_and_writes_a_config_retrain_accepts(
        tmp_path, capsys):
    config = tmp_path / 'tune.yaml'
    config.write_text(yaml.safe_dump(CONFIG))
    teacher = tmp_path / 'teacher'
    assert main(['pretrain', '--config', str(config), '--run-dir',
                 str(teacher), '--quiet']) == 0
    study = tmp_path / 'study'
    tune = ['tune', '--config', str(config), '--teacher', str(teacher),
            '--run-dir', str(study)]
    assert main(tune + ['--trials', '4']) == 0
    assert len(_rows(study / 'trials.tsv')) == 4
    # Without --resume a study is never overwritten; with it, it goes on.
    assert main(tune + ['--trials', '7']) == 2
    assert 'continue it with --resume' in capsys.readouterr().err
    assert main(tune + ['--trials', '7', '--resume']) == 0
    out = capsys.readouterr().out
    assert 'study: 2 keys (retraining.lr, student.prediction_weight), 4 of ' \
        '7 trials finished' in out
    rows = _rows(study / 'trials.tsv')
    assert [r['trial'] for r in rows] == [str(i) for i in range(7)]
    states = {r['state'] for r in rows}
    assert states == {'complete', 'pruned'}
    pruned = [r for r in rows if r['state'] == 'pruned']
    assert all(int(r['epochs']) < 4 for r in pruned)
    assert 'pruned at epoch' in out
    # Every trial is a run folder; a complete one holds its model.
    complete = [r for r in rows if r['state'] == 'complete']
    assert all((Path(r['run_dir']) / 'config.yaml').is_file()
               for r in rows)
    assert all((Path(r['run_dir']) / 'model').is_dir() for r in complete)
    for png in ('optimization_history.png', 'validation_curves.png'):
        assert (study / png).stat().st_size > 1000
    text = (study / 'best.yaml').read_text()
    best = rows[int(text.split(',')[0].split()[-1])]
    assert best['state'] == 'complete' and float(best['val_mrr']) == max(
        float(r['val_mrr']) for r in complete)
    assert text.startswith(f"# pyg-kgt tune: trial {best['trial']}, best "
                           f"validation MRR {best['val_mrr']}")
    chosen = yaml.safe_load(text)
    assert chosen['retraining']['lr'] == float(best['retraining.lr'])
    assert chosen['tune'] == {}
    assert main(['retrain', '--config', str(study / 'best.yaml'),
                 '--teacher', str(teacher), '--quiet']) == 0
    assert (study / 'best' / 'model').is_dir()

    # The choice, checked on test: default and best, one run per seed.
    assert main(tune + ['--trials', '7', '--resume', '--confirm', '0',
                        '1']) == 0
    runs = _rows(study / 'confirm.tsv')
    assert [(r['kind'], r['seed']) for r in runs] == [
        ('default', '0'), ('best', '0'), ('default', '1'), ('best', '1')]
    for run in runs:
        assert 0 < float(run['test_mrr_filtered']) <= 1
        assert 0 < float(run['val_mrr']) <= 1
        assert (Path(run['run_dir']) / 'model').is_dir()
    # The best configuration's runs used its values and their seed.
    best_run = yaml.safe_load((Path(runs[3]['run_dir']) /
                               'config.yaml').read_text())
    assert best_run['retraining']['lr'] == chosen['retraining']['lr']
    assert best_run['retraining']['seed'] == 1
    table = (study / 'confirm.md').read_text()
    assert table.startswith('| configuration | seeds | validation MRR |')
    assert '| default | 2 |' in table and '| best | 2 |' in table
    # Asked again, the runs are read, not trained again.
    stamp = (Path(runs[0]['run_dir']) / 'results.json').stat().st_mtime
    assert main(tune + ['--trials', '7', '--resume', '--confirm', '0',
                        '1']) == 0
    assert (Path(runs[0]['run_dir']) / 'results.json').stat(
    ).st_mtime == stamp
    assert _rows(study / 'confirm.tsv') == runs


def test_tune_needs_a_teacher_and_a_space(tmp_path, capsys):
    config = tmp_path / 'c.yaml'
    config.write_text(yaml.safe_dump({'data': {'target': 'target'}}))
    assert main(['tune', '--config', str(config), '--run-dir',
                 str(tmp_path / 's')]) == 2
    assert '--teacher' in capsys.readouterr().err
    assert main(['tune', '--config', str(config), '--command', 'fit',
                 '--run-dir', str(tmp_path / 's')]) == 2
    assert 'tune section is empty' in capsys.readouterr().err
    # A wrong teacher is named before a study is made.
    assert main(['tune', '--config', str(config), '--teacher',
                 str(tmp_path / 'nope'), '--run-dir',
                 str(tmp_path / 's')]) == 2
    assert 'no such folder' in capsys.readouterr().err
    assert not (tmp_path / 's' / 'study.db').exists()


def test_tune_fit_and_pretrain_trials(tmp_path):
    config = dict(CONFIG, tune={
        'training.lr': {'type': 'float', 'low': 0.001, 'high': 0.02,
                        'log': True}})
    config['retraining'] = {'epochs': 2, 'eval_every': 1}
    path = tmp_path / 'c.yaml'
    path.write_text(yaml.safe_dump(config))
    for command in ('fit', 'pretrain'):
        study = tmp_path / command
        assert main(['tune', '--config', str(path), '--command', command,
                     '--run-dir', str(study), '--trials', '2',
                     '--confirm', '0']) == 0
        rows = _rows(study / 'trials.tsv')
        assert [r['state'] for r in rows] == ['complete', 'complete']
        lrs = {float(r['training.lr']) for r in rows}
        assert len(lrs) == 2 and all(0.001 <= lr <= 0.02 for lr in lrs)
        saved = 'teacher' if command == 'pretrain' else 'model'
        assert all((Path(r['run_dir']) / saved).is_dir() for r in rows)
        assert [r['kind'] for r in _rows(study / 'confirm.tsv')] == [
            'default', 'best']
