import argparse
import importlib.util
import subprocess

import pytest
import torch

from benchmarks.efficiency import render_efficiency
from benchmarks.pykeen_peer import tail_head_scorer
from benchmarks.results import (append_records, has_record, make_record,
                                newest_records)
from benchmarks.budget import QUICK, Budget
from benchmarks.run import METHODS, main, plan
from pyg_kgt.io import read_json


def _args(**kwargs):
    defaults = dict(suite='all', quick=True, targets=['el'], seeds=[0],
                    joint_seeds=[0], data='DATA', teachers='T',
                    peers=['rotate', 'transe'], force=False,
                    methods=list(METHODS),
                    reuse_methods=['student_full_kd', 'linked_no_kd'])
    defaults.update(kwargs)
    return argparse.Namespace(**defaults)


def _flag(argv, name):
    return argv[argv.index(name) + 1]


def test_quick_plan_covers_every_table():
    steps = plan(_args())
    scripts = [step.argv[1].split('.')[1] + '.py' for step in steps]
    assert scripts == ['bench_teacher.py', 'bench_transfer.py',
                       'pykeen_peer.py', 'bench_transfer.py',
                       'bench_teacher.py', 'bench_transfer.py',
                       # the field's setting: teacher, twins + student, joint
                       'bench_teacher.py', 'bench_transfer.py',
                       'bench_transfer.py',
                       'bench_conv.py', 'bench_eval_speed.py']
    teacher, students, peers, joint, reuse_teacher, reused = steps[:6]
    # The teacher holds the target out and is saved for reuse.
    sources = teacher.argv[teacher.argv.index('--sources') + 1:
                           teacher.argv.index('--epochs')]
    assert sources == ['en', 'fr', 'es', 'ja']
    assert teacher.creates == 'T/teacher_no_el'
    assert _flag(students.argv, '--teacher') == 'T/teacher_no_el'
    assert all(m in students.argv for m in METHODS)
    # The ablation table: each KD level removed, and the cold start.
    assert {'student_no_feature_kd', 'student_no_network_kd',
            'student_no_prediction_kd', 'student_cold_start'} <= set(METHODS)
    assert peers.peer and _flag(peers.argv, '--epochs') == str(
        QUICK.peer_epochs)
    assert '--joint-from-scratch' in joint.argv
    assert _flag(joint.argv, '--joint-dir') == 'T/joint_from_scratch'
    assert reuse_teacher.creates == 'T/teacher_en_fr_es'
    assert '--reused' in reused.argv
    # Joint training from scratch needs no saved teacher, only its config.
    assert (students.loads, joint.loads, reused.loads) == (
        'T/teacher_no_el', None, 'T/teacher_en_fr_es')
    # Transfer and peer steps resume; --force re-runs them.
    for step in (students, peers, joint, reused):
        assert '--skip-existing' in step.argv
    assert not any('--skip-existing' in s.argv
                   for s in plan(_args(force=True)))


def test_full_budget_is_the_documented_one():
    steps = plan(_args(quick=False, suite='dbp5l', targets=['ja'],
                       seeds=[0, 1, 2]))
    students = steps[1]
    assert _flag(students.argv, '--dim') == str(Budget.student_dim)
    assert students.argv[students.argv.index('--seeds') + 1:
                         students.argv.index('--methods')] == ['0', '1', '2']
    # ja is a reuse target: the {en, fr, es} teacher serves it too.
    assert steps[-1].title == 'ja: student of the reused teacher'


def test_selected_methods_and_peers_only():
    steps = plan(_args(suite='dbp5l', methods=[], peers=[],
                       reuse_methods=['student_full_kd']))
    titles = [step.title for step in steps]
    assert titles == ['teacher on en, fr, es, ja',
                      'el: joint training from scratch',
                      'teacher on en, fr, es',
                      'el: student of the reused teacher']
    assert steps[-1].argv[steps[-1].argv.index('--methods') + 1:
                          steps[-1].argv.index('--dim')] == [
        'student_full_kd']


def test_dry_run_prints_the_plan_and_runs_nothing(capsys, tmp_path):
    main(['--dry-run', '--suite', 'dbp5l', '--targets', 'el',
          '--teachers', str(tmp_path)])
    out = capsys.readouterr().out
    assert ('-m benchmarks.bench_teacher' in out and
            '-m benchmarks.pykeen_peer' in out)
    assert not any(tmp_path.iterdir())


def _record(method, seed, config, target='el', wall=10.0, rss=100.0,
            protocol='filtered', suite='dbp5l_transfer'):
    return make_record(suite, 'dbp5l', method, {'mrr': 0.3}, wall, config,
                       target=target, protocol=protocol, seed=seed,
                       peak_rss=rss)


def test_has_record_matches_the_configuration(tmp_path):
    config = {'training': {'lr': 0.01, 'progress': False}}
    append_records('dbp5l_transfer', [_record('student_full_kd', 0, config)],
                   str(tmp_path))
    folder = str(tmp_path)
    assert has_record('dbp5l_transfer', 'el', 'student_full_kd', 0,
                      {'training': {'lr': 0.01, 'progress': True}}, folder)
    assert not has_record('dbp5l_transfer', 'el', 'student_full_kd', 0,
                          {'training': {'lr': 0.02}}, folder)
    assert not has_record('dbp5l_transfer', 'el', 'student_full_kd', 1,
                          config, folder)
    assert not has_record('dbp5l_transfer', 'ja', 'student_full_kd', 0,
                          config, folder)
    # A setting added later matches the older records at the value they
    # ran with, and only at it.
    assert has_record('dbp5l_transfer', 'el', 'student_full_kd', 0,
                      {'training': {'lr': 0.01, 'lr_schedule': 'constant'}},
                      folder)
    assert not has_record('dbp5l_transfer', 'el', 'student_full_kd', 0,
                          {'training': {'lr': 0.01, 'lr_schedule': 'cosine'}},
                          folder)


def test_has_record_compares_only_the_given_keys(tmp_path):
    # A joint run does not depend on the student's budget in its config.
    folder = str(tmp_path)
    config = {'joint_training': {'lr': 0.01}, 'training': {'lr': 0.005}}
    append_records('dbp5l_transfer', [_record('joint_from_scratch', 0,
                                              config)], folder)
    new_student = {'joint_training': {'lr': 0.01}, 'training': {'lr': 0.02}}
    assert has_record('dbp5l_transfer', 'el', 'joint_from_scratch', 0,
                      new_student, folder, keys=('joint_training',))
    assert not has_record('dbp5l_transfer', 'el', 'joint_from_scratch', 0,
                          new_student, folder)
    assert not has_record('dbp5l_transfer', 'el', 'joint_from_scratch', 0,
                          {'joint_training': {'lr': 0.1}}, folder,
                          keys=('joint_training',))


def test_efficiency_table_joins_teacher_student_and_joint(tmp_path):
    folder = str(tmp_path)
    four = {'teacher': {'sources': ['en', 'fr', 'es', 'ja']}}
    three = {'teacher': {'sources': ['en', 'fr', 'es']}}
    append_records('teacher', [
        _record('joint_teacher', 0, {'sources': ['en', 'fr', 'es', 'ja']},
                target='en', wall=1000.0, rss=1800.0, suite='teacher'),
        _record('joint_teacher_en_fr_es', 0, {'sources': ['en', 'fr', 'es']},
                target='en', wall=700.0, suite='teacher')], folder)
    append_records('dbp5l_transfer', [
        _record('student_full_kd', 0, four, wall=100.0),
        _record('student_full_kd', 1, four, wall=140.0),
        _record('joint_from_scratch', 0, four, wall=1200.0),
        _record('student_reused_teacher', 0, three, wall=90.0)], folder)
    text = open(render_efficiency(folder)).read()
    assert ('| el | en, fr, es, ja | 1,000 | 1,800 | 120 (2) | 100 | 1,200 '
            '| 100 | 0.10 |') in text
    assert '| el | en, fr, es | 700 | 90 (1) | 100 |' in text
    if importlib.util.find_spec('matplotlib') is not None:
        assert (tmp_path / 'dbp5l_efficiency.png').stat().st_size > 1000


class _Model:
    r"""PyKEEN's calling convention: ``score_t([h, r])``,
    ``score_h([r, t])``; scores tell which column was read as what."""

    def score_t(self, hr):
        return (10 * hr[:, :1] + hr[:, 1:]).float() * torch.arange(4.)

    def score_h(self, rt):
        return -(10 * rt[:, 1:] + rt[:, :1]).float() * torch.arange(4.)


def test_peer_scorer_follows_our_scorer_convention():
    scorer = tail_head_scorer(_Model())
    entity, relation = torch.tensor([1, 2]), torch.tensor([0, 1])
    assert scorer(entity, relation, 'tail').shape == (2, 4)
    assert scorer(entity, relation, 'tail')[1].tolist() == [0, 21, 42, 63]
    assert scorer(entity, relation, 'head')[1].tolist() == [0, -21, -42,
                                                            -63]


def _scored(method, seed, mrr, lr=0.02, wall=10.0, protocol='filtered'):
    return make_record('dbp5l_transfer', 'dbp5l', method,
                       {'mrr': mrr, 'hits1': mrr / 2}, wall,
                       {'training': {'lr': lr, 'seed': seed}}, target='el',
                       protocol=protocol, seed=seed, peak_rss=100.0)


def test_a_teacher_not_saved_trains_only_when_a_run_needs_it(monkeypatch):
    import benchmarks.run as run_module
    steps = plan(_args(suite='dbp5l', peers=[], joint_seeds=[],
                       reuse_methods=[]))
    assert [s.argv[1].split('.')[1] + '.py' for s in steps] == [
        'bench_teacher.py', 'bench_transfer.py']
    left = {'bench_teacher.py': 0, 'bench_transfer.py': 0}
    calls = []

    def fake_run(argv, **kwargs):
        script = argv[2].split('.')[1] + '.py'
        calls.append((script, '--pending' in argv))
        return subprocess.CompletedProcess(
            argv, left[script] if '--pending' in argv else 0)

    monkeypatch.setattr(run_module.subprocess, 'run', fake_run)
    # Every run recorded, teacher not saved: nothing trains; the student
    # step still runs (it finds nothing to do without loading the teacher).
    run_module.run(steps, {}, dry_run=False, force=False)
    assert calls == [('bench_teacher.py', True), ('bench_transfer.py', True),
                     ('bench_transfer.py', False)]
    # One student run left: the teacher trains first.
    calls.clear()
    left['bench_transfer.py'] = 1
    run_module.run(steps, {}, dry_run=False, force=False)
    assert ('bench_teacher.py', False) in calls
    assert calls.index(('bench_teacher.py', False)) < calls.index(
        ('bench_transfer.py', False))


def _exit_code(main, argv) -> int:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    return exit_.value.code


def _dbp5l_folder(tmp_path):
    kg = tmp_path / 'data' / 'dbp5l' / 'kg'
    kg.mkdir(parents=True)
    for lang in ('el', 'en', 'es', 'fr', 'ja'):
        (kg / f'{lang}-train.tsv').write_text('')
    return str(tmp_path / 'data')


def test_transfer_runs_left_follow_the_records(tmp_path, monkeypatch):
    from benchmarks import bench_transfer
    results = str(tmp_path / 'results')
    monkeypatch.setattr('benchmarks.results.RESULTS_DIR', results)
    argv = ['--data', _dbp5l_folder(tmp_path), '--teacher',
            str(tmp_path / 'not_saved'), '--teacher-sources', 'en', 'fr',
            '--targets', 'el', '--seeds', '0', '1', '--methods',
            'single_kg_rgcn', 'student_full_kd', '--joint-from-scratch',
            '--pending']
    args = bench_transfer.build_parser().parse_args(argv)
    names, config = bench_transfer.teacher_spec(args)
    assert names == ['en', 'fr']
    work = bench_transfer.plan_runs(args, names, config,
                                    ['el', 'en', 'es', 'fr', 'ja'])
    assert [(w['seed'], w['methods'], w['joint']) for w in work] == [
        (seed, ['single_kg_rgcn', 'student_full_kd'],
         ['joint_from_scratch']) for seed in (0, 1)]
    # The joint model keeps the dataset's KG order.
    assert work[0]['joint_meta']['joint_kgs'] == ['el', 'en', 'fr']
    assert _exit_code(bench_transfer.main, argv) == 1
    # Record every run but seed 1's student: only that one is left.
    records = [_record(m, w['seed'], w['meta']) for w in work
               for m in w['methods'] if (w['seed'], m) != (
                   1, 'student_full_kd')]
    records += [_record('joint_from_scratch', w['seed'], w['joint_meta'])
                for w in work]
    append_records('dbp5l_transfer', records, results)
    # The plan reads the records once, not once per run it asks about.
    from benchmarks import results as results_module
    reads = []

    def counted_read(*args, **kwargs):
        reads.append(args)
        return real_read(*args, **kwargs)

    real_read = results_module.read_records
    monkeypatch.setattr(results_module, 'read_records', counted_read)
    work = bench_transfer.plan_runs(args, names, config,
                                    ['el', 'en', 'es', 'fr', 'ja'])
    assert [(w['seed'], w['methods'], w['joint']) for w in work] == [
        (1, ['student_full_kd'], [])]
    assert [suite for suite, *_ in reads] == ['dbp5l_transfer']
    append_records('dbp5l_transfer', [_record(
        'student_full_kd', 1, work[0]['meta'])], results)
    # Nothing left: it exits 0 without a saved teacher, with or without
    # --pending.
    for flags in (['--pending'], ['--skip-existing']):
        assert _exit_code(bench_transfer.main, argv[:-1] + flags) == 0
    # A different budget is not the recorded run.
    args.lr = 0.5
    assert len(bench_transfer.plan_runs(args, names, config, ['el'])) == 2


def test_a_teacher_is_pending_until_its_records_exist(tmp_path,
                                                      monkeypatch):
    from benchmarks import bench_teacher
    from pyg_kgt.training import TrainingConfig
    results = str(tmp_path / 'results')
    monkeypatch.setattr('benchmarks.results.RESULTS_DIR', results)
    argv = ['--sources', 'en', 'fr', '--epochs', '3', '--dim', '16',
            '--method-suffix', '_no_el', '--pending']
    assert _exit_code(bench_teacher.main, argv) == 1
    meta = {'model': bench_teacher.teacher_config(16).model.to_dict(),
            'training': TrainingConfig(
                epochs=3, eval_every=5, patience=3, batch_size=4096,
                lr=0.01, seed=0).to_dict(),
            'linking': 'same_as', 'sources': ['en', 'fr']}
    # Recorded under the older name (no suffix): left until every source is.
    for name, code in (('en', 1), ('fr', 0)):
        append_records('teacher', [_record('joint_teacher', 0, meta,
                                           target=name, suite='teacher')],
                       results)
        assert _exit_code(bench_teacher.main, argv) == code
    assert _exit_code(bench_teacher.main,
                      argv[:-1] + ['--dim', '32', '--pending']) == 1


def _tiny_dbp5l(write):
    files = {'relations.txt': 'r0\nr1\n'}
    for lang in ('xx', 'yy', 'zz'):
        files[f'entity/{lang}.tsv'] = ''.join(f'{lang}{i}\n'
                                              for i in range(5))
        files[f'kg/{lang}-train.tsv'] = ('0\t0\t1\n1\t1\t2\n2\t0\t3\n'
                                         '3\t1\t4\n4\t0\t0\n')
        files[f'kg/{lang}-val.tsv'] = '1\t0\t3\n'
        files[f'kg/{lang}-test.tsv'] = '0\t1\t2\n'
    for pair in ('xx-yy', 'xx-zz', 'yy-zz'):
        files[f'seed_alignlinks/{pair}.tsv'] = '0.0\t0.0\n1.0\t1.0\n'
        files[f'jmac_split/seed_train_pairs/{pair}.tsv'] = '0.0\t0.0\n'
        files[f'jmac_split/seed_test_pairs/{pair}.tsv'] = '1.0\t1.0\n'
    root = write({f'dbp5l/{k}': v for k, v in files.items()})
    return str(root)


def _joint_only(write, tmp_path, monkeypatch):
    r"""``bench_transfer`` arguments for joint training alone (a teacher
    that is not saved) on the tiny DBP-5L, and the results folder."""
    results = str(tmp_path / 'results')
    monkeypatch.setattr('benchmarks.results.RESULTS_DIR', results)
    return ['--data', _tiny_dbp5l(write), '--teacher',
            str(tmp_path / 'not_saved'), '--teacher-sources', 'xx', 'yy',
            '--teacher-dim', '8', '--targets', 'zz', '--methods',
            '--joint-from-scratch', '--joint-epochs', '1',
            '--skip-existing'], results


def test_joint_from_scratch_runs_without_a_saved_teacher(
        write, tmp_path, monkeypatch, capsys):
    from benchmarks import bench_transfer
    argv, results = _joint_only(write, tmp_path, monkeypatch)
    bench_transfer.main(argv)
    assert 'zz seed 0 joint_from_scratch' in capsys.readouterr().out
    records = newest_records('dbp5l_transfer', results)
    assert {(r['method'], r['protocol']) for r in records} == {
        ('joint_from_scratch', p) for p in ('filtered', 'lifted',
                                            'lifted_trainval')}
    assert records[0]['config']['joint_kgs'] == ['xx', 'yy', 'zz']
    assert records[0]['config']['joint_model']['model'][
        'hidden_channels'] == 8
    # Recorded: the next run finds nothing left.
    assert _exit_code(bench_transfer.main, argv) == 0
    assert 'to run' not in capsys.readouterr().out


def test_field_plan_uses_every_seed_alignment_apart():
    steps = plan(_args(suite='dbp5l_field'))
    teacher, students, joint = steps
    for step in steps:
        assert _flag(step.argv, '--alignment-split') == 'all'
    assert teacher.creates == 'T/teacher_no_el_all'
    assert students.loads == 'T/teacher_no_el_all'
    assert students.argv[students.argv.index('--methods') + 1:
                         students.argv.index('--dim')] == [
        'single_kg_rgcn', 'linked_no_kd', 'student_full_kd']
    assert _flag(joint.argv, '--joint-dir') == 'T/joint_from_scratch_all'


def test_joint_from_scratch_in_the_field_setting_is_recorded_apart(
        write, tmp_path, monkeypatch):
    from benchmarks import bench_transfer
    argv, results = _joint_only(write, tmp_path, monkeypatch)
    argv += ['--joint-dir', str(tmp_path / 'joint')]
    bench_transfer.main(argv)
    # The JMAC-split record does not count as the all-pairs one, and the
    # saved JMAC joint model is not reused for it.
    assert _exit_code(bench_transfer.main, argv + ['--pending']) == 0
    all_pairs = argv + ['--alignment-split', 'all']
    assert _exit_code(bench_transfer.main, all_pairs + ['--pending']) == 1
    bench_transfer.main(all_pairs)
    records = newest_records('dbp5l_transfer', results, 'dbp5l_all')
    assert {r['protocol'] for r in records} == {
        'filtered', 'lifted', 'lifted_trainval'}
    assert records[0]['config']['alignment_split'] == 'all'
    key = read_json(str(tmp_path / 'joint' / 'seed0' / 'joint_run.json'))
    assert key['key']['alignments']['xx-yy'] == {
        'train': 2, 'test': 0, 'duplicates_removed': 0}


def test_transfer_suite_runs_every_pair_but_not_quick():
    steps = plan(_args(suite='transfer_suite', quick=False, seeds=[0, 1, 2]))
    assert [s.argv[1] for s in steps] == ['benchmarks.transfer_suite']
    assert steps[0].argv[steps[0].argv.index('--seeds') + 1:][:3] == [
        '0', '1', '2'] and '--joint' in steps[0].argv
    assert plan(_args(suite='transfer_suite')) == []  # --quick: too long
