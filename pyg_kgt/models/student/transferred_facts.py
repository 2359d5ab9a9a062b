"""Transferred facts: source facts restated in a target KG's terms through
the seed alignment (the student's ``train_on: transferred``)."""
from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from pyg_kgt.data.multi_source_kg import FACT, SAME_AS


def transferred_triples(linked: HeteroData, offset: int,
                        relation_index: Tensor, target_train: Tensor
                        ) -> Tensor:
    r"""Every fact :math:`(a, r, b)` of a source in ``linked`` whose head
    and tail are both aligned to target entities :math:`a', b'` by the seed
    alignment, and whose relation the target has, becomes
    :math:`(a', r, b')`; a relation the target names differently becomes
    the target relation it matches (``linked.relation_matches``
    :obj:`[M, 3]`: source relation, target relation, inverse;
    :func:`~pyg_kgt.pipeline.link_target` infers it), read backwards for an
    inverse. Those the target already has for training are left out (its
    validation and test facts are never read).

    Args:
        linked (HeteroData): Output of
            :class:`~pyg_kgt.transforms.LinkSubgraph`.
        offset (int): The target's first node id in the student's view.
        relation_index (torch.Tensor): The target's relations' global ids
            :obj:`[R_t]`.
        target_train (torch.Tensor): The target's training triples in its
            own ids :obj:`[n, 3]`.

    Returns:
        Student node and global relation ids :obj:`[m, 3]`, unique.
    """
    target = linked.target_name
    found = [torch.empty(0, 3, dtype=torch.long)]
    for name in linked.node_types:
        if name == target or (name, FACT, name) not in linked.edge_types \
                or (target, SAME_AS, name) not in linked.edge_types:
            continue
        pairs = linked[target, SAME_AS, name].edge_index
        to_target = torch.full((linked[name].num_nodes,), -1,
                               dtype=torch.long)
        to_target[pairs[1]] = pairs[0]
        store = linked[name, FACT, name]
        heads = to_target[store.edge_index[0]]
        tails = to_target[store.edge_index[1]]
        both = (heads >= 0) & (tails >= 0)
        found.append(torch.stack([heads[both], store.edge_type[both],
                                  tails[both]], dim=1))
    triples = torch.cat(found)
    matches = getattr(linked, 'relation_matches', None)
    if matches is not None and matches.numel():
        triples = torch.cat([triples, restated(triples, matches)])
    triples = torch.unique(triples, dim=0)
    num_relations = int(linked.num_relations)
    known = torch.zeros(num_relations, dtype=torch.bool)
    known[relation_index] = True
    triples = triples[known[triples[:, 1]]]
    own = torch.stack([target_train[:, 0], relation_index[target_train[:, 1]],
                       target_train[:, 2]], dim=1)
    num_nodes = int(linked[target].num_nodes)

    def key(t: Tensor) -> Tensor:  # one integer per triple
        return (t[:, 0] * num_relations + t[:, 1]) * num_nodes + t[:, 2]
    triples = triples[~torch.isin(key(triples), key(own))]
    triples[:, [0, 2]] += offset
    return triples


def restated(triples: Tensor, matches: Tensor) -> Tensor:
    r"""``triples`` :obj:`[n, 3]` whose relation is the source side of a
    row of ``matches`` :obj:`[M, 3]` (source relation, target relation,
    inverse), restated with the target relation (head and tail swapped for
    an inverse); a relation with several matches gives several facts."""
    fact, match = torch.nonzero(
        triples[:, 1].unsqueeze(1) == matches[:, 0].unsqueeze(0),
        as_tuple=True)
    out = triples[fact].clone()
    out[:, 1] = matches[match, 1]
    inverse = matches[match, 2].bool()
    out[inverse] = out[inverse][:, [2, 1, 0]]
    return out
