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


def _renamed_target_kg():
    r"""The embedded world (small) with every target relation renamed, so
    no relation name is shared between the target and the sources."""
    import dataclasses

    from pyg_kgt.data import MultiSourceKG
    kg = make_synthetic_multi_source_kg(num_entities=1500, num_values=30,
                                        num_relations=6, num_types=6)
    target = kg[TARGET]
    renamed = dataclasses.replace(target, relation_names=[
        f'renamed_{name}' for name in target.relation_names])
    return MultiSourceKG([renamed] + [kg[s] for s in SOURCES],
                         list(kg.alignments.values()))


def test_relations_named_differently_are_inferred_and_used():
    from pyg_kgt.models import JointTeacher, JointTeacherConfig, ModelConfig
    from pyg_kgt.pipeline import infer_relations, link_target
    from pyg_kgt.training import TrainingConfig
    kg = _renamed_target_kg()
    teacher = JointTeacher(JointTeacherConfig(model=ModelConfig(
        hidden_channels=8)))
    teacher.fit(kg.subset(list(SOURCES)), TrainingConfig(epochs=1))
    matches, aliases = infer_relations(kg, TARGET, teacher, 'auto')
    # Every renamed relation finds its original name, its best match.
    assert aliases == {name: name[len('renamed_'):]
                       for name in kg[TARGET].relation_names}
    linked = link_target(kg, TARGET, teacher, relation_matches=matches)
    assert linked.relation_matches.size(0) >= len(aliases)
    names_only = link_target(kg, TARGET, teacher)
    assert names_only.relation_matches.numel() == 0
    from pyg_kgt.models.student.transferred_facts import transferred_triples
    target_relations = linked[TARGET].relation_index

    def transferred(graph):
        return transferred_triples(graph, 0, target_relations,
                                   kg[TARGET].train)
    assert transferred(names_only).numel() == 0
    facts = transferred(linked)
    assert facts.size(0) > 0
    assert set(facts[:, 1].tolist()) <= set(target_relations.tolist())
    # Prediction KD asks the teacher about the target's queries only when
    # the relations are matched.
    with pytest.warns(RuntimeWarning, match='no counterpart'):
        cold = teacher.cache_for(names_only, top_k=4)
    cache = teacher.cache_for(linked, top_k=4, relation_aliases=aliases)
    assert cache.queries.size(0) > cold.queries.size(0)
    assert infer_relations(kg, TARGET, teacher, None) == ([], None)
