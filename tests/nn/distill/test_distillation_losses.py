r"""Contract tests every distillation loss must pass."""
import pytest
import torch

from pyg_kgt.nn.distill import (FeatureDistillationLoss,
                                NetworkDistillationLoss,
                                PredictionDistillationLoss, match_layers)


def cases():
    torch.manual_seed(0)
    yield ('feature', FeatureDistillationLoss(8, 8),
           lambda: torch.randn(5, 8), lambda s: s.clone())
    yield ('network', NetworkDistillationLoss(8, 8, 2, 2),
           lambda: [torch.randn(5, 8), torch.randn(5, 8)],
           lambda s: [t.clone() for t in s])
    yield ('prediction', PredictionDistillationLoss(2.0),
           lambda: torch.randn(5, 7), lambda s: s.clone())


@pytest.mark.parametrize('name, loss, make, copy', list(cases()))
def test_zero_when_equal_positive_otherwise(name, loss, make, copy):
    student = make()
    assert loss(student, copy(student)).item() == pytest.approx(0.0,
                                                                abs=1e-6)
    assert loss(student, make()).item() > 1e-4


@pytest.mark.parametrize('name, loss, make, copy', list(cases()))
def test_gradients_reach_only_the_student(name, loss, make, copy):
    student = make()
    teacher = make()
    leaves = student if isinstance(student, list) else [student]
    teachers = teacher if isinstance(teacher, list) else [teacher]
    for t in leaves + teachers:
        t.requires_grad_()
    loss(student, teacher).backward()
    assert all(t.grad is not None and t.grad.abs().sum() > 0
               for t in leaves)
    assert all(t.grad is None for t in teachers)


def test_projection_when_widths_differ_and_index():
    loss = FeatureDistillationLoss(4, 6)
    assert repr(loss) == 'FeatureDistillationLoss(4, 6)'
    student = torch.randn(10, 4, requires_grad=True)
    value = loss(student, torch.randn(3, 6), index=torch.tensor([0, 5, 9]))
    value.backward()
    assert loss.projection.weight.grad.abs().sum() > 0
    assert student.grad[[1, 2, 3]].abs().sum() == 0
    before = loss.projection.weight.detach().clone()
    loss.reset_parameters()
    assert not torch.equal(before, loss.projection.weight)


def test_layer_matching():
    assert match_layers(2, 2) == [0, 1]
    assert match_layers(1, 3) == [2]
    assert match_layers(2, 4) == [1, 3]
    assert match_layers(3, 1) == [0, 0, 0]
    net = NetworkDistillationLoss(4, 8, 1, 3)
    with pytest.raises(ValueError, match='expected 1 student and 3 teacher'):
        net([torch.randn(2, 4)], [torch.randn(2, 8)])
    assert net([torch.randn(2, 4)], [torch.randn(2, 8)] * 3).item() > 0


def test_prediction_temperature():
    loss = PredictionDistillationLoss(1.0)
    student = torch.tensor([[0.0, 0.0]])
    teacher = torch.tensor([[1.0, 0.0]])
    p = torch.softmax(teacher, -1)
    expected = (p * (p.log() - torch.log(torch.tensor([0.5, 0.5])))).sum()
    assert loss(student, teacher).item() == pytest.approx(expected.item(),
                                                          rel=1e-5)
    with pytest.raises(ValueError):
        PredictionDistillationLoss(0.0)


def test_prediction_weights_scale_each_query():
    loss = PredictionDistillationLoss(1.0)
    student = torch.randn(3, 4)
    teacher = torch.randn(3, 4)
    plain = loss(student, teacher)
    assert torch.allclose(loss(student, teacher, weight=torch.ones(3)), plain)
    # Weight 0 on two queries keeps a third of the loss of the first only.
    only_first = loss(student[:1], teacher[:1]) / 3
    assert torch.allclose(loss(student, teacher,
                               weight=torch.tensor([1.0, 0.0, 0.0])),
                          only_first)
