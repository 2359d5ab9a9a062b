"""Fixed fan-out neighbour sampling for memory-bounded training."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence

import torch
from torch import Tensor

from pyg_kgt.nn.conv import RelationalAdjacency


@dataclass
class SampledSubgraph:
    r"""A sampled computation graph around some seed nodes.

    Attributes:
        nodes (torch.Tensor): :obj:`[n]` global ids; the seeds come first.
        adjacency (RelationalAdjacency): Over local ids ``0 .. n-1``.
        local (torch.Tensor): :obj:`[num_nodes]` global -> local id (-1 if
            not sampled); valid until the next :meth:`sample`.
    """
    nodes: Tensor
    adjacency: RelationalAdjacency
    local: Tensor


class RelationalNeighborSampler:
    r"""Samples, hop by hop, ``num_neighbors[l]`` incoming edges (uniformly,
    with replacement, duplicates removed) of every frontier node, starting
    from seed nodes, as a layer-``L`` encoder needs. Work and memory per
    sample are :math:`O(|\textrm{seeds}| \prod_l \textrm{fan-out}_l)`,
    independent of the graph's size (a documented own sampler: PyG's
    samplers need the ``sampling`` extra, which builds from source).

    Args:
        edge_index (torch.Tensor): :obj:`[2, E]` (source, target).
        edge_type (torch.Tensor): :obj:`[E]`.
        num_nodes (int): Nodes.
        num_relations (int): Edge types.
        num_neighbors ([int]): Fan-out per hop (one per encoder layer).
        aggr (str): Normalisation of the sampled adjacency. (default:
            ``"mean"``)
        seed (int): Seed of the sampling stream. (default: 0)
    """

    def __init__(self, edge_index: Tensor, edge_type: Tensor, num_nodes: int,
                 num_relations: int, num_neighbors: Sequence[int],
                 aggr: str = 'mean', seed: int = 0) -> None:
        self.num_nodes = num_nodes
        self.num_relations = num_relations
        self.num_neighbors: List[int] = list(num_neighbors)
        self.aggr = aggr
        order = torch.argsort(edge_index[1], stable=True)
        self.source = edge_index[0, order]
        self.target = edge_index[1, order]
        self.edge_type = edge_type[order]
        self.ptr = torch.zeros(num_nodes + 1, dtype=torch.long)
        torch.cumsum(torch.bincount(edge_index[1], minlength=num_nodes), 0,
                     out=self.ptr[1:])
        self.generator = torch.Generator().manual_seed(seed)
        self._local = torch.full((num_nodes,), -1, dtype=torch.long)

    def sample(self, seeds: Tensor) -> SampledSubgraph:
        r"""Samples around ``seeds`` (unique global ids)."""
        self._local[self._local >= 0] = -1  # reset only touched entries
        nodes = [seeds]
        self._local[seeds] = torch.arange(seeds.numel())
        count = seeds.numel()
        frontier = seeds
        edges = []
        for fanout in self.num_neighbors:
            start = self.ptr[frontier]
            degree = self.ptr[frontier + 1] - start
            has = degree > 0
            start, degree = start[has], degree[has]
            if start.numel() == 0:
                break
            offset = (torch.rand(start.numel(), fanout,
                                 generator=self.generator) *
                      degree[:, None]).long()
            picked = torch.unique(start[:, None] + offset)
            edges.append(picked)
            new = torch.unique(self.source[picked])
            new = new[self._local[new] < 0]
            self._local[new] = torch.arange(count, count + new.numel())
            count += new.numel()
            nodes.append(new)
            frontier = new
        picked = (torch.unique(torch.cat(edges)) if edges else
                  torch.empty(0, dtype=torch.long))
        edge_index = torch.stack([self._local[self.source[picked]],
                                  self._local[self.target[picked]]])
        adjacency = RelationalAdjacency.from_edges(
            edge_index, self.edge_type[picked], count, self.num_relations,
            aggr=self.aggr)
        return SampledSubgraph(torch.cat(nodes), adjacency, self._local)
