"""Entity alignment evaluation by embedding similarity."""
from __future__ import annotations

from typing import Dict, Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from pyg_kgt.evaluation.rank_based_evaluator import realistic_ranks


def _mean_top_k(similarity: Tensor, k: int, dim: int) -> Tensor:
    k = min(k, similarity.size(dim))
    return similarity.topk(k, dim=dim).values.mean(dim)


def evaluate_alignment(source: Tensor, target: Tensor, pairs: Tensor,
                       candidates: str = 'test',
                       csls_k: Optional[int] = None,
                       batch_size: int = 1024) -> Dict[str, float]:
    r"""Ranks, for each test pair :math:`(i, j)`, target entity :math:`j`
    among the candidates by similarity to source entity :math:`i`.

    Similarity is cosine, or with ``csls_k`` the cross-domain similarity
    local scaling of Lample et al. (ICLR 2018), which penalises hubs:

    .. math::
        \mathrm{CSLS}(x, y) = 2\cos(x, y) - r_T(x) - r_S(y),

    where :math:`r_T(x)` is the mean cosine of :math:`x` to its ``k`` nearest
    candidates and :math:`r_S(y)` that of :math:`y` to its ``k`` nearest
    query entities. Ranks are tie-aware.

    Args:
        source (torch.Tensor): Source KG embeddings :obj:`[N_s, d]`.
        target (torch.Tensor): Target KG embeddings :obj:`[N_t, d]`.
        pairs (torch.Tensor): Test pairs :obj:`[M, 2]` (source id, target
            id).
        candidates (str): ``"test"`` ranks among the target entities of the
            test pairs (the usual protocol); ``"all"`` among all target
            entities. (default: ``"test"``)
        csls_k (int, optional): Use CSLS with this ``k``.
        batch_size (int): Queries per batch. (default: 1024)

    Returns:
        ``{"hits1", "hits10", "mrr", "mr", "num_pairs", "candidates",
        "similarity"}``.
    """
    if candidates not in ('test', 'all'):
        raise ValueError("candidates must be 'test' or 'all'")
    pairs = pairs.long()
    queries = F.normalize(source[pairs[:, 0]], dim=-1)
    if candidates == 'test':
        pool = F.normalize(target[pairs[:, 1]], dim=-1)
        truth = torch.arange(pairs.size(0))
    else:
        pool = F.normalize(target, dim=-1)
        truth = pairs[:, 1]
    query_hubness = pool_hubness = None
    if csls_k:
        pool_hubness = torch.cat([
            _mean_top_k(part @ queries.t(), csls_k, 1)
            for part in torch.split(pool, batch_size)])
    ranks = []
    with torch.no_grad():
        for start in range(0, queries.size(0), batch_size):
            sim = queries[start:start + batch_size] @ pool.t()
            if csls_k:
                query_hubness = _mean_top_k(sim, csls_k, 1)
                sim = 2 * sim - query_hubness[:, None] - pool_hubness[None]
            ranks.append(realistic_ranks(sim, truth[start:start +
                                                    batch_size]))
    ranks = torch.cat(ranks)
    return {'hits1': float((ranks <= 1).double().mean()),
            'hits10': float((ranks <= 10).double().mean()),
            'mrr': float((1 / ranks).mean()), 'mr': float(ranks.mean()),
            'num_pairs': int(pairs.size(0)), 'candidates': candidates,
            'similarity': f'csls@{csls_k}' if csls_k else 'cosine'}
