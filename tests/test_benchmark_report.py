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
