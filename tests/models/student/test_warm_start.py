import pytest
import torch

from pyg_kgt import (JointTeacher, JointTeacherConfig, LinkSubgraph,
                     LocalStudent, LocalStudentConfig, ModelConfig)
from pyg_kgt.data import make_synthetic_multi_source_kg
from pyg_kgt.data.homogeneous_view import HomogeneousView
from pyg_kgt.models.student.warm_start import (fill_from_neighbours,
                                      message_type_map, projection)
from pyg_kgt.training import TrainingConfig

SOURCES = ['source1', 'source2']


def teacher_and_linked(num_layers: int):
    kg = make_synthetic_multi_source_kg(num_entities=200, num_values=20,
                                        num_types=6, seed=3)
    teacher = JointTeacher(JointTeacherConfig(model=ModelConfig(
        hidden_channels=16, num_layers=num_layers, dropout=0.0)))
    teacher.fit(kg.subset(SOURCES), TrainingConfig(epochs=2,
                                                   batch_size=256))
    linked = LinkSubgraph('target', SOURCES, teacher_node_index={
        s: teacher.node_index(s) for s in SOURCES})(kg.to_hetero_data())
    return teacher, linked


@pytest.fixture(scope='module')
def embeddings_only():
    return teacher_and_linked(num_layers=0)


@pytest.fixture(scope='module')
def one_layer():
    return teacher_and_linked(num_layers=1)


def build(linked, cache, width: int, warm: bool = True,
          layers: int = 0, fill: bool = False) -> LocalStudent:
    # The warm start's arithmetic, from a 2-epoch teacher that ranks the
    # target no better than chance (the default check would drop it).
    student = LocalStudent(LocalStudentConfig(
        model=ModelConfig(hidden_channels=width, num_layers=layers,
                          dropout=0.0), warm_start=warm,
        fill_unaligned=fill, teacher_check=False))
    torch.manual_seed(0)
    student.build(linked, cache)
    return student


def test_warm_student_scores_like_the_teacher_before_training(
        embeddings_only):
    teacher, linked = embeddings_only
    cache = teacher.cache_for(linked)
    student = build(linked, cache, width=16)
    assert student.warm_started['nodes'] == cache.linked_nodes.numel() > 0
    assert student.warm_started['relations'] > 0
    # Queries on aligned target entities, with target relations the
    # teacher knows: the untrained student gives the teacher's scores.
    known = cache.queries[~cache.missing][:50]
    k = cache.candidates.size(1)
    emb = student.model(student.adjacency)
    got = student.model.decoder(
        emb[known[:, 0]][:, None].expand(-1, k, -1),
        known[:, 1][:, None].expand(-1, k),
        emb[cache.candidates[:known.size(0)]])
    torch.testing.assert_close(got, cache.scores[:known.size(0)])
    cold = build(linked, cache, width=16, warm=False)
    assert cold.warm_started is None
    assert not torch.allclose(
        cold.model.encoder.embedding.weight[cache.linked_nodes],
        cache.warm_start['inputs'])


def test_relations_are_mapped_by_name_in_every_kg(embeddings_only):
    teacher, linked = embeddings_only
    mapping = teacher.cache_for(linked).warm_start['relation_map']
    names = teacher.relation_vocabulary.names
    mapped = torch.nonzero(mapping >= 0).view(-1)
    assert mapped.numel() > 0
    for g in mapped.tolist():
        assert names[int(mapping[g])] == linked.relation_names[g]
    # Every relation of every KG in the linked graph is looked up.
    used = torch.cat([linked[k].relation_index for k in linked.node_types])
    assert set(mapped.tolist()) <= set(used.tolist())


def test_layers_take_the_teachers_bases_and_edge_type_coefficients(
        one_layer):
    teacher, linked = one_layer
    cache = teacher.cache_for(linked)
    student = build(linked, cache, width=16, layers=1)
    conv = student.model.encoder.convs[0]
    tconv = teacher.model.encoder.convs[0]
    torch.testing.assert_close(conv.weight, tconv.weight)
    torch.testing.assert_close(conv.root, tconv.root)
    view = HomogeneousView.from_hetero(linked)
    types = message_type_map(cache.warm_start, view)
    r, r_t = view.num_fact_relations, teacher.graph.num_relations
    mapped = torch.nonzero(types[:r] >= 0).view(-1)
    assert torch.equal(types[r + mapped], types[mapped] + r_t)
    assert int(types[view.same_as_relation]) == 2 * r_t
    ok = torch.nonzero(types >= 0).view(-1)
    torch.testing.assert_close(conv.comp[ok], tconv.comp[types[ok]])
    assert student.warm_started == {
        'nodes': cache.linked_nodes.numel(), 'layers': 1,
        'edge_types': ok.numel(), 'relations': mapped.numel(),
        'identity_layers': 0, 'filled': 0}


def test_layers_beyond_the_teachers_depth_start_as_the_identity(one_layer):
    teacher, linked = one_layer
    cache = teacher.cache_for(linked)
    student = build(linked, cache, width=16, layers=2)
    assert student.warm_started['layers'] == 1
    assert student.warm_started['identity_layers'] == 1
    first, second = student.model.encoder.convs
    student.model.eval()
    x = student.model.encoder.embedding.weight
    h = torch.relu(first(x, student.adjacency))
    torch.testing.assert_close(second(h, student.adjacency), h)
    torch.testing.assert_close(student.model(student.adjacency), h)
    # Its basis coefficients are zero but still learn (the bases are not).
    assert not second.weight.eq(0).all()
    second(h, student.adjacency).pow(2).sum().backward()
    assert second.comp.grad.abs().sum() > 0


def test_narrower_student_starts_from_principal_directions(one_layer):
    teacher, linked = one_layer
    cache = teacher.cache_for(linked)
    inputs = cache.warm_start['inputs']
    p = projection(inputs, 8)
    assert p.shape == (16, 8)
    torch.testing.assert_close(p.t() @ p, torch.eye(8), atol=1e-5,
                               rtol=0)
    student = build(linked, cache, width=8, layers=1)
    torch.testing.assert_close(
        student.model.encoder.embedding.weight[cache.linked_nodes],
        inputs @ p)
    torch.testing.assert_close(
        student.model.distillation['feature'].projection.weight, p)
    assert student.warm_started['relations'] == 0  # widths differ
    # The warm start's feature distillation loss starts below the cold
    # one's: P keeps the most of the teacher's embeddings 8 dims can.
    def feature_loss(s):
        with torch.no_grad():
            emb = s.model.encoder.embedding.weight
            return s.model.distillation['feature'](
                emb, inputs, cache.linked_nodes)
    cold = build(linked, cache, width=8, layers=1, warm=False)
    assert feature_loss(student) < 0.5 * feature_loss(cold)
    wider = projection(inputs, 20)
    assert torch.equal(wider, torch.eye(16, 20))


def test_a_cache_without_warm_start_parameters_starts_cold_and_says_so(
        embeddings_only):
    teacher, linked = embeddings_only
    cache = teacher.cache_for(linked)
    cache.warm_start = None  # as written before warm starts existed
    with pytest.warns(RuntimeWarning, match='starts cold'):
        student = build(linked, cache, width=16)
    assert student.warm_started is None


def test_fill_from_neighbours_takes_the_started_mean_round_by_round():
    # 0 and 1 started; 2 hears 0 and 1; 3 hears only 2 (second round);
    # 4 hears nobody; 0 also hears 2, but a started row never changes.
    weight = torch.tensor([[2., 0.], [0., 4.], [9., 9.], [7., 7.],
                           [5., 5.]])
    started = torch.tensor([True, True, False, False, False])
    edge_index = torch.tensor([[0, 1, 2, 2], [2, 2, 3, 0]])
    assert fill_from_neighbours(weight, started, edge_index) == 2
    torch.testing.assert_close(weight, torch.tensor(
        [[2., 0.], [0., 4.], [1., 2.], [1., 2.], [5., 5.]]))
    assert started.tolist() == [True, True, False, False, False]


def test_fill_unaligned_starts_unaligned_target_entities_from_neighbours(
        embeddings_only):
    teacher, linked = embeddings_only
    cache = teacher.cache_for(linked)
    plain = build(linked, cache, width=16)
    student = build(linked, cache, width=16, fill=True)
    assert plain.warm_started['filled'] == 0
    filled = student.warm_started['filled']
    assert filled > 0
    before = plain.model.encoder.embedding.weight
    after = student.model.encoder.embedding.weight
    changed = torch.nonzero((before != after).any(dim=1)).view(-1)
    assert changed.numel() == filled
    # Only target entities without a teacher node change; those next to a
    # started node take their started neighbours' mean (first round).
    assert not set(changed.tolist()) & set(cache.linked_nodes.tolist())
    assert set(changed.tolist()) <= set(student.target_nodes.tolist())
    source, target = student.view.edge_index
    started = torch.zeros(student.view.num_nodes, dtype=torch.bool)
    started[cache.linked_nodes] = True
    first = target[started[source] & ~started[target]].unique()
    assert first.numel() > 0
    for node in first[:5].tolist():
        heard = source[(target == node) & started[source]]
        torch.testing.assert_close(after[node], after[heard].mean(dim=0))
