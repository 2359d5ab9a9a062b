"""Streaming, filtered, tie-aware rank-based evaluation."""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Tuple

import torch
from torch import Tensor

# Elements per comparison chunk: 2^18 floats = 1 MiB, about an L2 cache.
CHUNK_ELEMENTS = 2**18


def realistic_ranks(scores: Tensor, target: Tensor,
                    filter_pairs: Optional[Tuple[Tensor, Tensor]] = None
                    ) -> Tensor:
    r"""Tie-aware ("realistic") ranks of the true candidates.

    With :math:`s^*` the true candidate's score and :math:`F_q` the filtered
    candidates of query :math:`q` (never the true one),

    .. math::
        \mathrm{rank}^{\textrm{opt}} = 1 + |\{e \notin F_q : s_e > s^*\}|,
        \quad
        \mathrm{rank}^{\textrm{pes}} = |\{e \notin F_q : s_e \geq s^*\}|,
        \quad
        \mathrm{rank} = \tfrac{1}{2}(\mathrm{rank}^{\textrm{opt}} +
        \mathrm{rank}^{\textrm{pes}}).

    Filtered candidates are discounted by counting rather than by
    overwriting ``scores``, so the input is left untouched and the extra
    work is proportional to the number of filtered entries. A NaN true score
    is an error; a NaN candidate score never outranks (it compares false).

    Args:
        scores (torch.Tensor): :obj:`[B, N]` candidate scores.
        target (torch.Tensor): :obj:`[B]` true candidate per row.
        filter_pairs ((torch.Tensor, torch.Tensor), optional): ``(row,
            candidate)`` pairs, each :obj:`[F]`, to leave out; pairs with the
            true candidate are ignored. Pairs must be unique.
    """
    rows = torch.arange(scores.size(0), device=scores.device)
    target = target.to(scores.device)
    true = scores[rows, target].unsqueeze(1)
    if torch.isnan(true).any():
        raise ValueError('scores contain NaN; ranks would be meaningless')
    greater = torch.empty(scores.size(0), dtype=torch.long,
                          device=scores.device)
    greater_equal = torch.empty_like(greater)
    # Both counts per row chunk, so the chunk is read from cache the second
    # time (the pass is memory-bound on CPU).
    step = max(1, CHUNK_ELEMENTS // max(scores.size(1), 1))
    for start in range(0, scores.size(0), step):
        part, pivot = scores[start:start + step], true[start:start + step]
        greater[start:start + step] = (part > pivot).sum(1)
        greater_equal[start:start + step] = (part >= pivot).sum(1)
    if filter_pairs is not None and filter_pairs[0].numel():
        row, col = (t.to(scores.device) for t in filter_pairs)
        keep = col != target[row]
        row, col = row[keep], col[keep]
        value = scores[row, col]
        greater = greater - torch.zeros_like(greater).index_add_(
            0, row, (value > true[row, 0]).long())
        greater_equal = greater_equal - torch.zeros_like(
            greater_equal).index_add_(0, row, (value >= true[row, 0]).long())
    return (1 + greater + greater_equal).double() / 2


class RankBasedEvaluator:
    r"""Accumulates ranks batch by batch (``update``), then reports MRR, MR
    and Hits@k per side and for both sides together (``compute``).

    .. math::
        \mathrm{MRR} = \frac{1}{|Q|}\sum_q \frac{1}{\mathrm{rank}_q}, \quad
        \mathrm{MR} = \frac{1}{|Q|}\sum_q \mathrm{rank}_q, \quad
        \mathrm{Hits@}k = \frac{1}{|Q|}\sum_q [\mathrm{rank}_q \le k]

    Args:
        ks ([int]): Cut-offs of Hits@k. (default: ``(1, 3, 10)``)
    """

    def __init__(self, ks: Iterable[int] = (1, 3, 10)) -> None:
        self.ks = tuple(ks)
        self.reset()

    def reset(self) -> None:
        self._ranks: Dict[str, List[Tensor]] = {}

    def update(self, scores: Tensor, target: Tensor,
               filter_pairs: Optional[Tuple[Tensor, Tensor]] = None,
               side: str = 'tail') -> Tensor:
        r"""Ranks one batch (see :func:`realistic_ranks`) and stores them
        under ``side`` (on the scores' device until :meth:`compute`);
        returns the ranks :obj:`[B]`."""
        ranks = realistic_ranks(scores, target, filter_pairs)
        self._ranks.setdefault(side, []).append(ranks)
        return ranks

    def _metrics(self, ranks: Tensor) -> Dict[str, float]:
        out = {'mrr': float((1.0 / ranks).mean()),
               'mr': float(ranks.mean())}
        for k in self.ks:
            out[f'hits{k}'] = float((ranks <= k).double().mean())
        out['num_ranks'] = int(ranks.numel())
        return out

    def compute(self) -> Dict[str, Dict[str, float]]:
        r"""Metrics per side and over ``both`` sides (all ranks pooled)."""
        if not self._ranks:
            raise RuntimeError('no ranks: call update() first')
        sides = {side: torch.cat(parts).cpu() for side, parts in
                 self._ranks.items()}
        out = {side: self._metrics(ranks) for side, ranks in sides.items()}
        out['both'] = self._metrics(torch.cat(list(sides.values())))
        return out
