"""The teacher's hard negatives for the student's sampled 1-N loss."""
from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import Module

from pyg_kgt.evaluation.filter_index import FilterIndex


class TeacherCandidates(Module):
    r"""Per training query :math:`(h, r)`, the :math:`k` tails the teacher
    ranks highest that are *not* known true: the wrong answers the
    teacher finds most plausible, which a uniform sample of the target's
    :math:`N` entities almost never draws. With a sampled 1-N loss
    (``training.num_candidates``) each training triple :math:`(h, r, t)`
    scores them beside its uniform candidates
    (:meth:`~pyg_kgt.models.LinkPredictor.one_to_n_loss`),

    .. math::
        \mathcal{L}_{\rightarrow} = \textrm{CE}\big([\,s(h, r, t),\;
        s(h, r, n_1), \dots, s(h, r, n_k),\;
        s(h, r, c_1) + \log\tfrac{N}{K}, \dots,
        s(h, r, c_K) + \log\tfrac{N}{K}\,],\; 0\big),

    where :math:`n_1, \dots, n_k` are the query's teacher candidates
    (counted once, unshifted: they are chosen, not sampled) and
    :math:`c_1, \dots, c_K` the uniform ones. Known true tails (the
    training and transferred facts) are never negatives; a query the
    teacher did not answer, or with fewer than :math:`k` wrong answers in
    its top-k, gets ``-1`` in those places (the loss draws uniform ones
    there). Built from a :class:`~pyg_kgt.models.TeacherCache`, so it
    costs one lookup per step.

    The table lives in non-persistent buffers: it moves with the network,
    and checkpoints stay as they were (it is rebuilt from the cache at
    each fit).
    """

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer('keys', torch.empty(0, dtype=torch.long),
                             persistent=False)
        self.register_buffer('tails', torch.empty(0, 0, dtype=torch.long),
                             persistent=False)
        self.num_relations = 1

    @property
    def num_candidates(self) -> int:
        r"""Teacher candidates per query (0: none set)."""
        return int(self.tails.size(1)) if self.keys.numel() else 0

    @torch.no_grad()
    def set(self, queries: Tensor, candidates: Tensor, known: Tensor,
            k: int, num_relations: int) -> None:
        r"""Keeps, per query, the first ``k`` of its ranked ``candidates``
        that are not among the ``known`` true triples.

        Args:
            queries (torch.Tensor): :obj:`[Q, 2]` distinct (head, relation)
                pairs (the cache's ``queries``).
            candidates (torch.Tensor): :obj:`[Q, k_T]` their tails, best
                first (the cache's ``candidates``).
            known (torch.Tensor): :obj:`[n, 3]` triples known true, in the
                same ids.
            k (int): Candidates kept per query, at most :math:`k_T`.
            num_relations (int): Relation ids are below it.
        """
        if k > candidates.size(1):
            raise ValueError(f'k={k} exceeds the {candidates.size(1)} '
                             'candidates the cache keeps per query (top_k)')
        self.num_relations = num_relations
        device = self.keys.device
        true = FilterIndex(known, num_relations).contains(
            queries[:, 0], queries[:, 1], candidates)
        keys = queries[:, 0] * num_relations + queries[:, 1]
        order = torch.argsort(keys)
        keys, candidates, true = keys[order], candidates[order], true[order]
        # Stable: wrong answers first, each group in the teacher's order.
        rank = torch.argsort(true.to(torch.int8), dim=1, stable=True)[:, :k]
        tails = candidates.gather(1, rank)
        tails[true.gather(1, rank)] = -1
        self.keys = keys.to(device)
        self.tails = tails.to(device)

    def forward(self, heads: Tensor, relations: Tensor) -> Tensor:
        r""":obj:`[B, k]` the teacher candidates of queries
        ``(heads, relations)`` (:obj:`[B]` each), ``-1`` where there are
        none."""
        keys = heads * self.num_relations + relations
        where = torch.searchsorted(self.keys, keys).clamp_(
            max=max(self.keys.numel() - 1, 0))
        found = self.keys[where] == keys
        tails = self.tails[where]
        return tails.masked_fill_(~found[:, None], -1)
