import numpy as np
import pytest
import torch

from pyg_kgt.data import KnowledgeGraph
from pyg_kgt.errors import ConfigError, DataFormatError
from pyg_kgt.models import ModelConfig, TrainedModel
from pyg_kgt.nn.decoders import build_decoder


def _kg(names=('a', 'b', 'c', 'd')):
    train = torch.tensor([[0, 0, 1], [1, 0, 2], [2, 1, 3]])
    return KnowledgeGraph('toy', list(names), ['likes', 'knows'], train,
                          test=torch.tensor([[0, 0, 2]]))


def _model(kg, offset=0):
    torch.manual_seed(0)
    config = ModelConfig(hidden_channels=4, decoder='distmult')
    decoder = build_decoder('distmult', offset + 2, 4)
    return TrainedModel.from_embeddings(kg, torch.randn(4, 4), config,
                                        decoder, offset, {'kind': 'test'})


def test_predict_tails_ranks_by_decoder_score():
    model = _model(_kg())
    top = model.predict_tails('a', 'knows', k=4)
    emb = model.embeddings
    rel = model.decoder.relation_embedding.weight[1]
    expected = (emb[0] * rel * emb).sum(-1)
    order = torch.argsort(expected, descending=True).tolist()
    assert [name for name, _ in top] == [['a', 'b', 'c', 'd'][i]
                                         for i in order]
    assert [s for _, s in top] == pytest.approx(
        expected[order].tolist(), rel=1e-5)
    assert len(model.predict_tails('a', 'knows', k=2)) == 2


def test_unknown_names_get_close_matches():
    model = _model(_kg())
    with pytest.raises(ConfigError, match=r"unknown relation 'like'.*likes"):
        model.predict_tails('a', 'like')
    with pytest.raises(ConfigError, match="unknown entity 'z'"):
        model.predict_tails('z', 'likes')


def test_save_load_round_trip_keeps_scores(tmp_path):
    kg = _kg()
    model = _model(kg, offset=3)
    model.save(str(tmp_path / 'm'))
    loaded = TrainedModel.load(str(tmp_path / 'm'))
    assert loaded.info == {'kind': 'test'} and loaded.relation_offset == 3
    assert loaded.predict_tails('b', 'likes') == model.predict_tails(
        'b', 'likes')
    assert loaded.evaluate(kg) == model.evaluate(kg)
    (tmp_path / 'm' / 'model.json').write_text('{"class": "Other"}')
    with pytest.raises(DataFormatError, match='not a TrainedModel'):
        TrainedModel.load(str(tmp_path / 'm'))


def test_evaluate_refuses_another_vocabulary():
    model = _model(_kg())
    with pytest.raises(ConfigError, match='does not match'):
        model.evaluate(_kg(names=('a', 'b', 'd', 'c')))


def test_export_writes_named_rows_in_every_format(tmp_path):
    model = _model(_kg(names=('a', 'b\tx', 'c', 'd')), offset=1)
    paths = model.export(str(tmp_path))
    assert sorted(p.rsplit('/', 1)[1] for p in paths) == [
        'embeddings.pt', 'entity_embeddings.npy', 'entity_embeddings.tsv',
        'relation_embeddings.npy', 'relation_embeddings.tsv']
    entity = np.load(tmp_path / 'entity_embeddings.npy')
    assert np.allclose(entity, model.embeddings.numpy())
    rows = (tmp_path / 'entity_embeddings.tsv').read_text().splitlines()
    assert [r.split('\t')[0] for r in rows] == ['a', 'b x', 'c', 'd']
    assert np.allclose([float(v) for v in rows[2].split('\t')[1:]],
                       entity[2], atol=1e-6)
    relation = np.load(tmp_path / 'relation_embeddings.npy')
    weight = model.decoder.relation_embedding.weight.detach()
    assert np.allclose(relation, weight[1:3].numpy())
    saved = torch.load(tmp_path / 'embeddings.pt', weights_only=True)
    assert saved['relation_names'] == ['likes', 'knows']
    with pytest.raises(ConfigError, match='unknown'):
        model.export(str(tmp_path / 'no'), ['csv'])
