r"""Contract tests every decoder must pass."""
import pytest
import torch

from pyg_kgt.nn.decoders import (DECODERS, ComplEx, Decoder, DistMult,
                                 RotatE, TransE, build_decoder)


@pytest.fixture(params=sorted(DECODERS))
def decoder(request) -> Decoder:
    torch.manual_seed(0)
    return build_decoder(request.param, num_relations=3, channels=8)


def test_all_candidate_scores_equal_per_triple_scores(decoder):
    torch.manual_seed(1)
    entities = torch.randn(7, 8)
    head, tail = torch.tensor([0, 3, 5]), torch.tensor([1, 2, 6])
    rel = torch.tensor([0, 2, 1])
    tails = decoder.score_tails(entities[head], rel, entities)
    heads = decoder.score_heads(rel, entities[tail], entities)
    assert tails.shape == heads.shape == (3, 7)
    for b in range(3):
        for e in range(7):
            expect_t = decoder(entities[head[b]][None], rel[b][None],
                               entities[e][None])
            expect_h = decoder(entities[e][None], rel[b][None],
                               entities[tail[b]][None])
            assert torch.allclose(tails[b, e], expect_t[0], atol=1e-4)
            assert torch.allclose(heads[b, e], expect_h[0], atol=1e-4)


def test_slicing_does_not_change_scores(decoder):
    entities = torch.randn(11, 8)
    rel = torch.tensor([0, 1])
    full = decoder.score_tails(entities[:2], rel, entities)
    sliced = decoder.score_tails(entities[:2], rel, entities, slice_size=3)
    assert torch.allclose(full, sliced, atol=1e-5)
    full = decoder.score_heads(rel, entities[:2], entities)
    sliced = decoder.score_heads(rel, entities[:2], entities, slice_size=4)
    assert torch.allclose(full, sliced, atol=1e-5)


def test_repr_reset_and_gradients(decoder):
    assert repr(decoder) == f'{type(decoder).__name__}(8, num_relations=3)'
    before = decoder.relation_embedding.weight.detach().clone()
    decoder.reset_parameters()
    assert not torch.equal(before, decoder.relation_embedding.weight)
    entities = torch.randn(4, 8, requires_grad=True)
    decoder.score_tails(entities[:2], torch.tensor([0, 1]),
                        entities).sum().backward()
    assert entities.grad.abs().sum() > 0
    assert decoder.relation_embedding.weight.grad.abs().sum() > 0


def test_known_values():
    h, t = torch.tensor([[1.0, 2.0]]), torch.tensor([[3.0, 5.0]])
    transe = TransE(1, 2)
    transe.relation_embedding.weight.data = torch.tensor([[2.0, 3.0]])
    assert transe(h, torch.tensor([0]), t).item() == pytest.approx(0.0)
    distmult = DistMult(1, 2)
    distmult.relation_embedding.weight.data = torch.tensor([[1.0, 1.0]])
    assert distmult(h, torch.tensor([0]), t).item() == pytest.approx(13.0)
    # RotatE by pi maps (1 + 2i) to (-1 - 2i).
    rotate = RotatE(1, 2)
    rotate.relation_embedding.weight.data = torch.tensor([[torch.pi]])
    assert rotate(h, torch.tensor([0]), -h).item() == pytest.approx(
        0.0, abs=1e-5)
    # ComplEx: Re(h * r * conj(t)) with h = 1+2i, r = i, t = 3+5i
    # = Re((1+2i) * i * (3-5i)) = Re((-2+i)(3-5i)) = -6 + 5 = -1.
    complex_ = ComplEx(1, 2)
    complex_.relation_embedding.weight.data = torch.tensor([[0.0, 1.0]])
    assert complex_(h, torch.tensor([0]), t).item() == pytest.approx(-1.0)


def test_odd_width_rejected_and_unknown_name():
    with pytest.raises(ValueError, match='even width'):
        RotatE(2, 5)
    with pytest.raises(ValueError, match="unknown decoder 'nope'"):
        build_decoder('nope', 1, 2)
