"""A relational GCN encoder: embedding table + RelationalConv layers."""
from __future__ import annotations

from typing import List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.nn import Embedding, Module, ModuleList

from pyg_kgt.nn.conv import (RelationalAdjacency, RelationalConv,
                             RelationalMessages)
from pyg_kgt.nn.conv.relational_conv import decomposition_repr


class RGCNEncoder(Module):
    r"""Entity encoder: an embedding table (or given input features) followed
    by ``num_layers`` :class:`RelationalConv` layers,

    .. math::
        \mathbf{H}^{(0)} = \mathbf{E}, \qquad
        \mathbf{H}^{(l+1)} = \sigma\big(\mathrm{RelationalConv}^{(l)}
        (\mathbf{H}^{(l)})\big),

    with :math:`\sigma` = ReLU between layers and none after the last (the
    output feeds a score function). ``num_layers=0`` is a plain embedding
    model. Encoders never know the score function.

    Args:
        num_nodes (int): Entities (rows of the embedding table).
        hidden_channels (int): Width of every layer and the output.
        num_relations (int): Edge types of the graph it runs on.
        num_layers (int): Convolution layers. (default: 2)
        num_bases (int, optional): Basis decomposition per layer.
        num_blocks (int, optional): Block-diagonal weights per layer.
        dropout (float): Dropout on layer inputs in training. (default: 0.0)
        in_channels (int, optional): Width of given input features; then no
            embedding table is created. (default: :obj:`None`)
        add_inverse (bool): Layers add reversed edges as extra types.
            (default: :obj:`False`; the homogeneous view already has them)
        aggr (str): ``"mean"`` or ``"add"``. (default: ``"mean"``)
    """

    def __init__(self, num_nodes: int, hidden_channels: int,
                 num_relations: int, num_layers: int = 2,
                 num_bases: Optional[int] = None,
                 num_blocks: Optional[int] = None, dropout: float = 0.0,
                 in_channels: Optional[int] = None,
                 add_inverse: bool = False, aggr: str = 'mean') -> None:
        super().__init__()
        self.num_nodes = num_nodes
        self.hidden_channels = hidden_channels
        self.num_relations = num_relations
        self.num_layers = num_layers
        self.num_bases = num_bases
        self.num_blocks = num_blocks
        self.dropout = dropout
        self.in_channels = in_channels
        self.add_inverse = add_inverse
        self.aggr = aggr
        self.embedding = (Embedding(num_nodes, hidden_channels)
                          if in_channels is None else None)
        width = hidden_channels if in_channels is None else in_channels
        self.convs = ModuleList()
        for _ in range(num_layers):
            self.convs.append(RelationalConv(
                width, hidden_channels, num_relations, num_bases=num_bases,
                num_blocks=num_blocks, aggr=aggr, add_inverse=add_inverse))
            width = hidden_channels
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.embedding is not None:
            torch.nn.init.xavier_uniform_(self.embedding.weight)
        for conv in self.convs:
            conv.reset_parameters()

    def adjacency(self, edge_index: Tensor, edge_type: Tensor,
                  num_nodes: Optional[int] = None) -> RelationalAdjacency:
        r"""The grouped adjacency for this encoder; build once per graph."""
        return RelationalAdjacency.from_edges(
            edge_index, edge_type, num_nodes or self.num_nodes,
            self.num_relations, self.add_inverse, self.aggr)

    def forward(self, adjacency: Union[RelationalAdjacency, Tensor],
                edge_type: Optional[Tensor] = None,
                x: Optional[Tensor] = None, return_messages: bool = False
                ) -> Union[Tensor, Tuple[Tensor, List[RelationalMessages]]]:
        r"""Encodes every node.

        Args:
            adjacency (RelationalAdjacency or torch.Tensor): Prebuilt
                adjacency, or an ``edge_index`` :obj:`[2, E]` with
                ``edge_type``.
            edge_type (torch.Tensor, optional): :obj:`[E]`.
            x (torch.Tensor, optional): Input features :obj:`[N, in]`;
                default the embedding table.
            return_messages (bool): Also return one
                :class:`RelationalMessages` per layer. (default: :obj:`False`)

        Returns:
            :obj:`[N, hidden_channels]` embeddings (and the messages).
        """
        if not isinstance(adjacency, RelationalAdjacency) and self.convs:
            adjacency = self.adjacency(adjacency, edge_type)
        h = self.embedding.weight if x is None else x
        messages: List[RelationalMessages] = []
        for i, conv in enumerate(self.convs):
            h = F.dropout(h, self.dropout, self.training)
            h, layer = conv(h, adjacency, return_messages=True)
            messages.append(layer)
            if i < len(self.convs) - 1:
                h = F.relu(h)
        return (h, messages) if return_messages else h

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.num_nodes}, '
                f'{self.hidden_channels}, num_relations={self.num_relations}'
                f', num_layers={self.num_layers}'
                f'{decomposition_repr(self.num_bases, self.num_blocks)})')
