import pytest
import torch

from pyg_kgt.models.student.teacher_candidates import TeacherCandidates


def test_keeps_the_best_wrong_tails_in_the_teachers_order():
    table = TeacherCandidates()
    queries = torch.tensor([[5, 1], [2, 0], [2, 1]])
    candidates = torch.tensor([[9, 8, 7, 6],    # (5, 1): 9 and 7 true
                               [3, 4, 5, 6],    # (2, 0): none true
                               [8, 9, 4, 3]])   # (2, 1): 8, 9, 4 true
    known = torch.tensor([[5, 1, 9], [5, 1, 7], [2, 1, 8], [2, 1, 9],
                          [2, 1, 4], [0, 0, 1]])
    table.set(queries, candidates, known, k=2, num_relations=2)
    assert table.num_candidates == 2
    found = table(torch.tensor([5, 2, 2, 0]), torch.tensor([1, 0, 1, 0]))
    assert found.tolist() == [[8, 6], [3, 4], [3, -1], [-1, -1]]


def test_empty_until_set_and_k_bounded_by_the_cache():
    table = TeacherCandidates()
    assert table.num_candidates == 0
    assert 'keys' not in table.state_dict()  # checkpoints do not change
    with pytest.raises(ValueError, match='top_k'):
        table.set(torch.tensor([[0, 0]]), torch.tensor([[1, 2]]),
                  torch.empty(0, 3, dtype=torch.long), k=3, num_relations=1)
