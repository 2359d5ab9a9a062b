import torch

from benchmarks import bench_fade
from benchmarks.results import newest_records
from pyg_kgt.training import TrainingConfig


def test_fade_suite_records_twin_and_students_for_both_teachers(
        tmp_path, monkeypatch):
    results = str(tmp_path / 'results')
    monkeypatch.setattr('benchmarks.results.RESULTS_DIR', results)
    monkeypatch.setattr(bench_fade, 'KG_OPTIONS', dict(
        num_entities=120, num_values=10, num_types=4))
    tiny = (lambda seed: TrainingConfig(epochs=2, batch_size=256,
                                        eval_every=1, seed=seed))
    monkeypatch.setattr(bench_fade, 'TEACHER_TRAINING', tiny)
    monkeypatch.setattr(bench_fade, 'STUDENT_TRAINING', tiny)
    bench_fade.main(['--seeds', '0', '--fades', '0.0'])
    records = newest_records('fade', results)
    assert {(r['target'], r['method']) for r in records} == {
        (case, method) for case in ('aligned', 'misaligned')
        for method in ('linked_no_kd', 'student_fade_0', 'student_release',
                       'student_checked')}
    for record in records:
        assert 0 < record['metrics']['mrr'] <= 1
        assert record['metrics']['best_val_mrr'] > 0
    # The misaligned teacher fails the check: the default student is its
    # twin, to the digit.
    mrr = {(r['target'], r['method']): r['metrics']['mrr'] for r in records}
    assert mrr['misaligned', 'student_checked'] == mrr[
        'misaligned', 'linked_no_kd']
    text = (tmp_path / 'results' / 'fade.md').read_text()
    assert '| misaligned | student_fade_0 |' in text


def test_misalign_shuffles_each_sources_teacher_nodes_within_it():
    class Teacher:  # only what misalign touches
        class graph:
            node_index = {name: torch.arange(10) + 10 * i for i, name in
                          enumerate(bench_fade.SOURCES)}
    bench_fade.misalign(Teacher, seed=0)
    for i, name in enumerate(bench_fade.SOURCES):
        index = Teacher.graph.node_index[name]
        assert sorted(index.tolist()) == list(range(10 * i, 10 * i + 10))
        assert not torch.equal(index, torch.arange(10) + 10 * i)
