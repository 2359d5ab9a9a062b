"""What a student needs from a teacher, computed once and stored."""
from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from pyg_kgt.data.homogeneous_view import HomogeneousView
from pyg_kgt.data.multi_source_kg import FACT
from pyg_kgt.evaluation.filter_index import FilterIndex
from pyg_kgt.io import atomic_torch_save, safe_torch_load
from pyg_kgt.models.student.warm_start import teacher_parameters

if TYPE_CHECKING:  # pragma: no cover
    from pyg_kgt.models.teacher.joint_teacher import JointTeacher


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
        queries (torch.Tensor): :obj:`[Q, 2]` queries (student head node,
            student relation) the teacher can answer: the target's training
            queries, then those only the teacher has facts for (see
            ``missing``).
        candidates (torch.Tensor): :obj:`[Q, k]` the teacher's top-k tails
            (student node ids of target entities).
        scores (torch.Tensor): :obj:`[Q, k]` the teacher's scores of them.
        agreement (torch.Tensor, optional): :obj:`[Q]` how far the teacher
            agrees with the target's own training facts on each query: the
            probability its softmax over the top-k gives to the tails known
            true for ``(h, r)``. Low where the teacher's ranking is noise
            (a relation it learned poorly, a wrong alignment); see
            ``LocalStudentConfig.prediction_trust``. (A cache written before
            it existed has none: every query is trusted alike.) For a
            ``missing`` query, which has no known target fact, it is the
            mean agreement of its relation's known queries: how well the
            teacher's version of that relation ranks the target's facts.
        missing (torch.Tensor, optional): :obj:`[Q]` ``True`` for a query
            the target has no training fact for, but the teacher was trained
            on (a source fact ``(h_s, r_s, t_s)`` whose head is aligned to
            target entity ``h`` and whose relation is target relation ``r``):
            where transfer can add facts the target lacks
            (``LocalStudentConfig.prediction_queries``).
        warm_start (dict, optional): The teacher's parameters a student
            starts from (:func:`~pyg_kgt.models.student.warm_start.
            teacher_parameters`;
            ``LocalStudentConfig.warm_start``). A cache written before it
            existed has none: its students start cold.
    """
    linked_nodes: Tensor
    embeddings: Tensor
    messages: List[Tensor]
    queries: Tensor
    candidates: Tensor
    scores: Tensor
    agreement: Optional[Tensor] = None
    missing: Optional[Tensor] = None
    warm_start: Optional[Dict[str, Any]] = None

    @property
    def teacher_channels(self) -> int:
        return int(self.embeddings.size(1))

    @property
    def num_teacher_layers(self) -> int:
        return len(self.messages)

    @classmethod
    @torch.no_grad()
    def from_teacher(cls, teacher: 'JointTeacher', linked: HeteroData,
                     top_k: int = 50,
                     relation_aliases: Optional[Dict[str, str]] = None,
                     batch_size: int = 1024) -> 'TeacherCache':
        r"""Computes the cache of a linked subgraph made by
        :class:`~pyg_kgt.transforms.LinkSubgraph` (with
        ``teacher_node_index`` of ``teacher``).

        Prediction targets: for every distinct training query ``(h, r)`` of
        the target, and every query the teacher has a training fact for
        (mapped to the target through the alignment and relation names),
        whose head has a teacher node and whose relation has a
        counterpart the teacher trained on, the teacher scores every target
        entity that has a teacher node and keeps its ``top_k``. Relations
        are matched by name (:meth:`~pyg_kgt.data.RelationVocabulary.map`,
        through ``relation_aliases`` when given); queries whose relation
        has no counterpart get no prediction distillation, and a warning
        counts them.
        """
        view = HomogeneousView.from_hetero(linked)
        teacher_id = torch.cat([linked[t].teacher_id
                                for t in view.node_types])
        linked_nodes = torch.nonzero(teacher_id >= 0).view(-1)
        embeddings, messages = teacher.embeddings(return_messages=True)
        target = linked.target_name
        offset = view.node_offset[target]
        store = linked[target, FACT, target]
        target_teacher = linked[target].teacher_id
        queries = torch.unique(torch.stack(
            [store.edge_index[0], store.edge_type], dim=1), dim=0)
        relation_map = teacher_relations(teacher, linked, relation_aliases)
        relation = relation_map[queries[:, 1]]
        unknown = relation < 0
        if bool(unknown.any()):
            how = 'name or relation alignment' if relation_aliases else 'name'
            warnings.warn(
                f'{int(unknown.sum())} of {queries.size(0)} target queries '
                f'use {int(queries[unknown, 1].unique().numel())} relations '
                f'with no counterpart the teacher was trained on (matched '
                f'by {how}); they get no prediction distillation',
                RuntimeWarning)
        keep = ~unknown & (target_teacher[queries[:, 0]] >= 0)
        queries, relation = queries[keep], relation[keep]
        missing = teacher_queries(teacher, target_teacher, relation_map,
                                  queries)
        num_known = queries.size(0)
        queries = torch.cat([queries, missing])
        relation = torch.cat([relation, relation_map[missing[:, 1]]])
        pool = torch.nonzero(target_teacher >= 0).view(-1)
        k = min(top_k, int(pool.numel()))
        top_index, top_scores = [], []
        candidates = embeddings[target_teacher[pool]]
        device = embeddings.device  # the teacher's; the cache is on CPU
        for heads, relations in zip(torch.split(queries[:, 0], batch_size),
                                    torch.split(relation, batch_size)):
            scores = teacher.model.decoder.score_tails(
                embeddings[target_teacher[heads]], relations.to(device),
                candidates)
            best = scores.topk(k, dim=1)
            top_index.append(pool[best.indices.cpu()] + offset)
            top_scores.append(best.values.float().cpu())
        empty = torch.empty(0, k, dtype=torch.long)
        queries = torch.stack([queries[:, 0] + offset, queries[:, 1]], 1)
        candidates = torch.cat(top_index) if top_index else empty
        scores = torch.cat(top_scores) if top_scores else empty.float()
        known = torch.stack([store.edge_index[0] + offset, store.edge_type,
                             store.edge_index[1] + offset], dim=1)
        agreement = agreement_with(queries, candidates, scores, known)
        is_missing = torch.arange(queries.size(0)) >= num_known
        agreement[is_missing] = relation_means(
            agreement[~is_missing], queries[~is_missing, 1],
            int(linked.num_relations))[queries[is_missing, 1]]
        warm = teacher_parameters(
            teacher, teacher_id[linked_nodes],
            teacher_relations(teacher, linked, relation_aliases,
                              every_kg=True))
        return cls(
            linked_nodes, embeddings[teacher_id[linked_nodes]].cpu(),
            [m.aggregated[teacher_id[linked_nodes]].cpu() for m in messages],
            queries, candidates, scores, agreement, is_missing, warm)

    def to(self, device: torch.device) -> 'TeacherCache':
        r"""The cache with every tensor on ``device``."""
        def move(value):
            if isinstance(value, Tensor):
                return value.to(device)
            if isinstance(value, list):
                return [move(v) for v in value]
            if isinstance(value, dict):
                return {k: move(v) for k, v in value.items()}
            return value
        return TeacherCache(**{k: move(v) for k, v in vars(self).items()})

    def save(self, path: str) -> None:
        r"""Writes the cache atomically."""
        atomic_torch_save(asdict(self), path)

    @classmethod
    def load(cls, path: str) -> 'TeacherCache':
        r"""Reads a cache (``weights_only=True``)."""
        return cls(**safe_torch_load(path))


def agreement_with(queries: Tensor, candidates: Tensor, scores: Tensor,
                   known: Tensor) -> Tensor:
    r"""Per query :math:`q = (h, r)`, the probability the teacher puts on
    tails known to be true,

    .. math::
        a_q = \sum_{j \,:\, (h, r, c_{qj}) \in \mathcal{T}}
        \mathrm{softmax}(\mathbf{s}_q)_j \in [0, 1],

    over its top-k candidates :math:`c_q` with scores :math:`\mathbf{s}_q`
    and the known triples :math:`\mathcal{T}` (:obj:`[n, 3]`, the same ids
    as ``queries`` :obj:`[Q, 2]` and ``candidates`` :obj:`[Q, k]`), looked
    up with the evaluation's filter index
    (:meth:`~pyg_kgt.evaluation.filter_index.FilterIndex.contains`)."""
    if not queries.numel():
        return scores.new_zeros(0)
    num_relations = int(torch.cat([known[:, 1], queries[:, 1]]).max()) + 1
    hit = FilterIndex(known, num_relations).contains(
        queries[:, 0], queries[:, 1], candidates)
    return (torch.softmax(scores, dim=1) * hit).sum(dim=1)


def relation_means(values: Tensor, relations: Tensor,
                   num_relations: int) -> Tensor:
    r"""Per relation, the mean of ``values`` :obj:`[Q]` over the queries
    with that relation (``relations`` :obj:`[Q]`); 0 for a relation
    without any, :obj:`[num_relations]`."""
    total = values.new_zeros(num_relations).index_add_(0, relations, values)
    count = values.new_zeros(num_relations).index_add_(
        0, relations, torch.ones_like(values))
    return total / count.clamp(min=1)


def teacher_queries(teacher: 'JointTeacher', target_teacher: Tensor,
                    relation_map: Tensor, known: Tensor) -> Tensor:
    r"""The target queries :obj:`[M, 2]` (target entity, linked-graph
    relation) the teacher holds a training fact for and the target does
    not: teacher fact heads mapped back to target entities through
    ``target_teacher`` (:obj:`[N_t]`, each target entity's teacher node or
    :math:`-1`), teacher relations back to target relations through
    ``relation_map`` (:func:`teacher_relations`), minus the ``known``
    :obj:`[Q, 2]` target training queries."""
    graph = teacher.graph
    is_fact = graph.edge_type < graph.num_relations
    heads, relations = graph.edge_index[0, is_fact], graph.edge_type[is_fact]
    entity = torch.full((graph.num_nodes,), -1, dtype=torch.long)
    aligned = torch.nonzero(target_teacher >= 0).view(-1)
    entity[target_teacher[aligned]] = aligned
    relation = torch.full((graph.num_relations,), -1, dtype=torch.long)
    mapped = torch.nonzero(relation_map >= 0).view(-1)
    relation[relation_map[mapped]] = mapped
    pairs = torch.stack([entity[heads], relation[relations]], dim=1)
    pairs = torch.unique(pairs[(pairs >= 0).all(dim=1)], dim=0)
    num_relations = int(relation_map.numel())
    seen = torch.isin(pairs[:, 0] * num_relations + pairs[:, 1],
                      known[:, 0] * num_relations + known[:, 1])
    return pairs[~seen]


def teacher_relations(teacher: 'JointTeacher', linked: HeteroData,
                      relation_aliases: Optional[Dict[str, str]] = None,
                      every_kg: bool = False) -> Tensor:
    r"""The teacher relation of each relation of the linked graph
    :obj:`[num_relations]`: the target's relations matched to the teacher's
    by name (or through ``relation_aliases``, target name -> teacher name),
    :math:`-1` where the teacher has none or never trained on it (its
    embedding would be noise to imitate) and for non-target relations.
    With ``every_kg``, the sources' relations too, each matched by name
    inside the same KG of the teacher (the warm start's map,
    :func:`~pyg_kgt.models.student.warm_start.warm_start`)."""
    target = linked.target_name
    if 'relation_names' not in linked[target]:
        raise ValueError(f"the linked graph carries no relation names for "
                         f"'{target}': build it from "
                         f'MultiSourceKG.to_hetero_data()')
    vocabulary = teacher.relation_vocabulary
    graph = teacher.graph
    trained = torch.zeros(graph.num_relations + 1, dtype=torch.bool)
    trained[graph.edge_type[graph.edge_type < graph.num_relations]] = True
    out = torch.full((int(linked.num_relations),), -1, dtype=torch.long)
    kgs = [k for k in linked.node_types if k != target and
           'relation_names' in linked[k]] if every_kg else []
    for kg in kgs + [target]:  # the target's own map wins on a shared id
        names = list(linked[kg].relation_names)
        if kg == target or kg not in vocabulary.kg_names:
            ids = vocabulary.map(names, relation_aliases
                                 if kg == target else None)
        else:
            own = dict(zip(vocabulary.kg_names[kg], vocabulary.kg_index[kg]))
            ids = torch.tensor([own.get(n, -1) for n in names],
                               dtype=torch.long)
        ids[~trained[ids]] = -1  # ids of -1 read the padding slot: False
        out[linked[kg].relation_index] = ids
    return out
