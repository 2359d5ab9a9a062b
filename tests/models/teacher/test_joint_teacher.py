import pytest
import torch

from pyg_kgt.data import make_synthetic_multi_source_kg
from pyg_kgt.errors import ConfigError, DataFormatError
from pyg_kgt.models import JointTeacher, JointTeacherConfig, ModelConfig
from pyg_kgt.training import TrainingConfig


@pytest.fixture(scope='module')
def sources():
    kg = make_synthetic_multi_source_kg(num_entities=300, num_values=20,
                                        num_types=6, seed=1)
    return kg.subset(['source1', 'source2', 'source3'])


def small(linking='same_as') -> JointTeacher:
    return JointTeacher(JointTeacherConfig(
        model=ModelConfig(hidden_channels=16, dropout=0.0), linking=linking))


@pytest.mark.parametrize('linking', ['same_as', 'merge'])
def test_fit_evaluate_and_save_load_identical(sources, tmp_path, linking):
    teacher = small(linking)
    history = teacher.fit(sources, TrainingConfig(epochs=4, batch_size=256,
                                                  eval_every=2))
    assert 'val_mrr' in history[1]
    before = teacher.evaluate(sources, names=['source2'])
    teacher.save(str(tmp_path / 't'))
    loaded = JointTeacher.load(str(tmp_path / 't'))
    after = loaded.evaluate(sources, names=['source2'])
    assert before == after
    assert torch.equal(teacher.embeddings(), loaded.embeddings())
    assert loaded.vocabularies['entities']['source1'][:3] == \
        sources['source1'].entity_names[:3]
    assert 'JointTeacher(sources=' in repr(loaded)
    # One source as a TrainedModel ranks exactly as the teacher does.
    model = loaded.trained_model('source2')
    assert model.evaluate(sources['source2']) == after['source2']
    with pytest.raises(ConfigError, match="unknown KG 'nope'"):
        loaded.trained_model('nope')


@pytest.mark.parametrize('shared', ['auto', False])
def test_trained_model_names_each_kgs_own_relations(shared):
    from pyg_kgt.data import AlignmentLinks, KnowledgeGraph, MultiSourceKG
    a = KnowledgeGraph('a', ['a0', 'a1', 'a2'], ['p', 'q'],
                       torch.tensor([[0, 0, 1], [1, 1, 2]]))
    b = KnowledgeGraph('b', ['b0', 'b1'], ['r', 'p'],
                       torch.tensor([[0, 0, 1], [1, 1, 0]]))
    kg = MultiSourceKG([a, b], [AlignmentLinks(
        'a', 'b', torch.tensor([[1, 0]]), torch.tensor([[2, 1]]))], shared)
    teacher = small()
    teacher.build(kg)
    assert teacher.trained_model('a').relation_names == ['p', 'q']
    model = teacher.trained_model('b')
    assert model.relation_names == ['r', 'p']
    expected = [2, 0] if shared == 'auto' else [2, 3]
    assert model.relation_index.tolist() == expected
    assert [n for n, _ in model.predict_tails('b0', 'p', k=2)] != []


def test_format_1_teachers_load_and_newer_ones_are_refused(tmp_path):
    import json

    from pyg_kgt.data import AlignmentLinks, KnowledgeGraph, MultiSourceKG
    a = KnowledgeGraph('a', ['a0', 'a1'], ['p', 'q'],
                       torch.tensor([[0, 0, 1], [1, 1, 0]]))
    b = KnowledgeGraph('b', ['b0', 'b1'], ['r'], torch.tensor([[0, 0, 1]]))
    kg = MultiSourceKG([a, b], [AlignmentLinks(
        'a', 'b', torch.tensor([[1, 0]]))], shared_relations=False)
    teacher = small()
    teacher.build(kg)
    teacher.save(str(tmp_path))
    meta = json.loads((tmp_path / 'config.json').read_text())
    # Format 1 kept the global (namespaced) names and one offset per KG.
    vocab = json.loads((tmp_path / 'vocabularies.json').read_text())
    vocab['relations'] = ['a:p', 'a:q', 'b:r']
    vocab['relation_offset'] = {'a': 0, 'b': 2}
    (tmp_path / 'vocabularies.json').write_text(json.dumps(vocab))
    (tmp_path / 'config.json').write_text(json.dumps(
        dict(meta, format_version=1)))
    model = JointTeacher.load(str(tmp_path)).trained_model('b')
    assert model.relation_names == ['r']
    assert model.relation_index.tolist() == [2]
    (tmp_path / 'config.json').write_text(json.dumps(
        dict(meta, format_version=3)))
    with pytest.raises(DataFormatError, match='format_version 3 is newer'):
        JointTeacher.load(str(tmp_path))


def test_alignment_evaluation(sources):
    teacher = small()
    teacher.fit(sources, TrainingConfig(epochs=3, batch_size=256))
    links = sources.alignments[('source1', 'source2')]
    result = teacher.evaluate_alignment(links.test, 'source1', 'source2')
    assert 0 <= result['hits1'] <= result['hits10'] <= 1
    assert result['num_pairs'] == links.test.size(0)
    # Every pair of the teacher's KGs with held-out pairs, and none once
    # every seed pair trains.
    held_out = teacher.evaluate_held_out_alignment(sources)
    assert set(held_out) == {'source1-source2', 'source1-source3',
                             'source2-source3'}
    assert held_out['source1-source2'] == result
    assert teacher.evaluate_held_out_alignment(
        sources.with_all_alignments()) == {}


def test_resume_after_interruption(sources, tmp_path):
    config = dict(batch_size=256, eval_every=2, checkpoint_every=1)
    full = small()
    full.fit(sources, TrainingConfig(epochs=4, **config),
             checkpoint_dir=str(tmp_path / 'full'))
    part = small()
    part.fit(sources, TrainingConfig(epochs=2, **config),
             checkpoint_dir=str(tmp_path / 'part'))
    resumed = small()
    history = resumed.fit(sources, TrainingConfig(epochs=4, **config),
                          checkpoint_dir=str(tmp_path / 'part'), resume=True)
    assert [h['epoch'] for h in history] == [1, 2, 3, 4]
    for a, b in zip(full.model.parameters(), resumed.model.parameters()):
        assert torch.equal(a, b)


def test_load_errors(tmp_path):
    with pytest.raises(DataFormatError, match='missing file'):
        JointTeacher.load(str(tmp_path))
    (tmp_path / 'config.json').write_text('{"class": "Other"}')
    with pytest.raises(DataFormatError, match='not a JointTeacher'):
        JointTeacher.load(str(tmp_path))
    with pytest.raises(ConfigError, match='linking'):
        JointTeacherConfig(linking='glue')


def test_built_at_construction_it_has_parameters_and_trains_them(sources):
    teacher = JointTeacher(JointTeacherConfig(model=ModelConfig(
        hidden_channels=16, dropout=0.0)), sources)
    params = list(teacher.parameters())
    assert params and all(p.requires_grad for p in params)
    before = [p.detach().clone() for p in params]
    optimizer = torch.optim.SGD(teacher.parameters(), lr=0.1)  # outside
    teacher.fit(sources, TrainingConfig(epochs=2, batch_size=256))
    # Trained in place: the same tensors (an outside optimiser still holds
    # them), with new values.
    assert all(a is b for a, b in zip(params, teacher.parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(before, params))
    assert optimizer.param_groups[0]['params'][0] is params[0]
    with pytest.raises(ConfigError, match='built with'):
        teacher.fit(sources, TrainingConfig(epochs=1,
                                            loss='negative-sampling'))
