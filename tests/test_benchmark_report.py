import importlib.util

import pytest

from benchmarks.report import aggregate, render
from benchmarks.results import (append_records, make_record,
                                validation_summary)


def _records():
    records = []
    for seed, (a, b) in enumerate([(0.30, 0.20), (0.34, 0.22)]):
        for method, mrr in (('student_full_kd', a), ('single_kg_rgcn', b)):
            records.append(make_record(
                'lp', 'toy', method, {'mrr': mrr, 'hits1': mrr / 2,
                                      'hits10': 2 * mrr}, 10.0 + seed, {},
                target='el', protocol='filtered', seed=seed, peak_rss=50.0))
    records.append(make_record('lp', 'toy', 'joint_teacher_alignment',
                               {'mrr': 0.5, 'hits1': 0.4, 'hits10': 0.7},
                               3.0, {}, target='en-fr', seed=0,
                               peak_rss=40.0))
    return records


def test_aggregate_means_and_stds_over_seeds():
    summary = aggregate(_records())
    row = summary[('el', 'student_full_kd', 'filtered')]
    assert row['seeds'] == 2 and row['wall_s'] == 10.5
    assert row['mrr'][0] == pytest.approx(0.32)
    assert row['mrr'][1] == pytest.approx(0.0282843, rel=1e-4)


def test_render_writes_tables_and_plots(tmp_path):
    append_records('lp', _records(), str(tmp_path))
    paths = render('lp', str(tmp_path))
    text = (tmp_path / 'lp.md').read_text()
    assert '| el | student_full_kd | filtered | 2 | 32.00 ± 2.83 |' in text
    assert '| en-fr | joint_teacher_alignment | 1 | 50.00 |' in text
    if importlib.util.find_spec('matplotlib') is not None:
        assert (tmp_path / 'lp_mrr_filtered.png').stat().st_size > 1000
        assert len(paths) == 2


def test_validation_summary_keeps_the_best_epoch_and_the_curve():
    history = [{'epoch': 0, 'loss': 1.0}, {'epoch': 4, 'val_mrr': 0.2},
               {'epoch': 9, 'val_mrr': 0.31234567},
               {'epoch': 14, 'val_mrr': 0.3}]
    assert validation_summary(history) == {
        'best_val_mrr': 0.31234567, 'best_epoch': 9,
        'val_curve': [0.2, 0.31235, 0.3]}
    assert validation_summary([{'epoch': 0, 'loss': 1.0}]) == {
        'best_val_mrr': None, 'best_epoch': None, 'val_curve': []}


def _explore_record(method, mrr, curve, wall, stamp, lr=0.005, seed=0,
                    protocol='filtered'):
    from benchmarks.budget import Budget
    from pyg_kgt.models import LocalStudentConfig, ModelConfig
    budget = Budget()
    student = LocalStudentConfig(model=ModelConfig(
        hidden_channels=budget.student_dim)).to_dict()
    record = make_record(
        'dbp5l_explore', 'dbp5l', method,
        {'mrr': mrr, 'best_val_mrr': max(curve, default=None),
         'val_curve': curve,
         'epochs': 5 * len(curve)}, wall,
        {'student': student, 'teacher': {'path': 'runs/t',
                                         'sources': ['en', 'fr']},
         'training': {'lr': lr, 'epochs': budget.student_epochs,
                      'batch_size': budget.student_batch_size,
                      'num_candidates': None}},
        target='el', protocol=protocol, seed=seed, peak_rss=1.0)
    record['timestamp'] = stamp
    return record


def test_frontier_names_variants_and_keeps_sessions_apart(tmp_path):
    from benchmarks.frontier import curve, frontier, render_frontier
    records = [
        _explore_record('student_full_kd', 0.40, [0.3, 0.4], 20.0,
                        '2026-12-01T10:00:00+00:00'),
        _explore_record('student_full_kd', 0.42, [0.3, 0.5], 40.0,
                        '2026-12-01T10:05:00+00:00', seed=1),
        _explore_record('student_full_kd', 0.38, [0.2, 0.35], 10.0,
                        '2026-12-01T10:09:00+00:00', lr=0.01),
        # The same default, timed in a later session: its own group.
        _explore_record('student_warm_start', 0.41, [0.3, 0.4], 30.0,
                        '2026-12-01T20:00:00+00:00'),
        _explore_record('student_cold_start', 0.30, [0.1, 0.3], 10.0,
                        '2026-12-01T20:03:00+00:00'),
        # An hour later on another machine: a session of its own.
        _explore_record('student_cold_start', 0.31, [0.1, 0.3], 30.0,
                        '2026-12-01T21:00:00+00:00', seed=1)]
    records[-1]['hardware'] = 'another CPU (AVX2), 2 cores, no GPU'
    groups = frontier(records)
    teacher = 't (en fr)'
    assert sorted((k[2], k[3], len(v)) for k, v in groups.items()) == [
        ('default', '2026-12-01 10:00', 2),
        ('default', '2026-12-01 20:00', 1),
        ('lr=0.01', '2026-12-01 10:00', 1),
        ('student_cold_start', '2026-12-01 20:00', 1),
        ('student_cold_start', '2026-12-01 21:00', 1)]
    runs = groups[('el', teacher, 'default', '2026-12-01 10:00')]
    # Seconds per epoch 2 and 4 -> epoch 5: 10 and 20 s; epoch 10: 20, 40.
    assert curve(runs) == [(15.0, 30.0), (30.0, 45.0)]
    append_records('dbp5l_explore', records, str(tmp_path))
    render_frontier(str(tmp_path))
    text = (tmp_path / 'dbp5l_frontier.md').read_text()
    assert (f'| el | {teacher} | default | 2026-12-01 10:00 | 2 | 45.00 | '
            f'41.00 ± 1.41 | 30 |') in text
    if importlib.util.find_spec('matplotlib') is not None:
        assert (tmp_path / 'dbp5l_frontier.png').stat().st_size > 1000


def test_frontier_names_records_by_the_settings_they_ran_with():
    from benchmarks.frontier import _defaults, variant_name
    defaults = _defaults()
    stamp = '2026-12-01T10:00:00+00:00'

    def name(method, **student):
        record = _explore_record(method, 0.4, [0.4], 10.0, stamp)
        record['config']['student'].update(student)
        return variant_name(record, defaults)

    assert defaults['prediction_trust'] == 'agreement'
    # A retired method that became the default names the default ...
    assert name('student_agreement_prediction_kd',
                prediction_trust='uniform') == 'default'
    # ... and the old default, run before the change, is named by it.
    assert name('student_full_kd', prediction_trust='uniform') == \
        'prediction_trust=uniform'
    assert name('student_uniform_prediction_kd') == \
        'student_uniform_prediction_kd'
    # A twin is not named by the teacher's settings.
    assert name('linked_no_kd', prediction_trust='uniform',
                top_k=7) == 'linked_no_kd'
    assert name('student_cold_start', train_on='target') == \
        'student_cold_start train_on=target'


def test_pooled_keeps_the_newest_record_of_each_seed_across_sessions(
        tmp_path):
    from benchmarks.frontier import pooled, render_pooled
    later = '2026-12-01T20:00:00+00:00'
    records = [
        _explore_record('student_full_kd', 0.40, [0.3, 0.4], 20.0,
                        '2026-12-01T10:00:00+00:00'),
        _explore_record('student_full_kd', 0.42, [0.3, 0.5], 40.0,
                        '2026-12-01T10:05:00+00:00', seed=1),
        # Seed 0 again in a later session replaces the earlier one.
        _explore_record('student_warm_start', 0.44, [0.3, 0.6], 30.0, later),
        _explore_record('student_warm_start', 0.55, [], 30.0, later,
                        protocol='lifted'),
        _explore_record('student_cold_start', 0.30, [0.1, 0.3], 10.0,
                        '2026-12-01T20:03:00+00:00')]
    groups = pooled(records)
    default = groups[('el', 't (en fr)', 'default')]
    assert [(r['seed'], r['metrics']['mrr']) for r in default['filtered']] \
        == [(0, 0.44), (1, 0.42)]
    assert [r['metrics']['mrr'] for r in default['lifted']] == [0.55]
    assert 'lifted' not in groups[('el', 't (en fr)', 'student_cold_start')]
    append_records('dbp5l_explore', records, str(tmp_path))
    text = open(render_pooled(str(tmp_path))).read()
    assert '| el | t (en fr) | default | 0 1 | 55.00 | 43.00 ± 1.41 | 55.00 |' \
        in text
    assert '| el | t (en fr) | student_cold_start | 0 | 30.00 | 30.00 | - |' \
        in text


def test_render_keeps_datasets_apart(tmp_path):
    other = [dict(r, dataset='toy_all', metrics=dict(r['metrics'], mrr=0.9))
             for r in _records()]
    append_records('lp', _records() + other, str(tmp_path))
    render('lp', str(tmp_path), dataset='toy')
    render('lp', str(tmp_path), dataset='toy_all', out='lp_all')
    assert '| el | student_full_kd | filtered | 2 | 32.00 ± 2.83 |' in (
        tmp_path / 'lp.md').read_text()
    assert '| el | student_full_kd | filtered | 2 | 90.00 ± 0.00 |' in (
        tmp_path / 'lp_all.md').read_text()


def test_field_table_sets_our_rows_beside_the_published(tmp_path):
    from benchmarks.field import render as render_field
    assert render_field(str(tmp_path)) is None
    records = []
    for seed, mrr in enumerate((0.60, 0.64)):
        metrics = {'mrr': mrr, 'hits1': mrr - 0.1, 'hits10': mrr + 0.2}
        records.append(make_record(
            'dbp5l_transfer', 'dbp5l_all', 'student_full_kd', metrics,
            100.0 + seed, {}, target='el', protocol='lifted_trainval',
            seed=seed))
        # A JMAC-split record of the same key never enters the table.
        records.append(make_record(
            'dbp5l_transfer', 'dbp5l', 'student_full_kd',
            {'mrr': 0.1, 'hits1': 0.1, 'hits10': 0.1}, 1.0, {},
            target='el', protocol='lifted_trainval', seed=seed))
    append_records('dbp5l_transfer', records, str(tmp_path))
    append_records('teacher', [make_record(
        'teacher', 'dbp5l_all', 'joint_teacher_no_el_all', {'mrr': 0.5},
        900.0, {}, target='en', protocol='filtered')], str(tmp_path))
    text = (tmp_path / 'dbp5l_field.md').read_text() if render_field(
        str(tmp_path)) else ''
    row = next(line for line in text.splitlines()
               if line.startswith('| **student_full_kd**'))
    assert '| 52.0±2.8 / 82.0±2.8 / 62.0±2.8 (2) |' in row
    assert '| not run |' in row  # en, es, fr, ja
    assert 'DMKGC (WWW 2026; DMKGC (Sheng et al., WWW 2026), Table 1) | ' \
        'lifted_trainval | all seed pairs | 41.9 / 91.0 / 61.0 |' in text
    assert '| el | 900 | 100 | - | - |' in text
