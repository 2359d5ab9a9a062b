r"""Basis-decomposed relational messages in a few large kernels.

Infrastructure behind :class:`~pyg_kgt.nn.conv.RelationalConv` with
``num_bases``. With :math:`\mathbf{W}_r = \sum_b a_{rb} \mathbf{V}_b`, the
messages of every relation regroup by basis:

.. math::
    \sum_r \sum_{j \in \mathcal{N}_r(i)} c_{rij} \mathbf{W}_r^\top
    \mathbf{x}_j = \sum_b \mathbf{V}_b^\top \big(\mathbf{A}_b
    \mathbf{x}\big)_i, \qquad (\mathbf{A}_b)_{ij} = \sum_{r}
    a_{rb}\, c_{rij},

so a layer is one sparse-dense product per basis over *all* edges (edge
weight: the basis coefficient of its relation times its normalisation) and
one dense GEMM, whatever the number of relations. Nothing of size
``[edges, bases, in]`` or ``[relations, in, out]`` is built, forward or
backward; the backward recomputes the per-basis aggregates from the saved
inputs.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

def _csr(crow: Tensor, col: Tensor, values: Tensor, size: int) -> Tensor:
    with warnings.catch_warnings():  # CSR support is "beta" in torch.
        warnings.simplefilter('ignore')
        return torch.sparse_csr_tensor(crow, col, values, (size, size),
                                       check_invariants=False)


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


def _basis_values(pattern, coefficient: Tensor) -> Tensor:
    r"""The edge values of :math:`\mathbf{A}_1, \dots, \mathbf{A}_B`
    :obj:`[E, B]` in the pattern's edge order, for coefficients
    :obj:`[R, B]`: :math:`a_{r_e b}\, c_e` (small: edges times bases)."""
    _, _, relation, weight = pattern
    return coefficient[relation] * weight[:, None]


def _spmm(pattern, values: Tensor, dense: Tensor) -> Tensor:
    r"""Sparse :obj:`[N, N]` (the pattern with ``values`` :obj:`[E]`) times
    dense :obj:`[N, d]`. ``embedding_bag`` is a fused gather, scale and
    sum per row: about twice as fast as a CSR ``torch.sparse.mm`` on CPU
    and it builds no :obj:`[E, d]` temporary."""
    crow, col, _, _ = pattern
    return F.embedding_bag(col, dense, crow[:-1], mode='sum',
                           per_sample_weights=values)


class BasisRelationalMessage(torch.autograd.Function):
    r"""Computes :math:`\mathbf{m} = \sum_b (\mathbf{A}_b \mathbf{x})
    \mathbf{V}_b` (see the module docstring), basis by basis; only the
    inputs are saved.

    Args (of :meth:`apply`):
        x (torch.Tensor): :obj:`[N, in]`.
        comp (torch.Tensor): :obj:`[R, B]` basis coefficients :math:`a`.
        basis (torch.Tensor): :obj:`[B, in, out]` bases :math:`\mathbf{V}`.
        edges (BasisEdges): The graph.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, comp: Tensor, basis: Tensor,
                edges: BasisEdges) -> Tensor:
        out = x.new_zeros(edges.num_nodes, basis.size(2))
        values = _basis_values(edges.by_target, comp)
        for b in range(basis.size(0)):
            out.addmm_(_spmm(edges.by_target, values[:, b], x), basis[b])
        ctx.save_for_backward(x, comp, basis)
        ctx.edges = edges
        return out

    @staticmethod
    def backward(ctx: Any, grad_out: Tensor) -> Tuple[Any, ...]:
        x, comp, basis = ctx.saved_tensors
        edges: BasisEdges = ctx.edges
        need_x, need_comp, need_basis = ctx.needs_input_grad[:3]
        n = edges.num_nodes
        grad_x = x.new_zeros(x.shape) if need_x else None
        grad_basis = torch.empty_like(basis) if need_basis else None
        grad_values = []
        values = _basis_values(edges.by_target, comp)
        values_t = _basis_values(edges.by_source, comp) if need_x else None
        crow, col = edges.by_target[:2]
        for b in range(basis.size(0)):
            if need_basis:
                torch.mm(_spmm(edges.by_target, values[:, b], x).t(),
                         grad_out, out=grad_basis[b])
            grad_h = grad_out @ basis[b].t()  # d loss / d (A_b x): [N, in]
            if need_x:
                grad_x += _spmm(edges.by_source, values_t[:, b], grad_h)
            if need_comp:  # <grad_h[target], x[source]> on every edge
                pattern = _csr(crow, col, values[:, b].contiguous(), n)
                grad_values.append(torch.sparse.sampled_addmm(
                    pattern, grad_h, x.t(), beta=0.0).values())
        grad_comp = None
        if need_comp:
            _, _, relation, weight = edges.by_target
            grad_comp = comp.new_zeros(comp.shape).index_add_(
                0, relation, torch.stack(grad_values, 1) * weight[:, None])
        return grad_x, grad_comp, grad_basis, None
