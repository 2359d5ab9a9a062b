"""The message-passing graph of a model trained jointly on several KGs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List

import torch
from torch import Tensor

from pyg_kgt.data.homogeneous_view import HomogeneousView
from pyg_kgt.data.multi_source_kg import MultiSourceKG

LINKING = ('same_as', 'merge')


def merge_components(num_nodes: int, pairs: Tensor) -> Tensor:
    r"""Connected components of the alignment graph by vectorised label
    propagation (each node takes the smallest label among itself and its
    aligned partners until nothing changes; as many rounds as the longest
    alignment chain). Returns a component id per node, :obj:`[num_nodes]`,
    renumbered ``0 .. C-1`` in order of first node."""
    label = torch.arange(num_nodes)
    if pairs.numel():
        src = torch.cat([pairs[:, 0], pairs[:, 1]])
        dst = torch.cat([pairs[:, 1], pairs[:, 0]])
        while True:
            new = label.scatter_reduce(0, dst, label[src], 'amin')
            if torch.equal(new, label):
                break
            label = new
    return torch.unique(label, return_inverse=True)[1]


@dataclass
class JointGraph:
    r"""Several KGs as one message-passing graph, linked one of two ways.

    * ``"same_as"``: every entity is its own node; training alignment pairs
      become ``same_as`` edges (one extra relation, both directions) and
      ``alignment_pairs`` feed an alignment loss. Keeps each KG's view of an
      entity separate (robust to wrong links); transfer goes through
      message passing and the loss.
    * ``"merge"``: aligned entities collapse into one node (transitively,
      across all KGs), so they share one embedding: the strongest sharing
      and fewer nodes, but a wrong or chained link merges different
      entities, and one KG's two entities linked through a chain become one
      candidate.

    Attributes:
        names ([str]): KGs in order.
        num_nodes (int): Nodes of the graph.
        num_relations (int): Fact relations scored by the decoder.
        num_message_relations (int): Edge types (facts, inverses,
            ``same_as``).
        node_index ({str: Tensor}): Per KG, :obj:`[num_entities]` node id of
            each entity.
        edge_index (torch.Tensor): :obj:`[2, E]`.
        edge_type (torch.Tensor): :obj:`[E]`.
        alignment_pairs (torch.Tensor): :obj:`[A, 2]` node pairs of training
            alignments (empty for ``"merge"``).
        linking (str): The mode.
    """
    names: List[str]
    num_nodes: int
    num_relations: int
    num_message_relations: int
    node_index: Dict[str, Tensor]
    edge_index: Tensor
    edge_type: Tensor
    alignment_pairs: Tensor
    linking: str

    @classmethod
    def build(cls, kg: MultiSourceKG, linking: str = 'same_as'
              ) -> 'JointGraph':
        if linking not in LINKING:
            raise ValueError(f"linking must be one of {LINKING}, got "
                             f"'{linking}'")
        data = kg.to_hetero_data()
        view = HomogeneousView.from_hetero(
            data, add_inverse=True, add_same_as=linking == 'same_as')
        pairs = [torch.stack([
            view.global_ids(a, links.train[:, 0]),
            view.global_ids(b, links.train[:, 1])], dim=1)
            for (a, b), links in kg.alignments.items()]
        pairs = torch.cat(pairs) if pairs else torch.empty(0, 2,
                                                           dtype=torch.long)
        node_of = torch.arange(view.num_nodes)
        edge_index, edge_type = view.edge_index, view.edge_type
        num_nodes = view.num_nodes
        if linking == 'merge':
            node_of = merge_components(view.num_nodes, pairs)
            num_nodes = int(node_of.max()) + 1 if node_of.numel() else 0
            edge_index = node_of[edge_index]
            pairs = torch.empty(0, 2, dtype=torch.long)
        node_index = {name: node_of[view.node_offset[name]:
                                    view.node_offset[name] +
                                    kg[name].num_entities]
                      for name in view.node_types}
        return cls(list(view.node_types), num_nodes, kg.num_relations,
                   view.num_relations, node_index, edge_index, edge_type,
                   pairs, linking)

    def node_triples(self, kg: MultiSourceKG, name: str,
                     split: str = 'train') -> Tensor:
        r"""Triples of KG ``name`` in node ids and global relation ids."""
        triples = kg[name].triples(split)
        index = self.node_index[name]
        return torch.stack([index[triples[:, 0]], kg.global_relations(
            name, triples[:, 1]), index[triples[:, 2]]], dim=1)
