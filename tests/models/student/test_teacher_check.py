import math

import pytest
import torch

from pyg_kgt.models import TeacherCache
from pyg_kgt.models.student.teacher_check import TeacherCheck


def cache(agreement, queries, missing=None):
    n = len(agreement)
    return TeacherCache(
        linked_nodes=torch.arange(4), embeddings=torch.zeros(4, 2),
        messages=[], queries=torch.tensor(queries),
        candidates=torch.zeros(n, 1, dtype=torch.long),
        scores=torch.zeros(n, 1), agreement=torch.tensor(agreement),
        missing=None if missing is None else torch.tensor(missing))


def test_agreement_against_chance_by_hand():
    # Query (0, 1) has 2 known tails, (2, 1) one; P = 10 rankable tails.
    known = torch.tensor([[0, 1, 5], [0, 1, 6], [2, 1, 7], [3, 0, 8]])
    check = TeacherCheck.from_cache(
        cache([0.6, 0.2, 0.9], [[0, 1], [2, 1], [3, 1]],
              [False, False, True]), known, 10)
    assert check.num_queries == 2  # the teacher-only query is not judged
    assert check.agreement == pytest.approx(0.4)
    assert check.chance == pytest.approx((0.2 + 0.1) / 2)
    std = torch.tensor([0.6, 0.2], dtype=torch.float64).std().item()
    assert check.stderr == pytest.approx(std / math.sqrt(2))
    # 0.25 above chance, under 3 standard errors (0.28) of two queries.
    assert not check.passed
    assert 'against 0.1500 by chance' in str(check)


def test_a_teacher_above_chance_passes_and_one_at_zero_fails():
    known = torch.stack([torch.arange(50), torch.zeros(50, dtype=torch.long),
                         torch.arange(50) + 1], dim=1)
    queries = [[i, 0] for i in range(50)]
    good = TeacherCheck.from_cache(
        cache([0.5 + 0.01 * (i % 3) for i in range(50)], queries), known, 100)
    assert good.passed and good.chance == pytest.approx(0.01)
    wrong = TeacherCheck.from_cache(cache([0.0] * 50, queries), known, 100)
    assert not wrong.passed
    # Nothing to judge on (an old cache, no query): it passes.
    old = cache([0.0] * 50, queries)
    old.agreement = None
    assert TeacherCheck.from_cache(old, known, 100).passed
