"""Relation-grouped sparse adjacency shared by all RelationalConv layers."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import List, Optional

import torch
from torch import Tensor

from pyg_kgt.nn.conv.basis_message import BasisEdges


@dataclass
class RelationalAdjacency:
    r"""Edges grouped by ``(relation, target node)``, built once per graph.

    Let :math:`\mathcal{G}` be the set of non-empty groups
    :math:`g = (r, i)`, sorted by relation then target. ``adj`` is the sparse
    CSR matrix :obj:`[|G|, num_nodes]` with
    :math:`A_{g,j} = \frac{1}{|\mathcal{N}_r(i)|}` (``aggr="mean"``) or
    :math:`1` (``aggr="add"``) for every edge :math:`j \to i` of type
    :math:`r`, so ``adj @ x`` gives each group's aggregated neighbour
    features without materialising one row per edge.

    Attributes:
        num_nodes (int): Nodes :math:`N`.
        num_relations (int): Edge types (inverse types included).
        adj (torch.Tensor): Sparse CSR :obj:`[|G|, N]`.
        group_target (torch.Tensor): :obj:`[|G|]` target node of each group.
        relation_sizes ([int]): Number of groups per relation (sums to
            :math:`|G|`), for splitting the groups by relation.
        edge_source (torch.Tensor): :obj:`[E]` source node of each edge,
            edges sorted by ``(relation, target)`` (the CSR column indices).
        edge_group (torch.Tensor): :obj:`[E]` group of each edge.
        edge_weight (torch.Tensor): :obj:`[E]` normalisation of each edge
            (the CSR values).
        edge_segments ([(int, int)]): Edge range of each present relation.
        basis_edges (BasisEdges, optional): The same edges as two node CSR
            patterns, for the ``"basis"`` message path; built on first use
            by :meth:`basis`.
    """
    num_nodes: int
    num_relations: int
    adj: Tensor
    group_target: Tensor
    relation_sizes: List[int]
    edge_source: Tensor
    edge_group: Tensor
    edge_weight: Tensor
    edge_segments: List[tuple]
    basis_edges: Optional[BasisEdges] = None

    def basis(self) -> BasisEdges:
        r"""The :class:`BasisEdges` of this graph (built once)."""
        if self.basis_edges is None:
            self.basis_edges = BasisEdges.from_adjacency(self)
        return self.basis_edges

    @property
    def present_relations(self) -> List[int]:
        r"""Relations with at least one edge, in group order."""
        return [r for r, size in enumerate(self.relation_sizes) if size]

    @classmethod
    def from_edges(cls, edge_index: Tensor, edge_type: Tensor,
                   num_nodes: int, num_relations: int,
                   add_inverse: bool = False,
                   aggr: str = 'mean') -> 'RelationalAdjacency':
        r"""Builds the grouped adjacency.

        Args:
            edge_index (torch.Tensor): :obj:`[2, E]` (source, target).
            edge_type (torch.Tensor): :obj:`[E]` in ``[0, num_relations)``.
            num_nodes (int): Number of nodes.
            num_relations (int): Number of edge types in ``edge_type``.
            add_inverse (bool): Also add every edge reversed with type
                ``r + num_relations``; the result then has
                ``2 * num_relations`` types. (default: :obj:`False`)
            aggr (str): ``"mean"`` (per-relation degree normalisation) or
                ``"add"``. (default: ``"mean"``)
        """
        if aggr not in ('mean', 'add'):
            raise ValueError(f"aggr must be 'mean' or 'add', got '{aggr}'")
        src, dst = edge_index[0].long(), edge_index[1].long()
        edge_type = edge_type.long()
        if add_inverse:
            src, dst = torch.cat([src, dst]), torch.cat([dst, src])
            edge_type = torch.cat([edge_type, edge_type + num_relations])
            num_relations = 2 * num_relations
        if edge_type.numel() and (edge_type.min() < 0 or
                                  edge_type.max() >= num_relations):
            raise ValueError(f'edge_type must lie in [0, {num_relations})')
        key = edge_type * num_nodes + dst
        key, order = torch.sort(key, stable=True)
        src = src[order]
        groups, counts = torch.unique_consecutive(key, return_counts=True)
        device = key.device  # built where the edges are (CPU or GPU)
        crow = torch.zeros(groups.numel() + 1, dtype=torch.long,
                           device=device)
        torch.cumsum(counts, 0, out=crow[1:])
        if aggr == 'mean':
            values = (1.0 / counts.float()).repeat_interleave(counts)
        else:
            values = torch.ones(src.numel(), device=device)
        with warnings.catch_warnings():  # CSR support is "beta" in torch.
            warnings.simplefilter('ignore')
            adj = torch.sparse_csr_tensor(crow, src, values,
                                          (groups.numel(), num_nodes))
        relation_sizes = torch.bincount(groups // num_nodes,
                                        minlength=num_relations).tolist()
        group_bounds = torch.tensor([0] + relation_sizes,
                                    device=device).cumsum(0)
        edge_bounds = crow[group_bounds].tolist()
        edge_segments = [(edge_bounds[r], edge_bounds[r + 1])
                         for r, size in enumerate(relation_sizes) if size]
        edge_group = torch.repeat_interleave(counts)  # 0,..,0,1,..,1,..
        return cls(num_nodes, num_relations, adj, groups % num_nodes,
                   relation_sizes, src, edge_group, values, edge_segments)

    def to(self, device: torch.device | str) -> 'RelationalAdjacency':
        return RelationalAdjacency(
            self.num_nodes, self.num_relations, self.adj.to(device),
            self.group_target.to(device), self.relation_sizes,
            self.edge_source.to(device), self.edge_group.to(device),
            self.edge_weight.to(device), self.edge_segments,
            None if self.basis_edges is None else self.basis_edges.to(
                device))

    @property
    def num_groups(self) -> int:
        return int(self.group_target.numel())
