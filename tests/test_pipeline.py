import pytest

from pyg_kgt.data import make_synthetic_multi_source_kg
from pyg_kgt.demo import (SOURCES, STUDENT, TARGET, TEACHER, demo_training,
                          student_training)
from pyg_kgt.pipeline import pretrain_teacher, run_transfer

# Filtered test MRR on the embedded default, seeds 0 / 1 / 2 (measured
# 2026-11-25): full KD 0.405 / 0.380 / 0.400, target alone 0.091 / 0.089 /
# 0.073, linked without KD 0.092 / 0.078 / 0.070. The smallest gap is 0.29;
# the asserted margin leaves room for platform noise. One seed keeps CI
# time down (~100 s).
MARGIN = 0.15


@pytest.mark.slow
def test_student_beats_its_no_teacher_twins_on_the_default():
    seed = 0
    kg = make_synthetic_multi_source_kg(seed=seed)
    teacher = pretrain_teacher(kg, SOURCES, TEACHER, demo_training(seed))
    results = run_transfer(kg, TARGET, teacher, STUDENT,
                           student_training(seed))
    mrr = {m: r['test']['filtered']['metrics']['mrr']
           for m, r in results.items()}
    hits1 = {m: r['test']['filtered']['metrics']['hits1']
             for m, r in results.items()}
    assert mrr['student_full_kd'] > mrr['single_kg_rgcn'] + MARGIN
    assert mrr['student_full_kd'] > mrr['linked_no_kd'] + MARGIN
    assert hits1['student_full_kd'] > hits1['single_kg_rgcn']


def test_unknown_method_is_an_error():
    kg = make_synthetic_multi_source_kg(num_entities=100, num_values=10,
                                        num_types=4)
    with pytest.raises(ValueError, match='unknown method'):
        run_transfer(kg, TARGET, None, STUDENT, demo_training(),
                     methods=['magic'])
