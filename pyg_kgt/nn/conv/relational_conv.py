"""Our relational graph convolution (a PyG ``MessagePassing`` layer)."""
from __future__ import annotations

from typing import NamedTuple, Optional, Tuple, Union

import torch
from torch import Tensor
from torch.nn import Parameter
from torch_geometric.nn import MessagePassing
from torch_geometric.nn.inits import glorot, zeros

from pyg_kgt.nn.conv.basis_message import BasisRelationalMessage
from pyg_kgt.nn.conv.grouped_message import GroupedRelationalMessage
from pyg_kgt.nn.conv.relational_adjacency import RelationalAdjacency
from pyg_kgt.nn.precision import apply_in_float32


METHODS = ('auto', 'grouped', 'basis')
# ``method="auto"``: in the grouped path one present relation's kernels
# cost about as much as this many more (relation, target) groups of GEMM
# rows. Measured on 2 cores at width 200 (docs/performance.rst): the basis
# path won with B*N = 1.22 G over 1,739 relations (DBP-5L) and 1.02 G over
# 43 (product shape), and lost with 1.23 G over 200 (uniform graph).
GROUPS_PER_RELATION = 200


class RelationalMessages(NamedTuple):
    r"""What a :class:`RelationalConv` layer computed, for network-level
    distillation.

    Attributes:
        aggregated (torch.Tensor): :obj:`[N, out]` neighbour messages summed
            per node over relations (before self-loop and bias).
        out (torch.Tensor): :obj:`[N, out]` the pre-activation output.
    """
    aggregated: Tensor
    out: Tensor


class RelationalConv(MessagePassing):
    r"""The relational graph convolution of Schlichtkrull et al. (2018),
    "Modeling Relational Data with Graph Convolutional Networks", computed
    relation-grouped for speed and memory:

    .. math::
        \mathbf{x}^{\prime}_i = \mathbf{\Theta}_{\textrm{root}} \mathbf{x}_i
        + \sum_{r \in \mathcal{R}} \mathbf{\Theta}_r \Big(
        \sum_{j \in \mathcal{N}_r(i)} \frac{1}{|\mathcal{N}_r(i)|}
        \mathbf{x}_j \Big) + \mathbf{b}

    Neighbour features are first aggregated per non-empty ``(relation,
    target)`` group with one sparse matrix product
    (:class:`RelationalAdjacency`), then each relation's groups are
    multiplied by :math:`\mathbf{\Theta}_r` and added into their targets
    (:class:`GroupedRelationalMessage`, a fused autograd function that saves
    only its inputs). Work grows with the number of groups (at most the
    number of edges) times the width, memory with one such group tensor; no
    per-edge weight or message tensor is built.
    Numerically it equals PyG's :class:`~torch_geometric.nn.conv.RGCNConv`
    with ``aggr="mean"`` (same parameter names and layout).

    Weights :math:`\mathbf{\Theta}_r` are full (``R * in * out``
    parameters), a basis decomposition :math:`\mathbf{\Theta}_r = \sum_b
    a_{rb} \mathbf{V}_b` (``num_bases``; fewer parameters, shared across
    relations), or block-diagonal (``num_blocks``; ``R * in * out /
    num_blocks`` parameters, no mixing across blocks).

    Args:
        in_channels (int): Input width.
        out_channels (int): Output width.
        num_relations (int): Edge types (with ``add_inverse``: forward
            types; weights then exist for ``2 * num_relations``).
        num_bases (int, optional): Basis decomposition. (default: :obj:`None`)
        num_blocks (int, optional): Block-diagonal decomposition.
            (default: :obj:`None`)
        aggr (str): ``"mean"`` (per-relation degree normalisation) or
            ``"add"``. (default: ``"mean"``)
        root_weight (bool): Add the self-loop term. (default: :obj:`True`)
        bias (bool): Add a bias. (default: :obj:`True`)
        add_inverse (bool): Add reversed edges as extra types when given a
            raw ``edge_index``. (default: :obj:`False`)
        method (str): How messages are computed: ``"grouped"`` (relation by
            relation, :class:`GroupedRelationalMessage`), ``"basis"`` (with
            ``num_bases`` only: one sparse product per basis over all
            edges, :class:`BasisRelationalMessage`) or ``"auto"``, which
            compares their dense work (see :meth:`message_method`).
            (default: ``"auto"``)

    .. note::
        ``"grouped"`` runs one small kernel per present relation (a few
        thousand on multi-source KGs): fast while relations are few, but
        each kernel opens a parallel region, which collapses when other
        processes share the cores. ``"basis"`` runs one weighted
        gather-sum over all edges and bases and one GEMM whatever the
        number of relations; its dense work grows with bases times nodes
        times width, and it keeps the per-basis aggregates
        :obj:`[N, B * in]` for the backward pass.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 num_relations: int, num_bases: Optional[int] = None,
                 num_blocks: Optional[int] = None, aggr: str = 'mean',
                 root_weight: bool = True, bias: bool = True,
                 add_inverse: bool = False,
                 method: str = 'auto') -> None:
        super().__init__(aggr=None, node_dim=0)
        if num_bases is not None and num_blocks is not None:
            raise ValueError('use num_bases or num_blocks, not both')
        if num_blocks is not None and (in_channels % num_blocks or
                                       out_channels % num_blocks):
            raise ValueError(f'in_channels ({in_channels}) and out_channels '
                             f'({out_channels}) must be divisible by '
                             f'num_blocks ({num_blocks})')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.num_relations = num_relations
        self.num_bases = num_bases
        self.num_blocks = num_blocks
        self.aggregation = aggr
        self.root_weight = root_weight
        self.add_inverse = add_inverse
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got "
                             f"'{method}'")
        if method == 'basis' and num_bases is None:
            raise ValueError("method='basis' needs num_bases")
        self.method = method
        weights = 2 * num_relations if add_inverse else num_relations
        self.num_weight_relations = weights
        if num_bases is not None:
            self.weight = Parameter(torch.empty(num_bases, in_channels,
                                                out_channels))
            self.comp = Parameter(torch.empty(weights, num_bases))
        elif num_blocks is not None:
            self.weight = Parameter(torch.empty(
                weights, num_blocks, in_channels // num_blocks,
                out_channels // num_blocks))
            self.register_parameter('comp', None)
        else:
            self.weight = Parameter(torch.empty(weights, in_channels,
                                                out_channels))
            self.register_parameter('comp', None)
        self.root = (Parameter(torch.empty(in_channels, out_channels))
                     if root_weight else None)
        self.bias = Parameter(torch.empty(out_channels)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        super().reset_parameters()
        glorot(self.weight)
        glorot(self.comp)
        glorot(self.root)
        zeros(self.bias)

    def adjacency(self, edge_index: Tensor, edge_type: Tensor,
                  num_nodes: int) -> RelationalAdjacency:
        r"""The grouped adjacency of a graph for this layer's settings;
        build it once and pass it to every forward call."""
        return RelationalAdjacency.from_edges(
            edge_index, edge_type, num_nodes, self.num_relations,
            self.add_inverse, self.aggregation)

    def forward(self, x: Tensor,
                edge_index: Union[Tensor, RelationalAdjacency],
                edge_type: Optional[Tensor] = None,
                return_messages: bool = False
                ) -> Union[Tensor, Tuple[Tensor, RelationalMessages]]:
        r"""Runs the layer.

        Args:
            x (torch.Tensor): Node features :obj:`[N, in_channels]`.
            edge_index (torch.Tensor or RelationalAdjacency): :obj:`[2, E]`
                with ``edge_type`` :obj:`[E]`, or a prebuilt adjacency.
            edge_type (torch.Tensor, optional): Edge types.
            return_messages (bool): Also return
                :class:`RelationalMessages`. (default: :obj:`False`)
        """
        if isinstance(edge_index, RelationalAdjacency):
            adjacency = edge_index
        else:
            if edge_type is None:
                raise ValueError('edge_type is required with an edge_index')
            adjacency = self.adjacency(edge_index, edge_type, x.size(0))
        if adjacency.num_relations != self.num_weight_relations:
            raise ValueError(f'adjacency has {adjacency.num_relations} '
                             f'relations, layer has weights for '
                             f'{self.num_weight_relations}')
        aggregated = self.propagate(adjacency.adj, x=x,
                                    adjacency=adjacency)
        out = aggregated
        if self.root is not None:
            out = out + x @ self.root
        if self.bias is not None:
            out = out + self.bias
        if return_messages:
            return out, RelationalMessages(aggregated, out)
        return out

    def message_and_aggregate(self, adj_t: Tensor, x: Tensor,
                              adjacency: RelationalAdjacency) -> Tensor:
        # Fused: per-(relation, target) mean, relation transform, and sum
        # into targets, without per-edge or per-group intermediates kept.
        present = adjacency.present_relations
        if not present:
            return x.new_zeros(x.size(0), self.out_channels)
        if self.message_method(adjacency) == 'basis':
            return apply_in_float32(BasisRelationalMessage, x, self.comp,
                                    self.weight, adjacency.basis())
        if self.num_blocks is not None:
            weight = self.weight[present]
        else:
            weight = self.relation_weights(torch.tensor(present,
                                                        device=x.device))
        return apply_in_float32(GroupedRelationalMessage, x, weight,
                                adjacency, self.out_channels)

    def message_method(self, adjacency: RelationalAdjacency) -> str:
        r"""The message path used on ``adjacency`` (see ``method``).

        ``"auto"`` takes ``"basis"`` when the layer has bases and

        .. math::
            B \cdot N < G + c \cdot R,

        :math:`B N` being the rows of the basis path's GEMMs (bases times
        nodes), :math:`G` the (relation, target) groups the grouped path
        multiplies and :math:`R` its present relations, each costing about
        :math:`c` = :data:`GROUPS_PER_RELATION` groups of work in kernel
        overheads; else ``"grouped"``.
        """
        if self.method != 'auto':
            return self.method
        if self.num_bases is not None and (
                self.num_bases * adjacency.num_nodes <
                adjacency.group_target.numel() + GROUPS_PER_RELATION *
                len(adjacency.present_relations)):
            return 'basis'
        return 'grouped'

    def relation_weights(self, relations: Optional[Tensor] = None
                         ) -> Tensor:
        r"""Full weights :obj:`[len(relations), in, out]` of the given
        relations (default all); block-diagonal layers have no full form.

        With bases only the requested relations are composed, so a graph
        that uses few of many relation types pays only for those.
        """
        if self.num_blocks is not None:
            raise ValueError('block-diagonal weights are applied blockwise')
        if self.num_bases is None:
            return self.weight if relations is None else self.weight[
                relations]
        comp = self.comp if relations is None else self.comp[relations]
        return (comp @ self.weight.view(self.num_bases, -1)).view(
            -1, self.in_channels, self.out_channels)

    def __repr__(self) -> str:
        method = '' if self.method == 'auto' else f", method='{self.method}'"
        return (f'{self.__class__.__name__}({self.in_channels}, '
                f'{self.out_channels}, num_relations={self.num_relations}'
                f'{decomposition_repr(self.num_bases, self.num_blocks)}'
                f'{method})')


def decomposition_repr(num_bases: Optional[int],
                       num_blocks: Optional[int]) -> str:
    r"""The ``, num_bases=...`` / ``, num_blocks=...`` part of a repr."""
    if num_bases is not None:
        return f', num_bases={num_bases}'
    if num_blocks is not None:
        return f', num_blocks={num_blocks}'
    return ''
