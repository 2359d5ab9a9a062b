"""Before a student trains: does its teacher know the target better than
chance?"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from pyg_kgt.evaluation.filter_index import FilterIndex

if TYPE_CHECKING:  # pragma: no cover
    from pyg_kgt.models.student.teacher_cache import TeacherCache

#: Standard errors the teacher's mean agreement must clear above chance.
MARGIN = 3.0


@dataclass(frozen=True)
class TeacherCheck:
    r"""The teacher's agreement with the target's own training facts set
    against what a ranking by chance would give, from the teacher cache
    alone (before any student trains).

    Over the :math:`Q` target training queries :math:`q = (h, r)` the
    teacher answered, with agreement :math:`a_q`
    (:func:`~pyg_kgt.models.student.teacher_cache.agreement_with`: the
    probability its top-k softmax puts on tails known true),
    :math:`n_q` known tails and :math:`P` target entities the teacher can
    rank, a teacher that ranks at random puts :math:`n_q / P` there on
    average. The teacher passes when

    .. math::
        \bar a - \bar c > 3\, \hat\sigma_a / \sqrt{Q}, \qquad
        \bar a = \tfrac{1}{Q}\textstyle\sum_q a_q, \quad
        \bar c = \tfrac{1}{Q}\textstyle\sum_q n_q / P,

    its mean agreement is above chance by more than three standard errors.
    A teacher that fails has the target's entities wrong (e.g. it never
    learnt the seed alignment between its sources): its warm start and
    distillation would pull the student to the wrong entities, so the
    student trains without it (``LocalStudentConfig.teacher_check``).

    Attributes:
        agreement (float): :math:`\bar a`.
        chance (float): :math:`\bar c`.
        stderr (float): :math:`\hat\sigma_a / \sqrt{Q}`.
        num_queries (int): :math:`Q`.
    """
    agreement: float
    chance: float
    stderr: float
    num_queries: int

    @property
    def passed(self) -> bool:
        r"""Above chance by more than :data:`MARGIN` standard errors (a
        teacher with no query to judge it on passes: nothing says it is
        wrong)."""
        if not self.num_queries:
            return True
        return self.agreement - self.chance > MARGIN * self.stderr

    @classmethod
    def from_cache(cls, cache: 'TeacherCache', known: Tensor,
                   num_rankable: int) -> 'TeacherCheck':
        r"""The check of ``cache``'s teacher.

        Args:
            cache (TeacherCache): With ``agreement`` (a cache written
                before it existed is judged on no query).
            known (torch.Tensor): :obj:`[n, 3]` the target's training
                triples in the cache's ids (student nodes, linked-graph
                relations).
            num_rankable (int): :math:`P`.
        """
        if cache.agreement is None or not num_rankable:
            return cls(0.0, 0.0, 0.0, 0)
        own = (~cache.missing if cache.missing is not None else
               torch.ones_like(cache.agreement, dtype=torch.bool))
        agreement = cache.agreement[own].double()
        queries = cache.queries[own]
        if not agreement.numel():
            return cls(0.0, 0.0, 0.0, 0)
        num_relations = int(torch.cat([known[:, 1], queries[:, 1]]).max()) + 1
        row, _ = FilterIndex(known, num_relations).lookup(queries[:, 0],
                                                          queries[:, 1])
        tails = torch.bincount(row, minlength=queries.size(0))  # n_q
        chance = tails.double().clamp(max=num_rankable) / num_rankable
        num = agreement.numel()
        spread = float(agreement.std()) if num > 1 else 0.0
        return cls(float(agreement.mean()), float(chance.mean()),
                   spread / math.sqrt(num), num)

    def __str__(self) -> str:
        return (f'teacher agreement with the target\'s training facts '
                f'{self.agreement:.4f} against {self.chance:.4f} by chance '
                f'(standard error {self.stderr:.4f}, {self.num_queries} '
                f'queries)')
