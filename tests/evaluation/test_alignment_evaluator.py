import pytest
import torch

from pyg_kgt.evaluation import evaluate_alignment


def test_perfect_and_shuffled_alignment():
    torch.manual_seed(0)
    source = torch.randn(6, 4)
    pairs = torch.tensor([[0, 2], [1, 0], [2, 1]])
    target = torch.randn(3, 4)
    target[pairs[:, 1]] = source[pairs[:, 0]]
    result = evaluate_alignment(source, target, pairs)
    assert result['hits1'] == 1.0 and result['mrr'] == 1.0
    assert result['candidates'] == 'test'
    assert evaluate_alignment(source, target, pairs, csls_k=2)['hits1'] == 1
    wrong = evaluate_alignment(source, target, pairs[:, [0]].repeat(1, 2)
                               .clamp(max=2))
    assert wrong['hits1'] < 1.0


def test_candidates_all_and_ties():
    source = torch.ones(2, 3)
    target = torch.ones(4, 3)
    result = evaluate_alignment(source, target, torch.tensor([[0, 1]]),
                                candidates='all')
    assert result['mr'] == pytest.approx(2.5)  # four-way tie
    with pytest.raises(ValueError):
        evaluate_alignment(source, target, torch.tensor([[0, 1]]), 'some')
