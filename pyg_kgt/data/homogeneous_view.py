"""The homogeneous view of a multi-source KG used for relational message
passing."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from pyg_kgt.data.multi_source_kg import FACT, SAME_AS


@dataclass
class HomogeneousView:
    r"""All KGs of a :class:`~torch_geometric.data.HeteroData` as one graph.

    Node ``i`` of KG ``k`` gets the global id ``node_offset[k] + i``, in the
    order of ``node_types``. With ``R = num_fact_relations``, edge types are:

    * ``0 .. R-1``: fact relations (head -> tail), as in the data;
    * ``R .. 2R-1``: their inverses (tail -> head), when ``add_inverse``;
    * ``2R`` (or ``R`` without inverses): ``same_as``, in both directions,
      when ``add_same_as``.

    Attributes:
        node_types ([str]): KG names in global-id order.
        node_offset ({str: int}): First global id of each KG.
        num_nodes (int): Total number of nodes.
        num_fact_relations (int): ``R``.
        num_relations (int): Number of edge types in ``edge_type``.
        same_as_relation (int): The ``same_as`` edge type, or -1.
        edge_index (torch.Tensor): :obj:`[2, E]` global (source, target).
        edge_type (torch.Tensor): :obj:`[E]` edge types as above.
        node_type (torch.Tensor): :obj:`[num_nodes]` index into
            ``node_types`` (the mapping back, with ``local_id``).
        local_id (torch.Tensor): :obj:`[num_nodes]` id inside its KG.
    """
    node_types: List[str]
    node_offset: Dict[str, int]
    num_nodes: int
    num_fact_relations: int
    num_relations: int
    same_as_relation: int
    edge_index: Tensor
    edge_type: Tensor
    node_type: Tensor
    local_id: Tensor

    @classmethod
    def from_hetero(cls, data: HeteroData, add_inverse: bool = True,
                    add_same_as: bool = True) -> 'HomogeneousView':
        r"""Builds the view.

        Args:
            data (HeteroData): As made by
                :meth:`~pyg_kgt.data.MultiSourceKG.to_hetero_data`.
            add_inverse (bool): Add inverse fact edges. (default: :obj:`True`)
            add_same_as (bool): Add ``same_as`` edges (both directions).
                (default: :obj:`True`)
        """
        node_types = list(data.node_types)
        offsets, total = {}, 0
        for name in node_types:
            offsets[name] = total
            total += data[name].num_nodes
        num_fact = int(data.num_relations)
        same_as = -1
        if add_same_as:
            same_as = 2 * num_fact if add_inverse else num_fact
        num_relations = (2 * num_fact if add_inverse else num_fact) + int(
            add_same_as)

        indices, types = [], []
        for src, rel, dst in data.edge_types:
            store = data[src, rel, dst]
            shift = torch.tensor([[offsets[src]], [offsets[dst]]])
            edge_index = store.edge_index + shift
            if rel == FACT:
                indices.append(edge_index)
                types.append(store.edge_type)
                if add_inverse:
                    indices.append(edge_index.flip(0))
                    types.append(store.edge_type + num_fact)
            elif rel == SAME_AS and add_same_as:
                both = torch.cat([edge_index, edge_index.flip(0)], dim=1)
                indices.append(both)
                types.append(torch.full((both.size(1),), same_as))
        edge_index = (torch.cat(indices, dim=1) if indices else
                      torch.empty(2, 0, dtype=torch.long))
        edge_type = (torch.cat(types) if types else
                     torch.empty(0, dtype=torch.long))
        node_type = torch.cat([
            torch.full((data[n].num_nodes,), i, dtype=torch.long)
            for i, n in enumerate(node_types)])
        local_id = torch.cat([torch.arange(data[n].num_nodes)
                              for n in node_types])
        return cls(node_types, offsets, total, num_fact, num_relations,
                   same_as, edge_index, edge_type.long(), node_type, local_id)

    def global_ids(self, node_type: str, local: Tensor) -> Tensor:
        r"""Global ids of the ``local`` ids of KG ``node_type``."""
        return local + self.node_offset[node_type]
