"""LinkSubgraph: the target KG plus the linked source neighbourhoods."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import torch
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.transforms import BaseTransform

from pyg_kgt.data.multi_source_kg import FACT, SAME_AS


def _links(data: HeteroData, target: str, source: str) -> Tensor:
    r"""Training alignment pairs :obj:`[A, 2]` as (target id, source id)."""
    if (target, SAME_AS, source) in data.edge_types:
        return data[target, SAME_AS, source].edge_index.t()
    if (source, SAME_AS, target) in data.edge_types:
        return data[source, SAME_AS, target].edge_index.flip(0).t()
    return torch.empty(0, 2, dtype=torch.long)


def _sample_incident(edge_index: Tensor, frontier: Tensor, num_nodes: int,
                     max_neighbors: Optional[int],
                     generator: torch.Generator) -> Tensor:
    r"""Ids of edges incident to ``frontier`` nodes, at most
    ``max_neighbors`` per frontier node (uniform, seeded)."""
    in_frontier = torch.zeros(num_nodes, dtype=torch.bool)
    in_frontier[frontier] = True
    # Each edge once per frontier endpoint: (node, edge) pairs.
    ends = [(edge_index[0], torch.arange(edge_index.size(1))),
            (edge_index[1], torch.arange(edge_index.size(1)))]
    nodes = torch.cat([n[in_frontier[n]] for n, _ in ends])
    edges = torch.cat([e[in_frontier[n]] for n, e in ends])
    if max_neighbors is not None and edges.numel():
        key = torch.rand(edges.numel(), generator=generator)
        order = torch.argsort(key)
        nodes, edges = nodes[order], edges[order]
        order = torch.sort(nodes, stable=True).indices
        nodes, edges = nodes[order], edges[order]
        counts = torch.bincount(nodes, minlength=num_nodes)
        first = torch.cumsum(counts, 0) - counts
        rank = torch.arange(nodes.numel()) - first[nodes]
        edges = edges[rank < max_neighbors]
    return torch.unique(edges)


def _copy_vocabulary(data: HeteroData, out: HeteroData, kg: str,
                     entities: bool) -> None:
    keys = ('relation_names', 'relation_index') + (
        ('entity_names',) if entities else ())
    for key in keys:
        if key in data[kg]:
            out[kg][key] = data[kg][key]


class LinkSubgraph(BaseTransform):
    r"""Cuts the linked subgraph of a target KG (Sun et al., KDD 2023): the
    target KG, plus, in every source KG, the ``num_hops``-hop neighbourhood
    of the source entities aligned (by training seed alignments) to target
    entities, joined to the target by those alignment edges.

    At each hop every fact edge incident to a frontier node is kept (or, with
    ``max_neighbors``, that many per frontier node, sampled uniformly with
    ``seed``) and its other endpoint joins the subgraph. Source nodes are
    renumbered in increasing order of their original ids.

    Output (a new :class:`~torch_geometric.data.HeteroData`):

    * ``data[target]``: as in the input (all nodes, every fact split), with
      ``teacher_id`` :obj:`[N_t]`: the teacher node of the entity's aligned
      counterpart in the first source (in ``sources`` order) that has one,
      else -1.
    * ``data[s]`` per source: ``num_nodes``, ``orig_id`` :obj:`[N_s]`
      (entity id in source ``s``) and ``teacher_id`` :obj:`[N_s]` (teacher
      node, -1 if the teacher does not know ``s``); ``data[s, 'fact',
      s]`` the kept training edges (``edge_index`` :obj:`[2, E_s]`,
      ``edge_type`` :obj:`[E_s]`); ``data[target, 'same_as', s].edge_index``
      :obj:`[2, A_s]` (target id, new source id).
    * ``data.target_name`` (str), ``data.num_relations`` and, when the
      input has them (:meth:`~pyg_kgt.data.MultiSourceKG.to_hetero_data`),
      ``data.relation_names``, every KG's ``relation_names`` and
      ``relation_index`` and the target's ``entity_names``, so the student
      knows its own names and maps relations to the teacher's by name.

    Args:
        target (str): The target KG (node type).
        sources ([str], optional): Source KGs (default: every other node
            type; ``[]`` keeps the target alone).
        num_hops (int): Hops of the neighbourhood. (default: 1)
        max_neighbors (int, optional): Edges kept per frontier node per hop.
            (default: :obj:`None`, all)
        seed (int): Seed of the sampling. (default: 0)
        teacher_node_index ({str: Tensor}, optional): Per source, the teacher
            node id of each of its entities (e.g.
            ``{s: teacher.node_index(s)}``). Default: the sources laid out
            one after another in ``sources`` order.
    """

    def __init__(self, target: str, sources: Optional[Sequence[str]] = None,
                 num_hops: int = 1, max_neighbors: Optional[int] = None,
                 seed: int = 0,
                 teacher_node_index: Optional[Dict[str, Tensor]] = None
                 ) -> None:
        if num_hops < 0:
            raise ValueError('num_hops must be >= 0')
        self.target = target
        self.sources = list(sources) if sources is not None else None
        self.num_hops = num_hops
        self.max_neighbors = max_neighbors
        self.seed = seed
        self.teacher_node_index = teacher_node_index

    def _teacher_index(self, data: HeteroData,
                       sources: List[str]) -> Dict[str, Tensor]:
        if self.teacher_node_index is not None:
            return self.teacher_node_index
        index, offset = {}, 0
        for s in sources:
            index[s] = torch.arange(data[s].num_nodes) + offset
            offset += data[s].num_nodes
        return index

    def forward(self, data: HeteroData) -> HeteroData:
        target = self.target
        if target not in data.node_types:
            raise ValueError(f"target '{target}' is not a node type of the "
                             f'data ({data.node_types})')
        sources = (self.sources if self.sources is not None else
                   [t for t in data.node_types if t != target])
        teacher_index = self._teacher_index(data, sources)
        generator = torch.Generator().manual_seed(self.seed)
        out = HeteroData()
        out[target].num_nodes = data[target].num_nodes
        _copy_vocabulary(data, out, target, entities=True)
        for key, value in data[target, FACT, target].items():
            out[target, FACT, target][key] = value
        target_teacher = torch.full((data[target].num_nodes,), -1,
                                    dtype=torch.long)
        for s in sources:
            links = _links(data, target, s)
            num = data[s].num_nodes
            store = data[s, FACT, s]
            keep = torch.zeros(num, dtype=torch.bool)
            keep[links[:, 1]] = True
            frontier = torch.unique(links[:, 1])
            kept_edges = torch.empty(0, dtype=torch.long)
            for _ in range(self.num_hops):
                if frontier.numel() == 0:
                    break
                edges = _sample_incident(store.edge_index, frontier, num,
                                         self.max_neighbors, generator)
                kept_edges = torch.unique(torch.cat([kept_edges, edges]))
                ends = store.edge_index[:, edges].reshape(-1)
                frontier = torch.unique(ends[~keep[ends]])
                keep[ends] = True
            orig = torch.nonzero(keep).view(-1)
            new_id = torch.full((num,), -1, dtype=torch.long)
            new_id[orig] = torch.arange(orig.numel())
            out[s].num_nodes = int(orig.numel())
            out[s].orig_id = orig
            _copy_vocabulary(data, out, s, entities=False)
            known = teacher_index.get(s)
            out[s].teacher_id = (known[orig] if known is not None else
                                 torch.full_like(orig, -1))
            out[s, FACT, s].edge_index = new_id[store.edge_index[:,
                                                                 kept_edges]]
            out[s, FACT, s].edge_type = store.edge_type[kept_edges]
            out[target, SAME_AS, s].edge_index = torch.stack(
                [links[:, 0], new_id[links[:, 1]]])
            if known is not None:
                unset = target_teacher[links[:, 0]] < 0
                target_teacher[links[unset, 0]] = known[links[unset, 1]]
        out[target].teacher_id = target_teacher
        out.target_name = target
        out.num_relations = data.num_relations
        if 'relation_names' in data:
            out.relation_names = data.relation_names
        return out

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(target='{self.target}', "
                f'num_hops={self.num_hops}, '
                f'max_neighbors={self.max_neighbors})')
