import math

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


def _one_to_n_setup(num_nodes=60, width=8):
    from pyg_kgt.training.triple_group import TripleGroup
    torch.manual_seed(0)
    model = LinkPredictor(RGCNEncoder(num_nodes, width, num_relations=3,
                                      num_layers=0), DistMult(3, width))
    triples = torch.stack([torch.randint(num_nodes, (32,)),
                           torch.randint(3, (32,)),
                           torch.randint(num_nodes, (32,))], dim=1)
    group = TripleGroup.create(triples, num_nodes)
    return model, model.encoder.embedding.weight, triples, group


def test_sampled_one_to_n_is_the_full_loss_from_every_candidate():
    model, emb, batch, group = _one_to_n_setup()
    full = model.one_to_n_loss(emb, batch, group, 0.1)
    # K >= N: the exact loss over all candidates.
    torch.testing.assert_close(
        model.one_to_n_loss(emb, batch, group, 0.1, num_candidates=60), full)
    # K < N: the log(N/K) correction makes the sample stand for all N, so
    # averaged over draws the sampled loss is close to the full one.
    torch.manual_seed(1)
    with torch.no_grad():
        sampled = torch.stack([model.one_to_n_loss(
            emb, batch, group, 0.0, num_candidates=20) for _ in range(200)])
        exact = model.one_to_n_loss(emb, batch, group, 0.0)
    assert abs(float(sampled.mean()) - float(exact)) < 0.05 * float(exact)
    # Without the shift it would sit log(N/K) = log 3 lower.
    assert float(exact) - float(sampled.mean()) < 0.5 * math.log(3)


def test_training_with_sampled_candidates_lowers_the_full_loss():
    model, emb, batch, group = _one_to_n_setup()
    before = float(model.one_to_n_loss(emb, batch, group, 0.0))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(50):
        optimizer.zero_grad()
        model.one_to_n_loss(model.encoder.embedding.weight, batch, group,
                            0.1, num_candidates=10).backward()
        optimizer.step()
    after = float(model.one_to_n_loss(model.encoder.embedding.weight,
                                      batch, group, 0.0))
    assert after < 0.7 * before


def test_the_model_owns_its_loss_and_the_step_takes_the_extra_term():
    from pyg_kgt.errors import ConfigError
    from pyg_kgt.models import TaskLoss
    from pyg_kgt.training import TrainingConfig
    from pyg_kgt.training.triple_group import TripleGroup
    loss = TaskLoss.from_training(TrainingConfig(
        loss='negative-sampling', num_negatives=4, margin=2.0))
    assert loss == TaskLoss('negative-sampling', 0.1, None, 4, 2.0, 1.0)
    model = ModelConfig(hidden_channels=8).build(6, 2, loss=loss)
    assert model.loss is loss and repr(model).endswith(
        'loss=negative-sampling)')
    assert ModelConfig(hidden_channels=8).build(6, 2).loss == TaskLoss()
    with pytest.raises(ConfigError, match="loss: unknown value 'x'"):
        TaskLoss('x')
    triples = torch.tensor([[0, 0, 1], [2, 1, 3], [4, 0, 5]])
    adjacency = model.encoder.adjacency(triples[:, [0, 2]].t(),
                                        triples[:, 1], 6)
    group = TripleGroup.create(triples, 6)
    torch.manual_seed(0)
    task = model.training_loss(adjacency, triples, group)
    calls = []

    def extra(m, embeddings, messages, batch):
        calls.append(batch.size(0))
        return embeddings.sum() * 0.0 + 1.5
    torch.manual_seed(0)
    total = model.training_loss(adjacency, triples, group, extra_loss=extra)
    assert calls == [3]
    torch.testing.assert_close(total, task + 1.5)
    assert not hasattr(model, 'extra_loss')  # never an attribute


def test_tail_candidates_are_scored_unshifted_and_missing_ones_drawn():
    model, emb, batch, group = _one_to_n_setup()
    extra = torch.full((batch.size(0), 3), -1, dtype=torch.long)
    extra[:, 0] = 7  # one chosen tail for every triple, two to draw
    emb = emb.detach().requires_grad_()
    torch.manual_seed(0)
    loss = model.one_to_n_loss(emb, batch, group, 0.1, num_candidates=10,
                               tail_candidates=extra)
    loss.backward()
    assert torch.isfinite(loss) and emb.grad[7].abs().sum() > 0
    # Chosen tails that score high raise the loss: they are negatives.
    with torch.no_grad():
        h, r = batch[:, 0], batch[:, 1]
        scores = model.decoder(emb[h], r, emb[7].expand(len(h), -1))
        strong = emb.clone()
        strong[7] = strong[7] * 50
        torch.manual_seed(0)
        base = model.one_to_n_loss(emb, batch, group, 0.0, 10, extra[:, :1])
        torch.manual_seed(0)
        boosted = model.one_to_n_loss(strong, batch, group, 0.0, 10,
                                      extra[:, :1])
    assert float(scores.abs().sum()) > 0 and float(boosted) > float(base)
    # Ignored by the full loss, which scores every candidate anyway.
    torch.testing.assert_close(
        model.one_to_n_loss(emb, batch, group, 0.1, tail_candidates=extra),
        model.one_to_n_loss(emb, batch, group, 0.1))
