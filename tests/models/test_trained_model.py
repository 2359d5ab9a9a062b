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


def _model(kg, index=(0, 1)):
    torch.manual_seed(0)
    config = ModelConfig(hidden_channels=4, decoder='distmult')
    decoder = build_decoder('distmult', max(index) + 1, 4)
    return TrainedModel.from_embeddings(kg, torch.randn(4, 4), config,
                                        decoder, list(index),
                                        {'kind': 'test'})


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


def test_predict_heads_and_leave_out_known_facts():
    kg = _kg()
    model = _model(kg)
    heads = model.predict('c', 'likes', side='head', k=4)
    emb = model.embeddings
    rel = model.decoder.relation_embedding.weight[0]
    expected = (emb * rel * emb[2]).sum(-1)
    order = torch.argsort(expected, descending=True).tolist()
    assert [n for n, _ in heads] == [['a', 'b', 'c', 'd'][i] for i in order]
    # (b, likes, c) is a training fact: dropped with known=, not otherwise.
    filtered = model.predict('c', 'likes', side='head', k=4, known=kg)
    assert 'b' in [n for n, _ in heads]
    assert [n for n, _ in filtered] == [n for n, _ in heads if n != 'b']
    with pytest.raises(ConfigError, match="side: use 'head' or 'tail'"):
        model.predict('c', 'likes', side='both')


def test_unknown_names_get_close_matches():
    model = _model(_kg())
    with pytest.raises(ConfigError, match=r"unknown relation 'like'.*likes"):
        model.predict_tails('a', 'like')
    with pytest.raises(ConfigError, match="unknown entity 'z'"):
        model.predict_tails('z', 'likes')


def test_save_load_round_trip_keeps_scores(tmp_path):
    kg = _kg()
    model = _model(kg, index=(4, 2))
    model.save(str(tmp_path / 'm'))
    loaded = TrainedModel.load(str(tmp_path / 'm'))
    assert loaded.info == {'kind': 'test'}
    assert loaded.relation_index.tolist() == [4, 2]
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
    model = _model(_kg(names=('a', 'b\tx', 'c', 'd')), index=(2, 0))
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
    assert np.allclose(relation, weight[[2, 0]].numpy())
    saved = torch.load(tmp_path / 'embeddings.pt', weights_only=True)
    assert saved['relation_names'] == ['likes', 'knows']
    with pytest.raises(ConfigError, match='unknown'):
        model.export(str(tmp_path / 'no'), ['csv'])


def _edit_meta(folder, **changes):
    import json
    path = folder / 'model.json'
    meta = json.loads(path.read_text())
    meta.update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del meta[key]
    path.write_text(json.dumps(meta))


def test_format_versions_newer_refused_older_read(tmp_path):
    kg = _kg()
    model = _model(kg, index=(3, 4))
    model.save(str(tmp_path / 'm'))
    _edit_meta(tmp_path / 'm', format_version=99)
    with pytest.raises(DataFormatError,
                       match='format_version 99 is newer.*upgrade'):
        TrainedModel.load(str(tmp_path / 'm'))
    # Format 1 kept an offset: relation r was decoder relation offset + r.
    _edit_meta(tmp_path / 'm', format_version=1, relation_index=None,
               relation_offset=3)
    loaded = TrainedModel.load(str(tmp_path / 'm'))
    assert loaded.relation_index.tolist() == [3, 4]
    assert loaded.evaluate(kg) == model.evaluate(kg)


def test_files_respect_the_umask(tmp_path):
    import os
    old = os.umask(0o022)
    try:
        _model(_kg()).save(str(tmp_path / 'm'))
    finally:
        os.umask(old)
    mode = os.stat(tmp_path / 'm' / 'weights.pt').st_mode & 0o777
    assert mode == 0o644
