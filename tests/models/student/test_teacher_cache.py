import pytest
import torch

from pyg_kgt import JointTeacher, JointTeacherConfig, LinkSubgraph, ModelConfig
from pyg_kgt.data import AlignmentLinks, KnowledgeGraph, MultiSourceKG
from pyg_kgt.models import TeacherCache


def _kg(name, relations, seed, num=12):
    generator = torch.Generator().manual_seed(seed)
    triples = torch.stack([
        torch.randint(num, (40,), generator=generator),
        torch.randint(len(relations), (40,), generator=generator),
        torch.randint(num, (40,), generator=generator)], dim=1)
    return KnowledgeGraph(name, [f'{name}{i}' for i in range(num)],
                          relations, triples)


@pytest.fixture(scope='module')
def two_vocabularies():
    # The target and the source name their relations differently and in
    # another order; 'capital' exists in the target only, 'spouse' in the
    # source only. Relation ids of the two graphs disagree everywhere.
    source = _kg('src', ['spouse', 'born', 'died'], seed=0)
    target = _kg('tgt', ['died', 'capital', 'born'], seed=1)
    links = AlignmentLinks('tgt', 'src', torch.arange(8).repeat(2, 1).t())
    kg = MultiSourceKG([target, source], [links])
    teacher = JointTeacher(JointTeacherConfig(model=ModelConfig(
        hidden_channels=8, dropout=0.0)))
    teacher.build(kg.subset(['src']))
    linked = LinkSubgraph('tgt', ['src'], teacher_node_index={
        'src': teacher.node_index('src')})(kg.to_hetero_data())
    return teacher, linked


def test_prediction_targets_use_the_teacher_relation_of_the_same_name(
        two_vocabularies):
    teacher, linked = two_vocabularies
    with pytest.warns(RuntimeWarning, match='no counterpart the teacher'):
        cache = teacher.cache_for(linked, top_k=4)
    names = linked.relation_names
    asked = {names[r] for r in cache.queries[:, 1].tolist()}
    assert asked == {'died', 'born'}  # 'capital' has no counterpart
    teacher_id = {n: i for i, n in enumerate(
        teacher.relation_vocabulary.names)}
    embeddings = teacher.embeddings()
    target_teacher = linked['tgt'].teacher_id
    for (head, relation), candidates, scores in zip(
            cache.queries.tolist(), cache.candidates, cache.scores):
        expected = teacher.model.decoder.score_tails(
            embeddings[target_teacher[head]][None],
            torch.tensor([teacher_id[names[relation]]]),
            embeddings[target_teacher[candidates]])[0]
        assert torch.allclose(scores, expected, atol=1e-6)


def test_a_relation_alignment_maps_relations_with_other_names(
        two_vocabularies):
    teacher, linked = two_vocabularies
    cache = teacher.cache_for(linked, top_k=4,
                              relation_aliases={'capital': 'spouse'})
    names = linked.relation_names
    asked = {names[r] for r in cache.queries[:, 1].tolist()}
    assert asked == {'died', 'born', 'capital'}


def test_cache_round_trip(two_vocabularies, tmp_path):
    teacher, linked = two_vocabularies
    with pytest.warns(RuntimeWarning):
        cache = teacher.cache_for(linked, str(tmp_path / 'c.pt'), top_k=3)
    loaded = TeacherCache.load(str(tmp_path / 'c.pt'))
    assert torch.equal(loaded.scores, cache.scores)
    assert loaded.teacher_channels == 8


def test_agreement_is_the_teacher_probability_of_known_tails():
    from pyg_kgt.models.student.teacher_cache import agreement_with
    queries = torch.tensor([[0, 1], [2, 0]])
    candidates = torch.tensor([[5, 6], [5, 6]])
    scores = torch.tensor([[0.0, 0.0], [3.0, 0.0]])
    known = torch.tensor([[0, 1, 6], [2, 1, 5], [9, 0, 5]])
    agreement = agreement_with(queries, candidates, scores, known)
    # (0, 1): tail 6 is known, half the mass; (2, 0): nothing known.
    assert torch.allclose(agreement, torch.tensor([0.5, 0.0]))


def test_the_cache_carries_agreement_and_an_old_cache_loads(
        two_vocabularies, tmp_path):
    teacher, linked = two_vocabularies
    with pytest.warns(RuntimeWarning):
        cache = teacher.cache_for(linked, top_k=3)
    assert cache.agreement.shape == (cache.queries.size(0),)
    assert bool(((cache.agreement >= 0) & (cache.agreement <= 1)).all())
    old = {k: v for k, v in vars(cache).items() if k != 'agreement'}
    torch.save(old, str(tmp_path / 'old.pt'))
    assert TeacherCache.load(str(tmp_path / 'old.pt')).agreement is None


def test_missing_queries_are_teacher_facts_the_target_lacks(
        two_vocabularies):
    teacher, linked = two_vocabularies
    with pytest.warns(RuntimeWarning):
        cache = teacher.cache_for(linked, top_k=3)
    names = linked.relation_names
    target_teacher = linked['tgt'].teacher_id
    store = linked['tgt', 'fact', 'tgt']
    target_queries = set(zip(store.edge_index[0].tolist(),
                             store.edge_type.tolist()))
    graph = teacher.graph
    teacher_names = teacher.relation_vocabulary.names
    teacher_queries = {
        (h, teacher_names[r]) for h, r in zip(graph.edge_index[0].tolist(),
                                              graph.edge_type.tolist())
        if r < graph.num_relations}
    expected = {(h, r) for h in range(linked['tgt'].num_nodes)
                for r in linked['tgt'].relation_index.tolist()
                if target_teacher[h] >= 0 and
                (int(target_teacher[h]), names[r]) in teacher_queries and
                (h, r) not in target_queries}
    missing = {tuple(q) for q in cache.queries[cache.missing].tolist()}
    assert expected and missing == expected
    known = {tuple(q) for q in cache.queries[~cache.missing].tolist()}
    assert known <= target_queries
    # A missing query is trusted as much as its relation's known queries.
    for (head, relation), agreement in zip(
            cache.queries[cache.missing].tolist(),
            cache.agreement[cache.missing]):
        same = cache.agreement[~cache.missing & (cache.queries[:, 1] ==
                                                 relation)]
        assert float(agreement) == pytest.approx(
            float(same.mean()) if same.numel() else 0.0)


def test_relation_means():
    from pyg_kgt.models.student.teacher_cache import relation_means
    means = relation_means(torch.tensor([1.0, 3.0, 0.5]),
                           torch.tensor([2, 2, 0]), 4)
    assert torch.equal(means, torch.tensor([0.5, 0.0, 2.0, 0.0]))


def test_warm_start_matches_relations_by_name_not_id(two_vocabularies):
    from pyg_kgt import LocalStudent, LocalStudentConfig
    teacher, linked = two_vocabularies
    with pytest.warns(RuntimeWarning, match='no counterpart the teacher'):
        cache = teacher.cache_for(linked, top_k=4)
    names = linked.relation_names
    teacher_names = teacher.relation_vocabulary.names
    mapping = cache.warm_start['relation_map']
    assert {names[g]: teacher_names[t] for g, t in
            enumerate(mapping.tolist()) if t >= 0} == {
        'died': 'died', 'born': 'born', 'spouse': 'spouse'}
    student = LocalStudent(LocalStudentConfig(model=ModelConfig(
        hidden_channels=8, dropout=0.0), teacher_check=False))
    student.build(linked, cache)  # (a tiny teacher: keep it unchecked)
    rows = student.model.decoder.relation_embedding.weight
    teacher_rows = teacher.model.decoder.relation_embedding.weight
    conv, teacher_conv = (student.model.encoder.convs[0],
                          teacher.model.encoder.convs[0])
    for name in ('died', 'born', 'spouse'):
        g, t = names.index(name), teacher_names.index(name)
        assert torch.equal(rows[g], teacher_rows[t])
        assert torch.equal(conv.comp[g], teacher_conv.comp[t])
        assert torch.equal(conv.comp[g + len(names)],
                           teacher_conv.comp[t + len(teacher_names)])
    capital = names.index('capital')
    assert not any(torch.equal(rows[capital], row) for row in teacher_rows)
