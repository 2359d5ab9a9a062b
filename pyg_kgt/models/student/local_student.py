"""LocalStudent: local re-training guided by a pre-trained teacher."""
from __future__ import annotations

import warnings
from dataclasses import replace
from typing import (TYPE_CHECKING, Any, Callable, Dict, List, Optional,
                    Sequence, Union)

import torch
from torch import Tensor
from torch.nn import Module
from torch_geometric import seed_everything
from torch_geometric.data import HeteroData

from pyg_kgt.data.homogeneous_view import HomogeneousView
from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.data.multi_source_kg import FACT
from pyg_kgt.models.student.local_student_config import LocalStudentConfig
from pyg_kgt.models.student.student_network import StudentNetwork
from pyg_kgt.models.task_loss import TaskLoss, check_loss
from pyg_kgt.models.student.teacher_cache import TeacherCache
from pyg_kgt.models.student.teacher_check import TeacherCheck
from pyg_kgt.models.trained_model import TrainedModel
from pyg_kgt.models.student.warm_start import warm_start
from pyg_kgt.nn.conv import RelationalAdjacency
from pyg_kgt.environment import resolve_device
from pyg_kgt.evaluation.kg_evaluation import evaluate_kg
from pyg_kgt.evaluation.link_prediction import DEFAULT_PROTOCOLS
from pyg_kgt.models.training_run import train_link_predictor
from pyg_kgt.models.student.transferred_facts import transferred_triples
from pyg_kgt.training.config import TrainingConfig
from pyg_kgt.training.phases import phase
from pyg_kgt.training.triple_group import TripleGroup

if TYPE_CHECKING:  # pragma: no cover
    from pyg_kgt.models.teacher.joint_teacher import JointTeacher


class LocalStudent(Module):
    r"""A relational GCN re-trained on a target KG plus its linked subgraph
    (:class:`~pyg_kgt.transforms.LinkSubgraph`; small next to the joint
    graph), started from the teacher's parameters
    (:func:`~pyg_kgt.models.student.warm_start.warm_start`) and guided by a
    frozen or cached teacher at three levels (Sun et al., KDD 2023):
    :class:`~pyg_kgt.nn.distill.FeatureDistillationLoss`,
    :class:`~pyg_kgt.nn.distill.NetworkDistillationLoss` and
    :class:`~pyg_kgt.nn.distill.PredictionDistillationLoss`, weighted as in
    :class:`LocalStudentConfig`. Without a teacher it is its own no-teacher
    twin; on a subgraph without sources, the target-alone baseline.

    Given its linked subgraph (and teacher) at construction, it is whole at
    once: its network (warm-started when the configuration says so) exists
    before :meth:`fit`, which trains it in place, so ``.to()``,
    ``.parameters()`` and an outside optimiser work from the start.
    Without ``linked``, :meth:`fit` (or :meth:`build`) builds it.

    Args:
        config (LocalStudentConfig, optional): The configuration.
        linked (HeteroData, optional): The linked subgraph to build for
            now.
        teacher (JointTeacher or TeacherCache, optional): Its guide (a
            teacher is turned into its cache).
        loss (TaskLoss, optional): The task loss to build with (default:
            ``TaskLoss()``).
    """

    def __init__(self, config: Optional[LocalStudentConfig] = None,
                 linked: Optional[HeteroData] = None,
                 teacher: Union['JointTeacher', TeacherCache, None] = None,
                 loss: Optional[TaskLoss] = None) -> None:
        super().__init__()
        self.config = config or LocalStudentConfig()
        self.model: Optional[StudentNetwork] = None
        self.view: Optional[HomogeneousView] = None
        self.target_kg: Optional[KnowledgeGraph] = None
        self.relation_index: Optional[Tensor] = None
        self._adjacency: Optional[RelationalAdjacency] = None
        #: What the warm start copied (see :func:`warm_start`), or None.
        self.warm_started: Optional[Dict[str, int]] = None
        self.history: List[Dict[str, float]] = []
        #: The distillation scale after each validation of the last fit
        #: (:class:`~pyg_kgt.models.student.distillation_fade.
        #: DistillationFade`; empty without a teacher).
        self.distillation_scales: List[float] = []
        self._built_for: Optional[tuple] = None
        self._guide: Optional[TeacherCache] = None
        #: The check of the teacher before training (see
        #: ``LocalStudentConfig.teacher_check``), or None.
        self.teacher_check: Optional[TeacherCheck] = None
        if linked is not None:
            self.build(linked, self._cache_of(linked, teacher), loss)

    def _cache_of(self, linked: HeteroData,
                  teacher: Union['JointTeacher', TeacherCache, None]
                  ) -> Optional[TeacherCache]:
        if teacher is None or isinstance(teacher, TeacherCache):
            return teacher
        return teacher.cache_for(linked, top_k=self.config.top_k)

    def build(self, linked: HeteroData,
              cache: Optional[TeacherCache] = None,
              loss: Optional[TaskLoss] = None) -> None:
        r"""Builds the student graph and a fresh network for ``linked``
        with the task ``loss`` (default: ``TaskLoss()``)."""
        self.view = HomogeneousView.from_hetero(linked)
        target = linked.target_name
        store = linked[target, FACT, target]
        triples = {
            split: torch.stack([store[f'{p}edge_index'][0],
                                store[f'{p}edge_type'],
                                store[f'{p}edge_index'][1]], dim=1)
            for split, p in (('train', ''), ('val', 'val_'),
                             ('test', 'test_'))}
        offset = self.view.node_offset[target]
        known = triples['train'] + torch.tensor([offset, 0, offset])
        built_with, cache = cache, self._checked(
            cache, known, range(offset, offset + linked[target].num_nodes))
        entities, relations, self.relation_index = _target_vocabulary(
            linked)
        local = torch.full((int(linked.num_relations),), -1,
                           dtype=torch.long)
        local[self.relation_index] = torch.arange(len(relations))
        for rows in triples.values():
            rows[:, 1] = local[rows[:, 1]]
        self.target_kg = KnowledgeGraph(target, entities, relations,
                                        **triples)
        config = self.config.model
        base = config.build(self.view.num_nodes, int(linked.num_relations),
                            self.view.num_relations)
        self.model = StudentNetwork(
            base.encoder, base.decoder,
            cache.teacher_channels if cache is not None else None,
            cache.num_teacher_layers if cache is not None else 0,
            self.config.temperature, loss, self.config.distillation_fade)
        self.warm_started = None
        if cache is not None and self.config.warm_start:
            if cache.warm_start is None:
                warnings.warn(
                    'the teacher cache carries no warm-start parameters '
                    '(written before they existed): the student starts '
                    'cold; compute the cache again to warm-start it',
                    RuntimeWarning)
            else:
                self.warm_started = warm_start(
                    self.model, cache.warm_start, cache.linked_nodes,
                    self.view, self.config.fill_unaligned)
        self._adjacency = None
        self._built_for = (linked, built_with)
        self._guide = cache

    def _checked(self, cache: Optional[TeacherCache], known: Tensor,
                 target_nodes: range) -> Optional[TeacherCache]:
        r"""``cache``, or :obj:`None` where ``config.teacher_check`` finds
        the teacher no better than chance on the target's ``known``
        training triples (:class:`~pyg_kgt.models.student.teacher_check.
        TeacherCheck`, kept in :attr:`teacher_check`)."""
        self.teacher_check = None
        if cache is None or not self.config.teacher_check:
            return cache
        linked = cache.linked_nodes
        rankable = int(((linked >= target_nodes.start) &
                        (linked < target_nodes.stop)).sum())
        self.teacher_check = TeacherCheck.from_cache(cache, known, rankable)
        if self.teacher_check.passed:
            return cache
        warnings.warn(
            f'{self.teacher_check}: the teacher ranks the target no better '
            f'than chance (its entities are wrong for this target), so the '
            f'student trains without it: no warm start, no distillation '
            f'(student.teacher_check: false keeps it)', RuntimeWarning)
        return None

    @property
    def adjacency(self) -> RelationalAdjacency:
        if self._adjacency is None:
            self._adjacency = self.model.encoder.adjacency(
                self.view.edge_index, self.view.edge_type,
                self.view.num_nodes)
        return self._adjacency

    @property
    def target_nodes(self) -> Tensor:
        r"""Student node ids of the target's entities."""
        start = self.view.node_offset[self.target_kg.name]
        return torch.arange(start, start + self.target_kg.num_entities)

    def _distillation_loss(self, cache: TeacherCache):
        config = self.config
        heads = self.model.distillation
        pool = torch.arange(cache.queries.size(0),
                            device=cache.queries.device)
        if config.prediction_queries == 'target' and cache.missing is not None:
            pool = pool[~cache.missing]

        def extra(model, embeddings, messages, batch) -> Tensor:
            if model.fade.value == 0.0:  # faded out: the task loss alone
                return embeddings.new_zeros(())  # (DDP allows unused heads)
            return model.fade.scaled(terms(model, embeddings, messages))

        def terms(model, embeddings, messages) -> Tensor:
            total = embeddings.new_zeros(())
            if config.feature_weight and 'feature' in heads:
                with phase('kd_feature'):
                    total = total + config.feature_weight * heads[
                        'feature'](embeddings, cache.embeddings,
                                   cache.linked_nodes)
            if config.network_weight and 'network' in heads:
                with phase('kd_network'):
                    total = total + config.network_weight * heads[
                        'network']([m.aggregated for m in messages],
                                   cache.messages, cache.linked_nodes)
            if config.prediction_weight and pool.numel():
                return total + self._prediction_kd(model, embeddings, cache,
                                                   pool)
            return total
        return extra

    def _prediction_kd(self, model, embeddings: Tensor, cache: TeacherCache,
                       pool: Tensor) -> Tensor:
        r"""The weighted prediction distillation of a batch of cached
        teacher queries drawn from ``pool``."""
        config, heads = self.config, self.model.distillation
        pick = pool[torch.randint(pool.numel(), (min(
            config.prediction_batch_size, pool.numel()),),
            device=pool.device)]
        with phase('kd_prediction'):
            query = cache.queries[pick]
            k = cache.candidates.size(1)
            student = model.decoder(
                embeddings[query[:, 0]][:, None].expand(-1, k, -1),
                query[:, 1][:, None].expand(-1, k),
                embeddings[cache.candidates[pick]])
            weight = None
            if (config.prediction_trust == 'agreement' and
                    cache.agreement is not None):
                weight = cache.agreement[pick]
            return config.prediction_weight * heads['prediction'](
                student, cache.scores[pick], weight=weight)

    def fit(self, linked: HeteroData,
            teacher: Union['JointTeacher', TeacherCache, None] = None,
            training: Optional[TrainingConfig] = None,
            checkpoint_dir: Optional[str] = None,
            resume: bool = False,
            on_epoch: Optional[Callable[[Dict[str, float]], None]] = None
            ) -> List[Dict[str, float]]:
        r"""Re-trains on the target's training triples over the linked
        subgraph, early-stopped on target validation filtered MRR.

        Args:
            linked (HeteroData): Output of
                :class:`~pyg_kgt.transforms.LinkSubgraph`.
            teacher (JointTeacher or TeacherCache, optional): The guide; a
                teacher is turned into its cache first. (default: none, the
                no-teacher twin)
            training (TrainingConfig, optional): The fit loop's settings.
            checkpoint_dir (str, optional): Where checkpoints go.
            resume (bool): Continue from them. (default: :obj:`False`)
            on_epoch (callable, optional): Called with each epoch's record
                (e.g. a :class:`~pyg_kgt.tracking.TensorBoardTracker`).
        """
        training = training or TrainingConfig()
        seed_everything(training.seed)
        loss = TaskLoss.from_training(training)
        built = self._built_for
        if built is not None and built[0] is linked and (
                teacher is None or teacher is built[1]):
            check_loss(self.model, loss)  # built at construction: in place
        else:
            self.build(linked, self._cache_of(linked, teacher), loss)
        cache = self._guide
        target = self.target_kg
        nodes = self.target_nodes
        self.distillation_scales = []
        group = TripleGroup.create(
            torch.stack([nodes[target.train[:, 0]],
                         self.relation_index[target.train[:, 1]],
                         nodes[target.train[:, 2]]], dim=1),
            self.view.num_nodes, nodes, target.name)
        if self.config.train_on == 'transferred':
            group = TripleGroup.create(
                torch.cat([group.triples, self.transferred_triples(linked)]),
                self.view.num_nodes, nodes, target.name)
        groups = [group]
        if self.config.train_on == 'linked':
            groups += self._source_groups(linked)

        def validate(model, adjacency) -> float:
            result = evaluate_kg(model, adjacency, target, 'val',
                                 (training.val_protocol,),
                                 training.eval_batch_size,
                                 node_ids=nodes,
                                 relation_index=self.relation_index)
            mrr = result[training.val_protocol]['metrics']['mrr']
            if cache is not None:
                self.distillation_scales.append(self.model.fade.observe(mrr))
            return mrr

        if cache is not None and self.config.teacher_candidates:
            self.model.teacher_candidates.set(
                cache.queries, cache.candidates, group.triples,
                self.config.teacher_candidates, int(linked.num_relations))
        if cache is not None:  # the warm start was applied in build()
            cache = replace(cache, warm_start=None).to(
                resolve_device(training.device))
        run = train_link_predictor(
            self.model, self.adjacency, groups, training,
            validate if target.val.numel() else None,
            self._distillation_loss(cache) if cache is not None else None,
            checkpoint_dir, resume, on_epoch=on_epoch,
            on_stop=(self.model.fade.release if cache is not None and
                     self.config.distillation_release else None))
        self._adjacency = run.adjacency
        self.train_seconds = run.seconds
        self.history = run.history
        return run.history

    def transferred_triples(self, linked: HeteroData) -> Tensor:
        r"""The target's transferred facts in student ids (:func:`~pyg_kgt.
        models.student.transferred_facts.transferred_triples`)."""
        return transferred_triples(linked, self.view.node_offset[
            linked.target_name], self.relation_index, self.target_kg.train)

    def _source_groups(self, linked: HeteroData) -> List[TripleGroup]:
        r"""One training group per source of the linked subgraph: its facts
        there, ranked against its linked nodes."""
        groups = []
        for name in self.view.node_types:
            if name == linked.target_name or (
                    name, FACT, name) not in linked.edge_types:
                continue
            store = linked[name, FACT, name]
            offset = self.view.node_offset[name]
            triples = torch.stack([store.edge_index[0] + offset,
                                   store.edge_type,
                                   store.edge_index[1] + offset], dim=1)
            if triples.numel():
                groups.append(TripleGroup.create(
                    triples, self.view.num_nodes,
                    torch.arange(offset, offset + linked[name].num_nodes),
                    name))
        return groups

    def evaluate(self, split: str = 'test',
                 protocols: Sequence[str] = DEFAULT_PROTOCOLS,
                 batch_size: int = 512, progress: bool = False
                 ) -> Dict[str, Any]:
        r"""Link prediction on the target, ranked against its entities;
        ``progress`` shows a bar per protocol."""
        return evaluate_kg(self.model, self.adjacency, self.target_kg, split,
                           protocols, batch_size, progress,
                           node_ids=self.target_nodes,
                           relation_index=self.relation_index)

    @torch.no_grad()
    def trained_model(self, info: Optional[Dict[str, Any]] = None
                      ) -> TrainedModel:
        r"""The re-trained target as a
        :class:`~pyg_kgt.models.TrainedModel`, named with the target's own
        entity and relation names (carried by the linked subgraph)."""
        if self.model is None:
            raise RuntimeError('nothing trained yet: call fit() first')
        self.model.eval()
        embeddings = self.model(self.adjacency)[self.target_nodes]
        return TrainedModel.from_embeddings(
            self.target_kg, embeddings, self.config.model,
            self.model.decoder, self.relation_index,
            dict({'kind': 'local_student'}, **(info or {})))

    def __repr__(self) -> str:
        if self.model is None:
            return f'{type(self).__name__}(unbuilt)'
        return (f"{type(self).__name__}(target='{self.target_kg.name}', "
                f'nodes={self.view.num_nodes}, '
                f'distillation={list(self.model.distillation)})')


def _target_vocabulary(linked: HeteroData):
    r"""The target's entity names, relation names and relation ids in the
    linked graph :obj:`[R]`; numbered names when the graph carries none."""
    store = linked[linked.target_name]
    num_relations = int(linked.num_relations)
    if 'relation_index' in store:
        relations = list(store.relation_names)
        index = store.relation_index
    else:
        relations = [str(r) for r in range(num_relations)]
        index = torch.arange(num_relations)
    entities = (list(store.entity_names) if 'entity_names' in store else
                [str(i) for i in range(store.num_nodes)])
    return entities, relations, index
