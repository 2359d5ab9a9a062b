r"""Basis-decomposed relational messages in a few large kernels.

Infrastructure behind :class:`~pyg_kgt.nn.conv.RelationalConv` with
``num_bases``. With :math:`\mathbf{W}_r = \sum_b a_{rb} \mathbf{V}_b`, the
messages of every relation regroup by basis:

.. math::
    \sum_r \sum_{j \in \mathcal{N}_r(i)} c_{rij} \mathbf{W}_r^\top
    \mathbf{x}_j = \sum_b \mathbf{V}_b^\top \big(\mathbf{A}_b
    \mathbf{x}\big)_i, \qquad (\mathbf{A}_b)_{ij} = \sum_{r}
    a_{rb}\, c_{rij},

so a layer is one weighted gather-sum over *all* edges and bases into
:math:`\mathbf{H} = [\mathbf{A}_1 \mathbf{x}, \dots, \mathbf{A}_B
\mathbf{x}]` :obj:`[N, B * in]` (entry weight: the basis coefficient of the
edge's relation times its normalisation) and one dense GEMM
:math:`\mathbf{H} [\mathbf{V}_1; \dots; \mathbf{V}_B]`, whatever the
number of relations. The backward is one GEMM per gradient, one transposed
gather-sum for :math:`\partial \mathbf{x}` and one sampled dense-dense
product for the coefficients. Nothing of size ``[edges, bases, in]`` or
``[relations, in, out]`` is built, forward or backward; ``H`` (nodes times
bases times ``in``) is kept for the backward.

Work: :math:`3 B N \cdot in \cdot out` multiply-adds in dense GEMMs, against
:math:`3 G \cdot in \cdot out` for the grouped path (:math:`G`:
(relation, target) groups); which is smaller depends on the graph (see
:meth:`RelationalConv.message_method`).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from pyg_kgt.nn.precision import float32_backward


@dataclass
class BasisEdges:
    r"""The edges of a :class:`RelationalAdjacency` as two CSR patterns
    over nodes, for :class:`BasisRelationalMessage`.

    Attributes:
        num_nodes (int): :math:`N`.
        by_target (tuple): ``(crow, source, relation, weight)`` of the
            edges sorted by target node: rows are targets.
        by_source (tuple): The same sorted by source node (the transposed
            pattern, for the input gradient): rows are sources, columns
            targets.
    """
    num_nodes: int
    by_target: Tuple[Tensor, Tensor, Tensor, Tensor]
    by_source: Tuple[Tensor, Tensor, Tensor, Tensor]
    _expanded: Dict[int, 'BasisEntries'] = field(default_factory=dict,
                                                 repr=False)

    @classmethod
    def from_adjacency(cls, adjacency) -> 'BasisEdges':
        sizes = torch.tensor(adjacency.relation_sizes,
                             device=adjacency.edge_source.device)
        group_relation = torch.repeat_interleave(
            torch.arange(sizes.numel(), device=sizes.device), sizes)
        relation = group_relation[adjacency.edge_group]
        target = adjacency.group_target[adjacency.edge_group]
        source = adjacency.edge_source
        n = adjacency.num_nodes

        def pattern(rows: Tensor, cols: Tensor):
            order = torch.argsort(rows, stable=True)
            crow = torch.zeros(n + 1, dtype=torch.long, device=rows.device)
            torch.cumsum(torch.bincount(rows, minlength=n), 0, out=crow[1:])
            return (crow, cols[order], relation[order],
                    adjacency.edge_weight[order])
        return cls(n, pattern(target, source), pattern(source, target))

    def to(self, device) -> 'BasisEdges':
        return BasisEdges(self.num_nodes,
                          tuple(t.to(device) for t in self.by_target),
                          tuple(t.to(device) for t in self.by_source))

    def entries(self, num_bases: int) -> 'BasisEntries':
        r"""The (edge, basis) entries for ``num_bases`` (built once)."""
        if num_bases not in self._expanded:
            self._expanded[num_bases] = BasisEntries.build(self, num_bases)
        return self._expanded[num_bases]


def _expand(crow: Tensor, num_bases: int) -> Tuple[Tensor, Tensor, Tensor]:
    r"""Lays out every (edge, basis) entry of a CSR pattern row by row and,
    inside a row, basis by basis: entry ``(i, b, k)`` (the ``k``-th edge of
    row ``i``) at ``B * crow[i] + b * deg(i) + k``. Returns the edge and the
    basis of each entry and the start of each (row, basis) bag
    :obj:`[N * B + 1]`."""
    deg = crow[1:] - crow[:-1]
    num_edges = int(crow[-1])
    b = torch.arange(num_bases, device=crow.device)
    starts = (num_bases * crow[:-1, None] + b * deg[:, None]).view(-1)
    bag_starts = torch.cat([starts, starts.new_full((1,), num_edges *
                                                    num_bases)])
    sizes = deg.repeat_interleave(num_bases)
    bag = torch.repeat_interleave(torch.arange(sizes.numel(),
                                               device=crow.device), sizes)
    within = torch.arange(bag.numel(), device=crow.device) - starts[bag]
    edge = crow[:-1][bag // num_bases] + within
    return edge, bag % num_bases, bag_starts


@dataclass
class BasisEntries:
    r"""Every (edge, basis) pair of a :class:`BasisEdges` for ``B`` bases,
    laid out for single-kernel gather-sums, with everything that depends
    only on the graph gathered once (the passes then only read the basis
    coefficients).

    Attributes:
        source (torch.Tensor): :obj:`[B * E]` source node of each entry,
            row by row (target), basis by basis.
        coefficient (torch.Tensor): :obj:`[B * E]` its flat index
            ``relation * B + basis`` into the coefficients :obj:`[R, B]`.
        weight (torch.Tensor): :obj:`[B * E]` its edge normalisation.
        bag_starts (torch.Tensor): :obj:`[N * B + 1]` where each (target,
            basis) bag starts: row ``i * B + b`` of ``H`` viewed as
            :obj:`[N * B, in]`.
        grad_row (torch.Tensor): The same entries sorted by source node:
            the row ``target * B + basis`` of ``d loss / d H`` each reads.
        source_coefficient, source_weight (torch.Tensor): Their
            coefficient index and normalisation.
        source_starts (torch.Tensor): :obj:`[N]` where each source's bag
            (all its edges and bases) starts.
    """
    source: Tensor
    coefficient: Tensor
    weight: Tensor
    bag_starts: Tensor
    grad_row: Tensor
    source_coefficient: Tensor
    source_weight: Tensor
    source_starts: Tensor

    @classmethod
    def build(cls, edges: BasisEdges, num_bases: int) -> 'BasisEntries':
        crow, source, relation, weight = edges.by_target
        edge, basis, bag_starts = _expand(crow, num_bases)
        s_crow, target, s_relation, s_weight = edges.by_source
        s_edge, s_basis, starts = _expand(s_crow, num_bases)
        return cls(source[edge], relation[edge] * num_bases + basis,
                   weight[edge], bag_starts,
                   target[s_edge] * num_bases + s_basis,
                   s_relation[s_edge] * num_bases + s_basis,
                   s_weight[s_edge], starts[:-1:num_bases].contiguous())


def _csr(crow: Tensor, col: Tensor, values: Tensor, rows: int,
         cols: int) -> Tensor:
    with warnings.catch_warnings():  # CSR support is "beta" in torch.
        warnings.simplefilter('ignore')
        return torch.sparse_csr_tensor(crow, col, values, (rows, cols),
                                       check_invariants=False)


class BasisRelationalMessage(torch.autograd.Function):
    r"""Computes :math:`\mathbf{m} = \mathbf{H} [\mathbf{V}_1; \dots;
    \mathbf{V}_B]` with :math:`\mathbf{H} = [\mathbf{A}_1 \mathbf{x}, \dots,
    \mathbf{A}_B \mathbf{x}]` (see the module docstring).

    ``embedding_bag`` does the gather-sums: a fused gather, scale and sum
    per bag, about twice as fast as a CSR ``torch.sparse.mm`` on CPU, and it
    builds no :obj:`[entries, in]` temporary.

    Args (of :meth:`apply`):
        x (torch.Tensor): :obj:`[N, in]`.
        comp (torch.Tensor): :obj:`[R, B]` basis coefficients :math:`a`.
        basis (torch.Tensor): :obj:`[B, in, out]` bases :math:`\mathbf{V}`.
        edges (BasisEdges): The graph.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, comp: Tensor, basis: Tensor,
                edges: BasisEdges) -> Tensor:
        num_bases, in_channels, out_channels = basis.shape
        entries = edges.entries(num_bases)
        values = comp.reshape(-1)[entries.coefficient] * entries.weight
        h = F.embedding_bag(entries.source, x, entries.bag_starts[:-1],
                            mode='sum', per_sample_weights=values)
        h = h.view(edges.num_nodes, num_bases * in_channels)
        ctx.save_for_backward(x, comp, basis, h, values)
        ctx.edges = edges
        return h @ basis.reshape(num_bases * in_channels, out_channels)

    @staticmethod
    @float32_backward
    def backward(ctx: Any, grad_out: Tensor) -> Tuple[Any, ...]:
        x, comp, basis, h, values = ctx.saved_tensors
        edges: BasisEdges = ctx.edges
        need_x, need_comp, need_basis = ctx.needs_input_grad[:3]
        num_bases, in_channels, out_channels = basis.shape
        entries = edges.entries(num_bases)
        n = edges.num_nodes
        grad_x = grad_comp = grad_basis = None
        if need_basis:
            grad_basis = (h.t() @ grad_out).view_as(basis)
        # d loss / d H, one row per (target, basis): [N * B, in]
        grad_h = (grad_out @ basis.reshape(-1, out_channels).t()).view(
            n * num_bases, in_channels)
        if need_x:
            grad_x = F.embedding_bag(
                entries.grad_row, grad_h, entries.source_starts, mode='sum',
                per_sample_weights=comp.reshape(-1)[
                    entries.source_coefficient] * entries.source_weight)
        if need_comp:  # <grad_H[target, b], x[source]> per entry
            pattern = _csr(entries.bag_starts, entries.source, values,
                           n * num_bases, n)
            inner = torch.sparse.sampled_addmm(pattern, grad_h, x.t(),
                                               beta=0.0).values()
            grad_comp = comp.new_zeros(comp.numel()).index_add_(
                0, entries.coefficient, inner * entries.weight
            ).view_as(comp)
        return grad_x, grad_comp, grad_basis, None
