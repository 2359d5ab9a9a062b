import pytest
import torch

from pyg_kgt import (JointTeacher, JointTeacherConfig, LinkSubgraph,
                     LocalStudent, LocalStudentConfig, ModelConfig)
from pyg_kgt.data import make_synthetic_multi_source_kg
from pyg_kgt.models import TeacherCache
from pyg_kgt.training import TrainingConfig

SOURCES = ['source1', 'source2', 'source3']


@pytest.fixture(scope='module')
def setup():
    kg = make_synthetic_multi_source_kg(num_entities=300, num_values=20,
                                        num_types=6, seed=1)
    teacher = JointTeacher(JointTeacherConfig(
        model=ModelConfig(hidden_channels=16, num_layers=2, dropout=0.0)))
    teacher.fit(kg.subset(SOURCES), TrainingConfig(epochs=3,
                                                   batch_size=256))
    linked = LinkSubgraph('target', SOURCES, teacher_node_index={
        s: teacher.node_index(s) for s in SOURCES})(kg.to_hetero_data())
    return kg, teacher, linked


def student(**weights) -> LocalStudent:
    return LocalStudent(LocalStudentConfig(
        model=ModelConfig(hidden_channels=8, dropout=0.0), **weights))


def test_student_trains_with_teacher_and_never_updates_it(setup):
    _, teacher, linked = setup
    before = [p.detach().clone() for p in teacher.model.parameters()]
    for p in teacher.model.parameters():
        p.grad = None
    s = student()
    history = s.fit(linked, teacher, TrainingConfig(epochs=2,
                                                    batch_size=128))
    assert len(history) == 2
    assert set(s.model.distillation) == {'feature', 'network', 'prediction'}
    # Student width 8, teacher 16: learnable projections were trained.
    proj = s.model.distillation['feature'].projection.weight
    assert proj.shape == (16, 8)
    for p, b in zip(teacher.model.parameters(), before):
        assert p.grad is None and torch.equal(p, b)
    result = s.evaluate()
    assert set(result) == {'filtered', 'lifted', 'lifted_trainval'}
    assert "LocalStudent(target='target'" in repr(s)


def test_cached_teacher_round_trip_gives_same_student(setup, tmp_path):
    _, teacher, linked = setup
    teacher.cache_for(linked, path=str(tmp_path / 'cache.pt'))
    cache = TeacherCache.load(str(tmp_path / 'cache.pt'))
    assert cache.num_teacher_layers == 2 and cache.teacher_channels == 16
    a, b = student(), student()
    a.fit(linked, teacher, TrainingConfig(epochs=2, batch_size=128))
    b.fit(linked, cache, TrainingConfig(epochs=2, batch_size=128))
    # Same up to float rounding: BLAS kernels may round differently with
    # the tensors' memory alignment (measured: 6e-8).
    for p, q in zip(a.model.parameters(), b.model.parameters()):
        assert torch.allclose(p, q, rtol=0, atol=1e-6)


def test_each_level_can_be_switched_off(setup):
    _, teacher, linked = setup
    cache = teacher.cache_for(linked)
    s = student(feature_weight=0.0, network_weight=0.0,
                prediction_weight=0.0)
    s.build(linked, cache)
    embeddings, messages = s.model.encoder(s.adjacency, return_messages=True)
    loss = s._distillation_loss(cache)
    assert loss(s.model, embeddings, messages, None).item() == 0.0
    for level in ('feature', 'network', 'prediction'):
        setattr(s.config, f'{level}_weight', 1.0)
        assert loss(s.model, embeddings, messages, None).item() > 0
        setattr(s.config, f'{level}_weight', 0.0)


def test_relations_the_teacher_does_not_know_get_no_prediction_kd(setup):
    kg, teacher, linked = setup
    linked = linked.clone()
    names = list(linked['target'].relation_names)
    renamed = int(linked['target', 'fact', 'target'].edge_type[0])
    names[renamed] = 'a relation no source has'
    linked['target'].relation_names = names
    with pytest.warns(RuntimeWarning, match='no counterpart the teacher'):
        cache = teacher.cache_for(linked)
    assert cache.queries.numel() and renamed not in cache.queries[:, 1]


def test_prediction_trust_weights_queries_by_agreement(setup):
    _, teacher, linked = setup
    cache = teacher.cache_for(linked)
    # Cold: a warm student already agrees with the teacher (a loss near 0
    # would leave only rounding to compare).
    s = student(feature_weight=0.0, network_weight=0.0, warm_start=False)
    s.build(linked, cache)
    embeddings, messages = s.model.encoder(s.adjacency, return_messages=True)
    loss = s._distillation_loss(cache)

    def value(agreement, trust):
        s.config.prediction_trust = trust
        cache.agreement = agreement
        torch.manual_seed(0)  # the same queries each time
        return loss(s.model, embeddings, messages, None).item()
    agreement = cache.agreement
    uniform = value(agreement, 'uniform')
    assert value(torch.ones_like(agreement), 'agreement') == pytest.approx(
        uniform)
    assert value(torch.zeros_like(agreement), 'agreement') == 0.0
    assert 0 < value(agreement, 'agreement') < uniform
    assert value(None, 'agreement') == pytest.approx(uniform)  # old cache
    cache.agreement = agreement


def test_prediction_queries_choose_which_cached_queries_are_distilled(
        setup):
    _, teacher, linked = setup
    cache = teacher.cache_for(linked)
    assert bool(cache.missing.any()) and bool((~cache.missing).any())
    s = student(feature_weight=0.0, network_weight=0.0,
                prediction_batch_size=4)
    s.build(linked, cache)
    asked = []
    s.model.distillation['prediction'].register_forward_hook(
        lambda module, args, kwargs_out: asked.append(args[1]))
    embeddings, messages = s.model.encoder(s.adjacency, return_messages=True)
    loss = s._distillation_loss(cache)
    missing_scores = cache.scores[cache.missing]
    for _ in range(20):
        loss(s.model, embeddings, messages, None)
    assert any(bool((row == missing_scores).all(1).any())
               for batch in asked for row in batch)
    s.config.prediction_queries = 'target'
    asked.clear()
    loss = s._distillation_loss(cache)
    for _ in range(20):
        loss(s.model, embeddings, messages, None)
    known_scores = cache.scores[~cache.missing]
    assert all(bool((row == known_scores).all(1).any())
               for batch in asked for row in batch)


def test_train_on_linked_adds_one_group_per_source(setup):
    _, teacher, linked = setup
    s = student(train_on='linked')
    s.build(linked, None)
    groups = s._source_groups(linked)
    assert [g.name for g in groups] == SOURCES
    for g in groups:
        store = linked[g.name, 'fact', g.name]
        assert g.triples.size(0) == store.edge_index.size(1)
        offset = s.view.node_offset[g.name]
        # Heads and tails are that source's nodes; relations global ids.
        assert bool((s.view.node_type[g.triples[:, 0]] ==
                     s.view.node_types.index(g.name)).all())
        assert torch.equal(g.triples[:, 1], store.edge_type)
        assert g.candidates.min() == offset
    history = s.fit(linked, teacher, TrainingConfig(epochs=1,
                                                    batch_size=128))
    assert len(history) == 1


def test_transferred_triples_restate_aligned_source_facts(setup):
    _, teacher, linked = setup
    s = student(train_on='transferred')
    s.build(linked, None)
    got = {tuple(t) for t in s.transferred_triples(linked).tolist()}
    # Reference, one fact at a time: both ends aligned, a relation the
    # target has, not one of its training facts.
    offset = s.view.node_offset['target']
    relations = set(s.relation_index.tolist())
    train = s.target_kg.train
    own = {(h + offset, int(s.relation_index[r]), t + offset)
           for h, r, t in train.tolist()}
    expected = set()
    for name in SOURCES:
        pairs = linked['target', 'same_as', name].edge_index.t().tolist()
        to_target = {b: a for a, b in pairs}
        store = linked[name, 'fact', name]
        for (h, t), r in zip(store.edge_index.t().tolist(),
                             store.edge_type.tolist()):
            if h in to_target and t in to_target and r in relations:
                expected.add((to_target[h] + offset, r,
                              to_target[t] + offset))
    expected -= own
    assert got == expected and len(got) > 0
    history = s.fit(linked, teacher, TrainingConfig(epochs=1,
                                                    batch_size=128))
    assert len(history) == 1


def test_built_at_construction_it_has_parameters_and_trains_them(setup):
    _, teacher, linked = setup
    cache = teacher.cache_for(linked)
    s = LocalStudent(LocalStudentConfig(model=ModelConfig(
        hidden_channels=16, dropout=0.0)), linked, cache)
    params = list(s.parameters())
    # The warm start already happened: the network starts at the teacher.
    assert params and s.warm_started is not None
    before = [p.detach().clone() for p in params]
    s.fit(linked, training=TrainingConfig(epochs=2, batch_size=256))
    assert all(a is b for a, b in zip(params, s.parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(before, params))
    assert 0.0 <= s.evaluate('test')['filtered']['metrics']['mrr'] <= 1.0
    # Another graph is built for, as before.
    other = LocalStudent(LocalStudentConfig(model=ModelConfig(
        hidden_channels=8, dropout=0.0)))
    assert list(other.parameters()) == []
    other.fit(linked, cache, TrainingConfig(epochs=1, batch_size=256))
    assert list(other.parameters())


def test_distillation_fades_at_each_plateau_and_stops_at_zero(setup):
    _, teacher, linked = setup
    cache = teacher.cache_for(linked)
    s = student(distillation_fade=0.0)
    s.fit(linked, cache, TrainingConfig(epochs=6, batch_size=128,
                                        eval_every=1, patience=10))
    vals = [r['val_mrr'] for r in s.history]
    best = [max(vals[:i + 1]) for i in range(len(vals))]
    expected, scale = [], 1.0
    for i, mrr in enumerate(vals):
        if i and mrr <= best[i - 1]:
            scale = 0.0
        expected.append(scale)
    assert s.distillation_scales == expected
    # Faded out, distillation adds nothing to the loss (and no gradient).
    fade = s.model.fade
    fade.load_state_dict({'scale': torch.tensor(0.0), 'best': fade.best})
    embeddings, messages = s.model.encoder(s.adjacency, return_messages=True)
    assert s._distillation_loss(cache)(
        s.model, embeddings, messages, None).item() == 0.0
    losses = {}
    for scale in (0.5, 1.0):  # the same queries drawn for both
        fade.load_state_dict({'scale': torch.tensor(scale),
                              'best': fade.best})
        torch.manual_seed(0)
        losses[scale] = s._distillation_loss(cache)(
            s.model, embeddings, messages, None).item()
    assert losses[1.0] > 0
    assert losses[0.5] == pytest.approx(0.5 * losses[1.0], rel=1e-6)
    # The twin without a teacher records no scale.
    twin = student(distillation_fade=0.0)
    twin.fit(linked, None, TrainingConfig(epochs=2, batch_size=128))
    assert twin.distillation_scales == []


def test_release_switches_distillation_off_where_early_stopping_would_stop(
        setup):
    _, teacher, linked = setup
    s = student(distillation_release=True)
    s.fit(linked, teacher.cache_for(linked), TrainingConfig(
        epochs=12, batch_size=128, eval_every=1, patience=1, seed=0))
    vals = [r['val_mrr'] for r in s.history]
    # Patience 1 would stop at the first validation below the best so far.
    stop = next(i for i in range(1, len(vals)) if vals[i] <= max(vals[:i]))
    assert s.distillation_scales[:stop + 1] == [1.0] * (stop + 1)
    assert s.distillation_scales[stop + 1:] == [0.0] * (len(vals) - stop - 1)
    assert len(vals) > stop + 1  # it went on without the teacher


def test_teacher_candidates_join_the_sampled_loss(setup):
    _, teacher, linked = setup
    cache = teacher.cache_for(linked)
    s = student(teacher_candidates=4)
    s.fit(linked, cache, TrainingConfig(epochs=2, batch_size=128,
                                        num_candidates=16))
    assert s.model.teacher_candidates.num_candidates == 4
    heads, relations = cache.queries[:, 0], cache.queries[:, 1]
    tails = s.model.teacher_candidates(heads, relations)
    assert (tails >= 0).any()
    # Never a known fact (the target's own or a transferred one).
    nodes, train = s.target_nodes, s.target_kg.train
    known = torch.cat([torch.stack([nodes[train[:, 0]],
                                    s.relation_index[train[:, 1]],
                                    nodes[train[:, 2]]], dim=1),
                       s.transferred_triples(linked)])
    chosen = torch.stack([heads[:, None].expand_as(tails),
                          relations[:, None].expand_as(tails), tails],
                         dim=-1)[tails >= 0]
    assert not {tuple(t) for t in chosen.tolist()} & {
        tuple(t) for t in known.tolist()}
    with pytest.raises(Exception, match='teacher_candidates'):
        LocalStudentConfig(teacher_candidates=60)


def test_a_teacher_no_better_than_chance_is_not_used(setup):
    _, teacher, linked = setup
    cache = teacher.cache_for(linked)
    training = TrainingConfig(epochs=2, batch_size=128, seed=3)
    checked = student()
    checked.fit(linked, cache, training)
    assert checked.teacher_check.passed and checked.model.distillation
    # Three epochs of teacher: weak, yet clearly above chance.
    assert checked.teacher_check.agreement > checked.teacher_check.chance
    # The same teacher with its entities wrong: it agrees with nothing.
    wrong = TeacherCache(**dict(vars(cache),
                                agreement=torch.zeros_like(cache.agreement)))
    s = student()
    with pytest.warns(RuntimeWarning, match='no better than chance'):
        s.fit(linked, wrong, training)
    assert not s.teacher_check.passed and not s.model.distillation
    twin = student()
    twin.fit(linked, None, training)
    assert twin.teacher_check is None
    assert [r['loss'] for r in s.history] == [r['loss'] for r in twin.history]
    kept = student(teacher_check=False)
    kept.fit(linked, wrong, training)
    assert kept.teacher_check is None and kept.model.distillation
