"""What a student needs from a teacher, computed once and stored."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import List

from torch import Tensor

from pyg_kgt.io import atomic_torch_save, safe_torch_load


@dataclass
class TeacherCache:
    r"""Teacher outputs for one linked subgraph, so a
    :class:`~pyg_kgt.LocalStudent` trains without the teacher in memory
    (however large the teacher was). Student node ids follow the linked
    subgraph's :class:`~pyg_kgt.data.HomogeneousView` (target first).

    Attributes:
        linked_nodes (torch.Tensor): :obj:`[n]` student nodes that have a
            teacher node.
        embeddings (torch.Tensor): :obj:`[n, d_T]` their teacher embeddings.
        messages ([torch.Tensor]): Per teacher layer, :obj:`[n, d_T]` the
            teacher's aggregated messages at those nodes.
        queries (torch.Tensor): :obj:`[Q, 2]` target training queries
            (student head node, relation) the teacher can answer.
        candidates (torch.Tensor): :obj:`[Q, k]` the teacher's top-k tails
            (student node ids of target entities).
        scores (torch.Tensor): :obj:`[Q, k]` the teacher's scores of them.
    """
    linked_nodes: Tensor
    embeddings: Tensor
    messages: List[Tensor]
    queries: Tensor
    candidates: Tensor
    scores: Tensor

    @property
    def teacher_channels(self) -> int:
        return int(self.embeddings.size(1))

    @property
    def num_teacher_layers(self) -> int:
        return len(self.messages)

    def save(self, path: str) -> None:
        r"""Writes the cache atomically."""
        atomic_torch_save(asdict(self), path)

    @classmethod
    def load(cls, path: str) -> 'TeacherCache':
        r"""Reads a cache (``weights_only=True``)."""
        return cls(**safe_torch_load(path))
