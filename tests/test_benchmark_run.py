import argparse
import importlib.util

import torch

from benchmarks.efficiency import render_efficiency
from benchmarks.pykeen_peer import tail_head_scorer
from benchmarks.criteria import compare, render_criteria
from benchmarks.results import (append_records, has_record, make_record,
                                newest_records)
from benchmarks.run import METHODS, QUICK, Budget, main, plan


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
    scripts = [step.argv[0].rsplit('/', 1)[1] for step in steps]
    assert scripts == ['bench_teacher.py', 'bench_transfer.py',
                       'pykeen_peer.py', 'bench_transfer.py',
                       'bench_teacher.py', 'bench_transfer.py',
                       'bench_conv.py', 'bench_eval_speed.py',
                       'bench_scaling.py']
    teacher, students, peers, joint, reuse_teacher, reused = steps[:6]
    # The teacher holds the target out and is saved for reuse.
    sources = teacher.argv[teacher.argv.index('--sources') + 1:
                           teacher.argv.index('--epochs')]
    assert sources == ['en', 'fr', 'es', 'ja']
    assert teacher.creates == 'T/teacher_no_el'
    assert _flag(students.argv, '--teacher') == 'T/teacher_no_el'
    assert all(m in students.argv for m in METHODS)
    assert peers.peer and _flag(peers.argv, '--epochs') == str(
        QUICK.peer_epochs)
    assert '--joint-from-scratch' in joint.argv
    assert _flag(joint.argv, '--joint-dir') == 'T/joint_from_scratch'
    assert reuse_teacher.creates == 'T/teacher_en_fr_es'
    assert '--reused' in reused.argv
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
    assert 'bench_teacher.py' in out and 'pykeen_peer.py' in out
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


def test_criteria_hold_only_when_every_shared_seed_wins(tmp_path):
    folder = str(tmp_path)
    append_records('dbp5l_transfer', [
        _scored('single_kg_rgcn', 0, 0.20), _scored('single_kg_rgcn', 1, 0.20),
        _scored('linked_no_kd', 0, 0.10), _scored('linked_no_kd', 1, 0.10),
        # Higher on average than the single KG, but not in seed 1.
        _scored('student_full_kd', 0, 0.40),
        _scored('student_full_kd', 1, 0.19),
        _scored('joint_from_scratch', 0, 0.5, wall=100.0)], folder)
    rows = compare(newest_records('dbp5l_transfer', folder), 'el',
                   'student_full_kd', 'single_kg_rgcn')
    assert [r[2] for r in rows] == ['filtered MRR', 'filtered H@1']
    assert rows[0][3] == '29.50 ± 14.85 vs 20.00 ± 0.00'
    assert rows[0][4:] == ['1/2', '**fails**']
    rows = compare(newest_records('dbp5l_transfer', folder), 'el',
                   'student_full_kd', 'linked_no_kd')
    assert {r[5] for r in rows} == {'holds'}
    path = render_criteria(folder)
    text = open(path, encoding='utf-8').read()
    assert '| el | re-training / joint <= 1/5 | train s | 10 / 100 = 0.10 ' \
           '| – | holds |' in text


def test_criteria_flag_mixed_budgets(tmp_path):
    folder = str(tmp_path)
    append_records('dbp5l_transfer', [
        _scored('single_kg_rgcn', 0, 0.2, lr=0.005),
        _scored('student_full_kd', 0, 0.3)], folder)
    rows = compare(newest_records('dbp5l_transfer', folder), 'el',
                   'student_full_kd', 'single_kg_rgcn')
    assert rows[0][5] == 'holds (mixed budgets)'
    assert render_criteria(str(tmp_path / 'empty')) is None
