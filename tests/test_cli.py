import json
import subprocess
import sys

import pytest

from pyg_kgt.cli import main


def test_stats_on_tsv_folder(write, capsys):
    root = write({'train.tsv': 'a\tp\tb\n', 'test.tsv': 'a\tp\tc\n'})
    assert main(['stats', str(root), '--format', 'tsv', '--compact']) == 0
    stats = json.loads(capsys.readouterr().out)
    kg = stats['kgs'][root.name]
    assert kg['train_triples'] == 1 and kg['test_triples'] == 1
    assert kg['unseen_entity_triples']['test'] == 1


def test_stats_bad_input_exits_nonzero_with_one_line(write, capsys):
    root = write({'train.tsv': 'a\tp\tb\nbroken line\n'})
    assert main(['stats', str(root)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count('\n') == 0
    assert 'train.tsv:2: expected 3 tab-separated columns' in err


def test_python_dash_m_entry_point(write):
    root = write({'train.tsv': 'a\tp\tb\n'})
    out = subprocess.run([sys.executable, '-m', 'pyg_kgt', 'stats',
                          str(root), '--compact'], capture_output=True,
                         text=True, check=True)
    assert json.loads(out.stdout)['kgs'][root.name]['entities'] == 2


@pytest.mark.dataset
def test_stats_real_dbp5l_matches_source_md(shared_data, capsys):
    assert main(['stats', f'{shared_data}/dbp5l', '--format', 'dbp5l',
                 '--compact']) == 0
    el = json.loads(capsys.readouterr().out)['kgs']['el']
    assert (el['entities'], el['train_triples'], el['val_triples'],
            el['test_triples']) == (5231, 8670, 4152, 1017)


def test_pretrain_and_retrain_write_run_folders(tmp_path, capsys):
    small = ['--set', 'training.epochs=2', '--set', 'training.eval_every=1',
             '--set', 'teacher.model.hidden_channels=8',
             '--set', 'student.model.hidden_channels=8',
             '--set', 'data.target=target', '--quiet']
    teacher_run = tmp_path / 'teacher_run'
    assert main(['pretrain', '--run-dir', str(teacher_run), *small]) == 0
    results = json.loads((teacher_run / 'results.json').read_text())
    assert set(results['results']) == {'source1', 'source2', 'source3'}
    assert results['results']['source1']['lifted']['protocol'] == 'lifted'
    assert {'versions', 'hardware', 'wall_s', 'seed'} <= set(results)
    rows = (teacher_run / 'metrics.tsv').read_text().splitlines()
    assert rows[0].split('\t')[:2] == ['epoch', 'loss'] and len(rows) == 3
    assert (teacher_run / 'teacher' / 'weights.pt').is_file()
    assert (teacher_run / 'training_curves.png').is_file()
    student_run = tmp_path / 'student_run'
    capsys.readouterr()
    # The pretrain run folder is accepted for its teacher/.
    assert main(['retrain', '--run-dir', str(student_run), '--teacher',
                 str(teacher_run), *small]) == 0
    results = json.loads((student_run / 'results.json').read_text())
    assert 'filtered' in results['results']['target']
    assert (student_run / 'teacher_cache.pt').is_file()
    out = capsys.readouterr().out
    assert 'target: filtered MRR' in out
    assert 'linked subgraph: target 1055 nodes' in out
    # The teacher was checked against chance before training, and the
    # saved model says what the check found.
    assert 'by chance (standard error' in out
    info = json.loads((student_run / 'model' / 'model.json').read_text())
    check = info['info']['teacher_check']
    assert set(check) == {'agreement', 'chance', 'stderr', 'num_queries',
                          'passed'}
    assert f"model saved in {student_run / 'model'}" in out
    assert out.rstrip().endswith(f'run folder: {student_run}')
    # A student's folder or a missing one is named for what it is.
    for wrong, problem in ((student_run, 'a trained target model'),
                           (tmp_path / 'nope', 'no such folder')):
        assert main(['retrain', '--run-dir', str(tmp_path / 'r2'),
                     '--teacher', str(wrong), *small]) == 2
        assert problem in capsys.readouterr().err
        assert not (tmp_path / 'r2').exists()  # nothing written

    # The student's model/ folder answers evaluate, predict and export by
    # name; evaluate reproduces the run's own test numbers.
    assert main(['evaluate', '--model', str(student_run), '--quiet',
                 '--output', str(tmp_path / 'eval.json'), *small]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics['filtered']['mrr'] == pytest.approx(
        results['results']['target']['filtered']['metrics']['mrr'])
    assert json.loads((tmp_path / 'eval.json').read_text())['kg'] == 'target'
    from pyg_kgt.data import make_synthetic_multi_source_kg
    target = make_synthetic_multi_source_kg(seed=0)['target']
    head = target.entity_names[int(target.train[0, 0])]
    relation = target.relation_names[int(target.train[0, 1])]
    assert main(['predict', '--model', str(student_run), '--head', head,
                 '--relation', relation, '-k', '3', '--json']) == 0
    answers = json.loads(capsys.readouterr().out)
    assert answers[0]['query'] == {'head': head, 'relation': relation,
                                   'tail': '?'}
    rows = answers[0]['answers']
    assert [r['rank'] for r in rows] == [1, 2, 3]
    assert all(r['entity'] in target.entity_names for r in rows)
    assert rows[0]['score'] >= rows[1]['score'] >= rows[2]['score']
    # The teacher's folder works too, with --kg.
    assert main(['export', '--model', str(teacher_run), '--kg', 'source1',
                 '--out', str(tmp_path / 'emb'), '--format', 'tsv']) == 0
    line = (tmp_path / 'emb' / 'entity_embeddings.tsv').read_text(
    ).splitlines()[0].split('\t')
    assert len(line) == 1 + 8
    assert main(['export', '--model', str(teacher_run), '--out',
                 str(tmp_path / 'x')]) == 2
    assert '--kg' in capsys.readouterr().err
    _show_explains_a_prediction(student_run, tmp_path, small, capsys)


def _show_explains_a_prediction(student_run, tmp_path, small, capsys):
    r"""``show`` on the student of the test above: an aligned target entity
    with a training fact, its neighbourhood drawn and written as GraphML."""
    nx = pytest.importorskip('networkx')
    from pyg_kgt.data import make_synthetic_multi_source_kg
    kg = make_synthetic_multi_source_kg(seed=0)
    target = kg['target']
    aligned = set(kg.links('target', 'source1').train[:, 0].tolist())
    fact = next(t for t in target.train.tolist() if t[0] in aligned)
    head = target.entity_names[fact[0]]
    relation = target.relation_names[fact[1]]
    out = tmp_path / 'show'
    capsys.readouterr()
    assert main(['show', '--model', str(student_run), '--entity', head,
                 '--relation', relation, '-k', '3', '--max-nodes', '25',
                 '--out', str(out), *small]) == 0
    printed = capsys.readouterr().out
    assert '1 query' in printed and '3 prediction' in printed
    pngs, graphmls = list(out.glob('*.png')), list(out.glob('*.graphml'))
    assert len(pngs) == 1 and pngs[0].read_bytes()[:4] == b'\x89PNG'
    graph = nx.read_graphml(graphmls[0])
    roles = [d['role'] for _, d in graph.nodes(data=True)]
    assert roles.count('query') == 1 and roles.count('prediction') == 3
    assert 'aligned' in roles and len(graph) <= 25
    assert {d['kg'] for _, d in graph.nodes(data=True)} >= {'target',
                                                            'source1'}
    kinds = {d['kind'] for _, _, d in graph.edges(data=True)}
    assert {'fact', 'same_as', 'predicted'} <= kinds
    assert main(['show', '--model', str(student_run), '--entity', 'nope',
                 '--out', str(out), *small]) == 2
    assert "'nope' is not an entity" in capsys.readouterr().err


def _ring_tsv(write):
    r"""A single KG of six entities in a ``likes`` ring, as TSV files."""
    triples = ''.join(f'e{i}\tlikes\te{(i + 1) % 6}\n' for i in range(6))
    return write({'train.tsv': triples, 'valid.tsv': 'e0\tlikes\te1\n',
                  'test.tsv': 'e2\tlikes\te3\n'})


def test_fit_predict_on_own_tsv_files(write, tmp_path, capsys):
    root = _ring_tsv(write)
    run = tmp_path / 'run'
    assert main(['fit', '--run-dir', str(run), '--quiet', '--set',
                 f'data.path={root}', '--set', 'training.epochs=2',
                 '--set', 'student.model.hidden_channels=8']) == 0
    assert {'config.yaml', 'results.json', 'metrics.tsv', 'model'} <= {
        p.name for p in run.iterdir()}
    capsys.readouterr()
    assert main(['predict', '--model', str(run / 'model'), '--head', 'e0',
                 '--relation', 'likes', '-k', '6']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == 'head\trelation\ttail\trank\tentity\tscore'
    names = [line.split('\t')[4] for line in lines[1:]]
    assert sorted(names) == [f'e{i}' for i in range(6)]
    # Many queries from a file, heads too; --filter-known drops the
    # training facts (e0 likes e1; e5 likes e0), reading the run's data.
    queries = write({'q.tsv': 'e0\tlikes\n?\tlikes\te0\n'}) / 'q.tsv'
    assert main(['predict', '--model', str(run), '--queries', str(queries),
                 '-k', '6', '--filter-known', '--json']) == 0
    tails, heads = json.loads(capsys.readouterr().out)
    assert heads['predict'] == 'head' and tails['predict'] == 'tail'
    assert 'e1' not in [a['entity'] for a in tails['answers']]
    assert 'e5' not in [a['entity'] for a in heads['answers']]
    assert len(tails['answers']) == 5
    # evaluate finds the run's config.yaml: the user's data, not the demo.
    assert main(['evaluate', '--model', str(run), '--quiet']) == 0
    assert 'filtered' in json.loads(capsys.readouterr().out)
    assert main(['predict', '--model', str(run), '--head', 'e9',
                 '--relation', 'likes']) == 2
    assert "unknown entity 'e9'" in capsys.readouterr().err
    assert main(['export', '--model', str(run), '--out', str(tmp_path / 'o'),
                 '--format', 'csv']) == 2
    assert 'csv' in capsys.readouterr().err
    assert not (tmp_path / 'o').exists()


def test_bad_config_exits_2_and_writes_nothing(tmp_path, capsys):
    run = tmp_path / 'run'
    assert main(['pretrain', '--run-dir', str(run), '--set',
                 'training.epoch=2']) == 2
    assert "unknown key 'training.epoch'" in capsys.readouterr().err
    config = tmp_path / 'typos.yaml'
    config.write_text('trainig: {}\nstudent: {feature_weigth: 1}\n')
    assert main(['pretrain', '--run-dir', str(run), '--config',
                 str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1  # one line, every typo
    assert "'trainig' (did you mean 'training'?)" in err
    assert "(did you mean 'student.feature_weight'?)" in err
    assert not run.exists()
    assert main(['retrain', '--run-dir', str(run), '--teacher',
                 str(tmp_path)]) == 2
    assert 'data.target' in capsys.readouterr().err


def test_split_turns_an_alignment_pair_into_own_tsv(write, tmp_path,
                                                    capsys):
    triples1 = ''.join(f'{i}\t0\t{(i + 1) % 10}\n' for i in range(10))
    triples2 = ''.join(f'{10 + i}\t1\t{10 + (i + 2) % 10}\n'
                       for i in range(10))
    files = {
        'ent_ids_1': ''.join(f'{i}\thttp://a/{i}\n' for i in range(10)),
        'ent_ids_2': ''.join(f'{10 + i}\thttp://b/{i}\n'
                             for i in range(10)),
        'rel_ids_1': '0\thttp://o/p\n', 'rel_ids_2': '1\thttp://o/p\n',
        'triples_1': triples1, 'triples_2': triples2,
        'ref_ent_ids': ''.join(f'{i}\t{10 + i}\n' for i in range(10)),
        'sup_ent_ids': '0\t10\n1\t11\n'}
    root = write({f'x_y/{k}': v for k, v in files.items()}) / 'x_y'
    out = tmp_path / 'own'
    assert main(['split', str(root), '--out', str(out), '--seed', '3']) == 0
    assert 'own-TSV layout' in capsys.readouterr().out
    assert main(['stats', str(out), '--compact']) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats['relations'] == 1  # one URI: shared by name
    kg1 = stats['kgs']['x']
    assert kg1['train_triples'] + kg1['val_triples'] + \
        kg1['test_triples'] == 10
    assert kg1['unseen_entity_triples'] == {'val': 0, 'test': 0}
    assert stats['alignments']['x-y']['train'] == 2
    assert main(['split', str(root), '--out', str(out),
                 '--fractions', '0.5/0.6/0.1']) == 2


def test_help_answers_without_loading_torch():
    code = ('import sys\nfrom pyg_kgt.cli import build_parser\n'
            'build_parser()\nassert "torch" not in sys.modules, "torch"\n')
    subprocess.run([sys.executable, '-c', code], check=True)
    out = subprocess.run([sys.executable, '-m', 'pyg_kgt', '--help'],
                         capture_output=True, text=True, check=True)
    assert 'retrain' in out.stdout


def test_nan_training_exits_with_a_clear_message(tmp_path, capsys):
    code = main(['pretrain', '--run-dir', str(tmp_path / 'run'), '--quiet',
                 '--set', 'training.lr=1.0e+30', '--set', 'training.epochs=3',
                 '--set', 'teacher.model.hidden_channels=8'])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith('pyg-kgt: training stopped: loss is')
    assert 'Traceback' not in err


def test_pretrain_runs_unchanged_under_torchrun(tmp_path):
    import os
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items()
           if k not in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')}
    env['OMP_NUM_THREADS'] = '1'
    run = tmp_path / 'run'
    out = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
         f'--master_port={port}', '-m', 'pyg_kgt', 'pretrain', '--quiet',
         '--run-dir', str(run), '--set', 'training.epochs=2',
         '--set', 'training.checkpoint_every=1',
         '--set', 'teacher.model.hidden_channels=8',
         '--set', 'data.target=target'],
        env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.count('teacher saved in') == 1   # rank 0 only
    results = json.loads((run / 'results.json').read_text())
    assert set(results['results']) == {'source1', 'source2', 'source3'}
    assert (run / 'checkpoints' / 'last.pt').is_file()
    assert len((run / 'metrics.tsv').read_text().splitlines()) == 3


def test_deterministic_runs_and_a_killed_resume_are_bit_identical(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    import torch
    args = ['--quiet', '--threads', '2',
            '--set', 'training.deterministic=true',
            '--set', 'training.epochs=8', '--set', 'training.eval_every=2',
            '--set', 'training.checkpoint_every=1',
            '--set', 'teacher.model.hidden_channels=16']

    def command(folder, *extra):
        return [sys.executable, '-m', 'pyg_kgt', 'pretrain', '--run-dir',
                str(folder), *args, *extra]

    for name in ('a', 'b'):
        subprocess.run(command(tmp_path / name), check=True, timeout=300,
                       capture_output=True)
    killed = subprocess.Popen(command(tmp_path / 'c'),
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    previous = tmp_path / 'c' / 'checkpoints' / 'previous.pt'
    began = time.monotonic()
    while not previous.exists() and time.monotonic() - began < 240:
        time.sleep(0.02)
    killed.send_signal(signal.SIGKILL)  # in epoch 2 or later
    killed.wait(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert not (tmp_path / 'c' / 'results.json').exists()
    subprocess.run(command(tmp_path / 'c', '--resume'), check=True,
                   timeout=300, capture_output=True)

    def outcome(name):
        results = json.loads((tmp_path / name / 'results.json').read_text())
        weights = torch.load(tmp_path / name / 'teacher' / 'weights.pt',
                             weights_only=True)['model']
        return ({kg: r['filtered']['metrics']['mrr']
                 for kg, r in results['results'].items()}, weights)
    (mrr_a, weights_a), (mrr_b, weights_b), (mrr_c, weights_c) = (
        outcome(n) for n in 'abc')
    assert mrr_a == mrr_b == mrr_c  # exactly, not approximately
    for key, value in weights_a.items():
        assert torch.equal(value, weights_b[key])
        assert torch.equal(value, weights_c[key])


@pytest.mark.parametrize('device', ['cpu', 'auto'])
def test_pretrain_takes_a_device(tmp_path, device, capsys):
    run = tmp_path / device
    assert main(['pretrain', '--run-dir', str(run), '--quiet', '--device',
                 device, '--set', 'training.epochs=1',
                 '--set', 'teacher.model.hidden_channels=8']) == 0
    config = (run / 'config.yaml').read_text()
    assert f'device: {device}' in config
    assert (run / 'teacher' / 'weights.pt').is_file()
    assert main(['evaluate', '--model', str(run), '--kg', 'source1',
                 '--device', device, '--quiet']) == 0
    assert '"mrr"' in capsys.readouterr().out


def test_fit_logs_epochs_to_tensorboard_when_asked(write, tmp_path):
    pytest.importorskip('tensorboard')
    root = _ring_tsv(write)
    run = tmp_path / 'run'
    assert main(['fit', '--run-dir', str(run), '--quiet', '--set',
                 f'data.path={root}', '--set', 'training.epochs=2',
                 '--set', 'training.tracker=tensorboard',
                 '--set', 'student.model.hidden_channels=8']) == 0
    events = list((run / 'tensorboard').glob('events.out.tfevents.*'))
    assert len(events) == 1 and events[0].stat().st_size > 0
