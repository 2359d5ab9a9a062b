"""Fused relation-grouped message computation (a custom autograd function).

Infrastructure behind :class:`~pyg_kgt.nn.conv.RelationalConv`. It works
relation by relation so that every intermediate (the relation's gathered
edges, its groups, their transform) is small enough to stay in cache, and it
saves only its inputs for the backward pass. On a memory-bandwidth-bound CPU
this is what makes the layer fast; it also keeps peak memory at the size of
the output, not of the edge set.
"""
from __future__ import annotations

from typing import Any, Tuple

import torch
from torch import Tensor

from pyg_kgt.nn.conv.relational_adjacency import RelationalAdjacency
from pyg_kgt.nn.precision import float32_backward


def _apply(part: Tensor, weight: Tensor) -> Tensor:
    r"""``part @ weight`` for full ``[in, out]`` or block-diagonal
    ``[blocks, in/b, out/b]`` weights."""
    if weight.dim() == 2:
        return part @ weight
    num_blocks, block_in, _ = weight.shape
    out = torch.bmm(part.view(-1, num_blocks, block_in).transpose(0, 1),
                    weight)
    return out.transpose(0, 1).reshape(part.size(0), -1)


def _apply_transposed(grad: Tensor, weight: Tensor) -> Tensor:
    if weight.dim() == 2:
        return grad @ weight.t()
    num_blocks, _, block_out = weight.shape
    out = torch.bmm(grad.view(-1, num_blocks, block_out).transpose(0, 1),
                    weight.transpose(1, 2))
    return out.transpose(0, 1).reshape(grad.size(0), -1)


def _weight_grad(part: Tensor, grad: Tensor, weight: Tensor) -> Tensor:
    if weight.dim() == 2:
        return part.t() @ grad
    num_blocks, block_in, block_out = weight.shape
    return torch.bmm(part.view(-1, num_blocks, block_in).permute(1, 2, 0),
                     grad.view(-1, num_blocks, block_out).transpose(0, 1))


def _segments(adjacency: RelationalAdjacency):
    r"""Per present relation: group range, edge range, and whether each
    group holds exactly one edge (then no reduction is needed)."""
    start = 0
    edges = iter(adjacency.edge_segments)
    for size in adjacency.relation_sizes:
        if size:
            e0, e1 = next(edges)
            yield start, start + size, e0, e1, e1 - e0 == size
        start += size


def _grouped_input(x: Tensor, adjacency: RelationalAdjacency, g0: int,
                   g1: int, e0: int, e1: int, one_per_group: bool) -> Tensor:
    r"""Normalised neighbour features summed per group, :obj:`[g1-g0, in]`."""
    rows = x.index_select(0, adjacency.edge_source[e0:e1])
    rows.mul_(adjacency.edge_weight[e0:e1, None])
    if one_per_group:
        return rows
    return x.new_zeros(g1 - g0, x.size(1)).index_add_(
        0, adjacency.edge_group[e0:e1] - g0, rows)


class GroupedRelationalMessage(torch.autograd.Function):
    r"""Computes, for every node :math:`i`,

    .. math::
        \mathbf{m}_i = \sum_{r} \mathbf{W}_r^\top \sum_{j \in
        \mathcal{N}_r(i)} a_{rij}\, \mathbf{x}_j

    over the relations present in ``adjacency`` (:math:`a_{rij}` its edge
    weights), relation by relation. Only ``x`` and ``weight`` are saved;
    backward recomputes each relation's grouped input while it is in cache.

    Args (of :meth:`apply`):
        x (torch.Tensor): :obj:`[N, in]`.
        weight (torch.Tensor): :obj:`[P, in, out]` for the ``P`` present
            relations in order, or block-diagonal :obj:`[P, b, in/b, out/b]`.
        adjacency (RelationalAdjacency): The grouped graph.
        out_channels (int): Output width.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, weight: Tensor,
                adjacency: RelationalAdjacency,
                out_channels: int) -> Tensor:
        out = x.new_zeros(adjacency.num_nodes, out_channels)
        target = adjacency.group_target
        for i, (g0, g1, e0, e1, single) in enumerate(_segments(adjacency)):
            grouped = _grouped_input(x, adjacency, g0, g1, e0, e1, single)
            out.index_add_(0, target[g0:g1], _apply(grouped, weight[i]))
        ctx.save_for_backward(x, weight)
        ctx.adjacency = adjacency
        return out

    @staticmethod
    @float32_backward
    def backward(ctx: Any, grad_out: Tensor) -> Tuple[Any, ...]:
        x, weight = ctx.saved_tensors
        adjacency: RelationalAdjacency = ctx.adjacency
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        grad_x = torch.zeros_like(x) if need_x else None
        grad_weight = torch.empty_like(weight) if need_w else None
        target = adjacency.group_target
        for i, (g0, g1, e0, e1, single) in enumerate(_segments(adjacency)):
            grad = grad_out.index_select(0, target[g0:g1])
            if need_w:
                grouped = _grouped_input(x, adjacency, g0, g1, e0, e1,
                                         single)
                grad_weight[i] = _weight_grad(grouped, grad, weight[i])
            if need_x:
                grad_grouped = _apply_transposed(grad, weight[i])
                if not single:
                    grad_grouped = grad_grouped.index_select(
                        0, adjacency.edge_group[e0:e1] - g0)
                grad_grouped.mul_(adjacency.edge_weight[e0:e1, None])
                grad_x.index_add_(0, adjacency.edge_source[e0:e1],
                                  grad_grouped)
        return grad_x, grad_weight, None, None
