"""Evaluation protocols for link prediction."""
from __future__ import annotations

from typing import Callable, Dict

import torch
from torch import Tensor
from tqdm.auto import tqdm

from pyg_kgt.evaluation.filter_index import FilterIndex
from pyg_kgt.evaluation.rank_based_evaluator import RankBasedEvaluator

PROTOCOLS = {
    # name: (sides ranked, which known triples are filtered)
    'filtered': (('head', 'tail'), 'train+val+test'),
    'lifted': (('tail',), 'train'),
    'lifted_trainval': (('tail',), 'train+val'),
}

#: What every evaluation reports unless told otherwise: all protocols, so
#: each record can be set beside papers of every family.
DEFAULT_PROTOCOLS = tuple(PROTOCOLS)

Scorer = Callable[[Tensor, Tensor, str], Tensor]


def evaluate_link_prediction(
        scorer: Scorer, triples: Tensor, protocol: str,
        known: Dict[str, Tensor], num_relations: int,
        batch_size: int = 512, progress: bool = False,
        description: str = 'evaluate') -> Dict[str, object]:
    r"""Ranks ``triples`` under a named protocol and returns the result with
    the protocol recorded.

    Protocols:

    * ``filtered``: head and tail prediction; every other known true triple
      (train + val + test) is filtered.
    * ``lifted`` (the DBP-5L protocol of KEnS and SS-AGA): tail prediction
      only, ranking all entities of the KG, filtering only the training tails
      of :math:`(h, r)`.
    * ``lifted_trainval`` (the protocol of LSMGA, GLKGC, IMKGC and DMKGC):
      as ``lifted``, but the training *and validation* tails of
      :math:`(h, r)` are filtered.

    Args:
        scorer (callable): ``scorer(entity [B], relation [B], side)`` returns
            :obj:`[B, num_entities]` scores of every candidate tail
            (``side="tail"``, ``entity`` = heads) or head (``side="head"``,
            ``entity`` = tails). Called under :func:`torch.no_grad`.
        triples (torch.Tensor): Triples to rank :obj:`[n, 3]`.
        protocol (str): A key of :data:`PROTOCOLS`.
        known (dict): ``{"train": ..., "val": ..., "test": ...}`` triples.
        num_relations (int): Relations (for filter keys).
        batch_size (int): Queries per batch. (default: 512)
        progress (bool): Show a progress bar. (default: :obj:`False`)
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol '{protocol}' (use one of "
                         f'{sorted(PROTOCOLS)})')
    sides, filter_name = PROTOCOLS[protocol]
    parts = [known[name] for name in filter_name.split('+') if name in known]
    filter_triples = (torch.cat(parts) if parts else
                      torch.empty(0, 3, dtype=torch.long))
    indices = {side: FilterIndex(filter_triples, num_relations, side)
               for side in sides}
    evaluator = RankBasedEvaluator()
    batches = [(side, batch) for side in sides
               for batch in torch.split(triples, batch_size)]
    with torch.no_grad():
        for side, batch in tqdm(batches, desc=description,
                                disable=not progress, leave=False):
            query, answer = ((batch[:, 0], batch[:, 2]) if side == 'tail'
                             else (batch[:, 2], batch[:, 0]))
            scores = scorer(query, batch[:, 1], side)
            evaluator.update(scores, answer,
                             indices[side].lookup(query, batch[:, 1]), side)
    metrics = evaluator.compute()
    main = 'both' if len(sides) > 1 else sides[0]
    return {'protocol': protocol, 'filter': filter_name,
            'sides': list(sides), 'metrics': metrics[main],
            'per_side': {side: metrics[side] for side in sides},
            'num_queries': int(triples.size(0)) * len(sides)}
