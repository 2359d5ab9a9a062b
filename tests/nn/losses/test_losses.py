import math

import pytest
import torch
import torch.nn.functional as F

from pyg_kgt.nn.losses import (OneToNCrossEntropyLoss,
                               SelfAdversarialNegativeSamplingLoss)


def test_one_to_n_cross_entropy_with_label_smoothing():
    scores = torch.tensor([[2.0, 0.0, 0.0]])
    target = torch.tensor([0])
    plain = OneToNCrossEntropyLoss(0.0)(scores, target)
    expected = -math.log(math.exp(2) / (math.exp(2) + 2))
    assert plain.item() == pytest.approx(expected, rel=1e-5)
    smooth = OneToNCrossEntropyLoss(0.3)(scores, target)
    assert smooth.item() > plain.item()
    assert repr(OneToNCrossEntropyLoss(0.1)) == (
        'OneToNCrossEntropyLoss(label_smoothing=0.1)')


@pytest.mark.parametrize('smoothing', [0.0, 0.1, 0.5])
def test_one_to_n_cross_entropy_matches_torch(smoothing):
    torch.manual_seed(0)
    scores = torch.randn(7, 11, dtype=torch.double, requires_grad=True)
    target = torch.randint(11, (7,))
    ours = OneToNCrossEntropyLoss(smoothing)(scores, target)
    (grad,) = torch.autograd.grad(3 * ours, scores)
    ref = F.cross_entropy(scores, target, label_smoothing=smoothing)
    (ref_grad,) = torch.autograd.grad(3 * ref, scores)
    assert torch.allclose(ours, ref) and torch.allclose(grad, ref_grad)
    # The forward's buffer becomes the gradient: a second backward through
    # the same graph is refused rather than wrong.
    loss = OneToNCrossEntropyLoss(smoothing)(scores, target)
    loss.backward(retain_graph=True)
    with pytest.raises(RuntimeError, match='once per forward'):
        loss.backward()


def test_one_to_n_cross_entropy_rejects_bad_smoothing():
    with pytest.raises(ValueError, match='label_smoothing'):
        OneToNCrossEntropyLoss(1.5)


def test_self_adversarial_loss_formula_and_gradient():
    loss_fn = SelfAdversarialNegativeSamplingLoss(margin=1.0, temperature=0.0)
    pos = torch.tensor([0.5], requires_grad=True)
    neg = torch.tensor([[-1.0, 0.0]], requires_grad=True)
    loss = loss_fn(pos, neg)
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    expected = -math.log(sig(1.5)) - 0.5 * (math.log(sig(0.0)) +
                                            math.log(sig(-1.0)))
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    loss.backward()
    assert pos.grad.item() < 0 and (neg.grad > 0).all()
    # Harder negatives get more weight with a positive temperature.
    weighted = SelfAdversarialNegativeSamplingLoss(1.0, 5.0)
    neg2 = torch.tensor([[-3.0, 2.0]], requires_grad=True)
    weighted(torch.tensor([0.0]), neg2).backward()
    assert neg2.grad[0, 1] > neg2.grad[0, 0]
