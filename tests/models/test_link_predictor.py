import pytest
import torch

from pyg_kgt.models import LinkPredictor, ModelConfig
from pyg_kgt.nn import DistMult, RGCNEncoder


def test_scorer_restricts_candidates():
    model = ModelConfig(hidden_channels=8, decoder='distmult').build(5, 2)
    edge_index = torch.tensor([[0, 1], [1, 2]])
    adjacency = model.encoder.adjacency(edge_index, torch.tensor([0, 1]))
    embeddings = model(adjacency)
    scores = model.scorer(embeddings, candidates=torch.tensor([1, 3]))(
        torch.tensor([0]), torch.tensor([1]), 'tail')
    full = model.scorer(embeddings)(torch.tensor([0]), torch.tensor([1]),
                                    'tail')
    assert torch.allclose(scores, full[:, [1, 3]])
    assert 'LinkPredictor(encoder=RGCNEncoder(5, 8' in repr(model)


def test_width_mismatch_is_an_error():
    with pytest.raises(ValueError, match='encoder width 4 != decoder width'):
        LinkPredictor(RGCNEncoder(3, 4, 1), DistMult(1, 8))
