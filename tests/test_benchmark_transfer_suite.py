import dataclasses

from benchmarks import transfer_suite
from benchmarks.results import newest_records


def _tiny_pair(write):
    r"""A GCN-Align pair whose two KGs name their relations differently
    (relation ids, no names): the second restates the first."""
    ids1 = ''.join(f'{i}\ta{i}\n' for i in range(12))
    ids2 = ''.join(f'{100 + i}\tb{i}\n' for i in range(12))
    facts = [(h, r, (h * 5 + r) % 12) for h in range(12) for r in range(2)]
    t1 = ''.join(f'{h}\t{r}\t{t}\n' for h, r, t in facts)
    t2 = ''.join(f'{100 + h}\t{7 + r}\t{100 + t}\n' for h, r, t in facts)
    ref = ''.join(f'{i}\t{100 + i}\n' for i in range(12))
    return write({'pair/ent_ids_1': ids1, 'pair/ent_ids_2': ids2,
                  'pair/triples_1': t1, 'pair/triples_2': t2,
                  'pair/ref_ent_ids': ref})


def test_suite_records_students_twins_and_joint(write, tmp_path,
                                                monkeypatch):
    root = _tiny_pair(write)
    results = str(tmp_path / 'results')
    monkeypatch.setattr('benchmarks.results.RESULTS_DIR', results)
    monkeypatch.setattr(transfer_suite, 'PAIRS',
                        {'tiny': ('pair', 'kg1', 'kg2')})
    monkeypatch.setattr(transfer_suite, 'BUDGET', dataclasses.replace(
        transfer_suite.BUDGET, teacher_dim=8, student_dim=8,
        teacher_epochs=1, student_epochs=1))
    argv = ['--data', str(root), '--seeds', '0', '--joint',
            '--teachers', str(tmp_path / 'teachers')]
    transfer_suite.main(argv)
    records = newest_records('transfer_suite', results)
    assert {(r['method'], r['protocol']) for r in records} == {
        (m, p) for m in ('student_full_kd', 'linked_no_kd',
                         'single_kg_rgcn', 'joint_from_scratch')
        for p in ('filtered', 'lifted', 'lifted_trainval')}
    assert all(r['dataset'] == 'tiny' and r['target'] == 'kg2'
               for r in records)
    assert (tmp_path / 'teachers' / 'tiny' / 'config.json').is_file()
    text = (tmp_path / 'results' / 'transfer_suite.md').read_text()
    assert '| tiny | student_full_kd |' in text
    # Recorded: a second run trains nothing (no record appended, though
    # the records also hold what the run found: the inferred relations);
    # the names-only variant is new.
    jsonl = tmp_path / 'results' / 'transfer_suite.jsonl'
    count = len(jsonl.read_text().splitlines())
    assert all('inferred_relations' in r['config'] for r in records
               if r['method'] != 'joint_from_scratch')
    # The student's records say what its teacher check found.
    student = [r for r in records if r['method'] == 'student_full_kd']
    assert student and all(
        0 <= r['metrics']['chance_agreement'] <= 1 and
        isinstance(r['metrics']['teacher_used'], bool) for r in student)
    assert all('teacher_used' not in r['metrics'] for r in records
               if r['method'] == 'linked_no_kd')
    transfer_suite.main(argv)
    assert len(jsonl.read_text().splitlines()) == count
    transfer_suite.main(argv + ['--relation-alignment', 'none',
                                '--methods', 'student_full_kd'])
    assert any(r['method'] == 'student_full_kd_names_only'
               for r in newest_records('transfer_suite', results))
