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
