"""JointTeacher: joint pre-training over linked multi-source KGs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

import torch
from torch import Tensor
from torch.nn import Module
from torch_geometric import seed_everything

from pyg_kgt.artifact import read_artifact, write_artifact
from pyg_kgt.config_dict import DictConfig, check_choice
from pyg_kgt.data.multi_source_kg import MultiSourceKG
from pyg_kgt.data.relation_vocabulary import RelationVocabulary
from pyg_kgt.environment import resolve_device
from pyg_kgt.errors import ConfigError
from pyg_kgt.evaluation import evaluate_alignment
from pyg_kgt.data.joint_graph import LINKING, JointGraph
from pyg_kgt.models.link_predictor import LinkPredictor
from pyg_kgt.models.model_config import ModelConfig
from pyg_kgt.models.task_loss import TaskLoss, check_loss
from pyg_kgt.models.student.teacher_cache import TeacherCache
from pyg_kgt.models.trained_model import TrainedModel
from pyg_kgt.nn.conv import RelationalAdjacency
from pyg_kgt.evaluation.kg_evaluation import evaluate_kg
from pyg_kgt.evaluation.link_prediction import DEFAULT_PROTOCOLS
from pyg_kgt.models.training_run import train_link_predictor
from pyg_kgt.training.config import TrainingConfig
from pyg_kgt.training.neighbor_sampler import RelationalNeighborSampler
from pyg_kgt.training.triple_group import TripleGroup

# 2: vocabularies.json holds a RelationVocabulary (per-KG relation names
# and ids) instead of global names and offsets; version 1 still loads.
FORMAT_VERSION = 2
META_FILE = 'config.json'



def triple_groups(graph: JointGraph, kg: MultiSourceKG) -> List[TripleGroup]:
    r"""The teacher's training data: one group per KG of ``graph``, its
    training triples in node ids, ranked against its own entities."""
    return [TripleGroup.create(graph.node_triples(kg, name),
                               graph.num_nodes, graph.node_index[name], name)
            for name in graph.names]

@dataclass
class JointTeacherConfig(DictConfig):
    r"""Configuration of a :class:`JointTeacher`.

    Args:
        model (ModelConfig): Encoder and decoder.
        linking (str): ``"same_as"`` or ``"merge"`` (see
            :class:`~pyg_kgt.data.JointGraph`). (default: ``"same_as"``)
        alignment_weight (float): Weight :math:`\lambda` of the alignment
            loss :math:`\lambda \frac{1}{|A|}\sum_{(a,b) \in A}
            \|\mathbf{e}_a - \mathbf{e}_b\|_2^2` (``"same_as"`` only).
            (default: 1.0)
        max_val_triples (int): Validation triples per KG used for early
            stopping (a fixed seeded sample; all if fewer). (default: 2000)
        num_neighbors ([int], optional): Memory-bounded mode: train on
            sampled neighbourhoods with this fan-out per layer
            (:class:`~pyg_kgt.training.RelationalNeighborSampler`) and the
            negative sampling loss; step memory then depends on batch size
            and fan-out, not graph size. The alignment loss is not used in
            this mode (``same_as`` edges still link the KGs).
            (default: :obj:`None`, full batch)
    """
    model: ModelConfig = field(default_factory=ModelConfig)
    linking: str = 'same_as'
    alignment_weight: float = 1.0
    max_val_triples: int = 2000
    num_neighbors: Optional[List[int]] = None

    def __post_init__(self) -> None:
        if isinstance(self.model, dict):
            self.model = ModelConfig.from_dict(self.model)
        check_choice('linking', self.linking, LINKING)
        if self.alignment_weight < 0:
            raise ConfigError('alignment_weight: must be >= 0')



class JointTeacher(Module):
    r"""A relational GCN pre-trained once over several source KGs linked by
    seed entity alignments (Sun et al., KDD 2023), then saved and reused for
    any number of target KGs.

    Objective, over the sources :math:`\mathcal{S}`:

    .. math::
        \mathcal{L} = \sum_{k \in \mathcal{S}} \mathcal{L}_{\textrm{LP}}
        (\mathcal{T}_k) + \lambda\, \mathcal{L}_{\textrm{align}},

    link prediction over every source's training triples (each ranked
    against its own KG's entities) plus, with ``linking="same_as"``, the
    alignment loss of :class:`JointTeacherConfig`.

    Given the sources at construction (``kg``), it is whole at once (PyG's
    ``KGEModel(num_nodes, ...)``, PyKEEN's ``Model(triples_factory)``): its
    parameters exist before :meth:`fit`, which trains them in place, so
    ``.to()``, ``.parameters()`` and an outside optimiser work from the
    start. Without ``kg``, :meth:`fit` (or :meth:`build`) builds it,
    seeded by ``training.seed``.

    Args:
        config (JointTeacherConfig, optional): The configuration.
        kg (MultiSourceKG, optional): The sources to build for now.
        loss (TaskLoss, optional): The task loss to build with (default:
            ``TaskLoss()``; :meth:`fit` checks that its training keys name
            the same).
    """

    def __init__(self, config: Optional[JointTeacherConfig] = None,
                 kg: Optional[MultiSourceKG] = None,
                 loss: Optional[TaskLoss] = None) -> None:
        super().__init__()
        self.config = config or JointTeacherConfig()
        self.graph: Optional[JointGraph] = None
        self.model: Optional[LinkPredictor] = None
        self.vocabularies: Dict[str, Any] = {}
        self._adjacency: Optional[RelationalAdjacency] = None
        self._built_for: Optional[MultiSourceKG] = None
        if kg is not None:
            self.build(kg, loss)

    # -- building -------------------------------------------------------
    def build(self, kg: MultiSourceKG,
              loss: Optional[TaskLoss] = None) -> None:
        r"""Builds the joint graph and a freshly initialised model with the
        task ``loss`` (default: ``TaskLoss()``)."""
        self.graph = JointGraph.build(kg, self.config.linking)
        self.model = self.config.model.build(
            self.graph.num_nodes, self.graph.num_relations,
            self.graph.num_message_relations, loss)
        self._built_for = kg
        self.vocabularies = {
            'entities': {n: kg[n].entity_names for n in kg.names},
            'relations': kg.relation_vocabulary.to_dict()}
        self._adjacency = None

    @property
    def adjacency(self) -> RelationalAdjacency:
        if self._adjacency is None:
            self._adjacency = self.model.encoder.adjacency(
                self.graph.edge_index, self.graph.edge_type,
                self.graph.num_nodes)
        return self._adjacency

    @property
    def names(self) -> List[str]:
        return list(self.graph.names)

    def node_index(self, name: str) -> Tensor:
        r"""Teacher node id of every entity of source ``name``."""
        return self.graph.node_index[name]

    @property
    def relation_vocabulary(self) -> RelationVocabulary:
        r"""The teacher's relation space with each source's own names; its
        :meth:`~pyg_kgt.data.RelationVocabulary.map` maps any graph's
        relations to the teacher's by name."""
        return RelationVocabulary.from_dict(self.vocabularies['relations'])

    # -- training -------------------------------------------------------
    def fit(self, kg: MultiSourceKG, training: Optional[TrainingConfig] = None,
            checkpoint_dir: Optional[str] = None,
            resume: bool = False,
            on_epoch: Optional[Callable[[Dict[str, float]], None]] = None
            ) -> List[Dict[str, float]]:
        r"""Pre-trains on every KG of ``kg`` (the sources), early-stopped on
        validation filtered MRR averaged over them: the parameters built at
        construction when ``kg`` is the graph given there, else a model
        built now."""
        training = training or TrainingConfig()
        seed_everything(training.seed)
        loss = TaskLoss.from_training(training)
        if self.model is None or self._built_for is not kg:
            self.build(kg, loss)
        else:  # built at construction: train those parameters
            check_loss(self.model, loss)
        graph, config = self.graph, self.config
        generator = torch.Generator().manual_seed(training.seed)
        val = {}
        for name in graph.names:
            triples = kg[name].val
            if triples.size(0) > config.max_val_triples:
                keep = torch.randperm(triples.size(0), generator=generator)
                triples = triples[keep[:config.max_val_triples]]
            val[name] = triples

        def validate(model: LinkPredictor, adjacency) -> float:
            embeddings = model(adjacency)
            mrrs = []
            for name, triples in val.items():
                result = evaluate_kg(
                    model, None, kg[name], 'val', (training.val_protocol,),
                    training.eval_batch_size, node_ids=graph.node_index[name],
                    embeddings=embeddings,
                    relation_index=kg.relation_index[name],
                    triples=triples)
                mrrs.append(result[training.val_protocol]['metrics']['mrr'])
            return sum(mrrs) / len(mrrs)

        sampler = None
        if config.num_neighbors is not None:
            sampler = RelationalNeighborSampler(
                graph.edge_index, graph.edge_type, graph.num_nodes,
                graph.num_message_relations, config.num_neighbors,
                seed=training.seed)
        use_alignment = (sampler is None and config.linking == 'same_as'
                         and config.alignment_weight > 0 and
                         graph.alignment_pairs.numel() > 0)
        if use_alignment:
            pairs = graph.alignment_pairs.to(resolve_device(training.device))

            def alignment_loss(model, embeddings, messages, batch):
                diff = embeddings[pairs[:, 0]] - embeddings[pairs[:, 1]]
                return config.alignment_weight * diff.pow(2).sum(-1).mean()
        run = train_link_predictor(
            self.model, self.adjacency, triple_groups(graph, kg), training,
            validate, alignment_loss if use_alignment else None,
            checkpoint_dir, resume, sampler, on_epoch)
        self._adjacency = run.adjacency
        self.train_seconds = run.seconds
        return run.history

    # -- inference ------------------------------------------------------
    @torch.no_grad()
    def embeddings(self, return_messages: bool = False):
        r"""Node embeddings :obj:`[num_nodes, d]` (and per-layer
        :class:`RelationalMessages`)."""
        self.model.eval()
        return self.model.encoder(self.adjacency,
                                  return_messages=return_messages)

    def evaluate(self, kg: MultiSourceKG, split: str = 'test',
                 protocols: Sequence[str] = DEFAULT_PROTOCOLS,
                 names: Optional[Sequence[str]] = None,
                 batch_size: int = 512, progress: bool = False
                 ) -> Dict[str, Dict[str, Any]]:
        r"""Link prediction per KG (each ranked against its own entities);
        ``progress`` shows a bar per KG and protocol."""
        embeddings = self.embeddings()
        return {name: evaluate_kg(
            self.model, None, kg[name], split, protocols, batch_size,
            progress, node_ids=self.graph.node_index[name],
            embeddings=embeddings,
            relation_index=self.relation_vocabulary.index_of(name))
            for name in (names or self.names)}

    def evaluate_alignment(self, pairs: Tensor, source: str, target: str,
                           csls_k: Optional[int] = None) -> Dict[str, Any]:
        r"""Entity alignment of test ``pairs`` :obj:`[M, 2]` between two of
        the teacher's KGs by embedding similarity (see
        :func:`~pyg_kgt.evaluation.evaluate_alignment`)."""
        embeddings = self.embeddings()
        return evaluate_alignment(embeddings[self.node_index(source)],
                                  embeddings[self.node_index(target)], pairs,
                                  csls_k=csls_k)

    def evaluate_held_out_alignment(self, kg: MultiSourceKG,
                                    csls_k: Optional[int] = None
                                    ) -> Dict[str, Dict[str, Any]]:
        r"""Entity alignment of the held-out seed pairs of ``kg`` between
        every two of the teacher's KGs, ``{"a-b": result}`` (see
        :meth:`evaluate_alignment`); empty when ``kg`` holds none out
        (``alignment_split: all``). The student can only transfer what the
        teacher aligned."""
        results = {}
        for i, a in enumerate(self.names):
            for b in self.names[i + 1:]:
                links = kg.links(a, b)
                if links is not None and links.test.numel():
                    results[f'{a}-{b}'] = self.evaluate_alignment(
                        links.test, a, b, csls_k)
        return results

    def trained_model(self, name: str) -> TrainedModel:
        r"""Source ``name`` as a :class:`~pyg_kgt.models.TrainedModel`
        (its entity embeddings, names and the shared decoder), for
        evaluation, export and prediction."""
        if name not in self.names:
            raise ConfigError(f"unknown KG '{name}'; the teacher has "
                              f'{self.names}')
        relations = self.relation_vocabulary
        return TrainedModel(
            name, self.vocabularies['entities'][name],
            relations.kg_names[name],
            self.embeddings()[self.node_index(name)], self.config.model,
            self.model.decoder.state_dict(), self.graph.num_relations,
            relations.kg_index[name],
            {'kind': 'joint_teacher', 'sources': self.names})

    def cache_for(self, linked, path: Optional[str] = None,
                  top_k: int = 50,
                  relation_aliases: Optional[Dict[str, str]] = None
                  ) -> TeacherCache:
        r"""Everything a student needs from this teacher for the linked
        subgraph ``linked`` (a :class:`~pyg_kgt.models.TeacherCache`:
        entity embeddings, per-layer aggregated messages, top-k tail
        predictions with target relations mapped to the teacher's by name,
        or through ``relation_aliases``), written atomically to ``path``
        when given, so students train without the teacher in memory."""
        cache = TeacherCache.from_teacher(self, linked, top_k,
                                          relation_aliases)
        if path is not None:
            cache.save(path)
        return cache

    # -- persistence ----------------------------------------------------
    def save(self, folder: str) -> None:
        r"""Writes the teacher to ``folder`` (:mod:`pyg_kgt.artifact`;
        ``config.json``): the model weights and the joint graph's tensors,
        its configuration and its vocabularies."""
        if self.model is None:
            raise RuntimeError('nothing to save: fit() or build() first')
        graph = self.graph
        write_artifact(folder, META_FILE, type(self).__name__,
                       FORMAT_VERSION, {
                           'config': self.config.to_dict(),
                           'names': graph.names,
                           'num_nodes': graph.num_nodes,
                           'num_relations': graph.num_relations,
                           'num_message_relations':
                               graph.num_message_relations},
                       self.vocabularies, {
                           'model': self.model.state_dict(),
                           'node_index': graph.node_index,
                           'edge_index': graph.edge_index,
                           'edge_type': graph.edge_type,
                           'alignment_pairs': graph.alignment_pairs})

    @classmethod
    def load(cls, folder: str) -> 'JointTeacher':
        r"""Loads a teacher written by :meth:`save` (format 1 or 2)."""
        meta, vocabularies, state, version = read_artifact(
            folder, META_FILE, cls.__name__, FORMAT_VERSION)
        teacher = cls(JointTeacherConfig.from_dict(meta['config']))
        teacher.graph = JointGraph(
            meta['names'], meta['num_nodes'], meta['num_relations'],
            meta['num_message_relations'], state['node_index'],
            state['edge_index'], state['edge_type'],
            state['alignment_pairs'], teacher.config.linking)
        teacher.model = teacher.config.model.build(
            meta['num_nodes'], meta['num_relations'],
            meta['num_message_relations'])
        teacher.model.load_state_dict(state['model'])
        teacher.model.eval()
        if version == 1:
            vocabularies['relations'] = _relations_of_version_1(
                vocabularies, meta['names'])
        teacher.vocabularies = vocabularies
        return teacher

    def __repr__(self) -> str:
        if self.graph is None:
            return f'{type(self).__name__}(unbuilt)'
        return (f"{type(self).__name__}(sources={self.names}, "
                f"nodes={self.graph.num_nodes}, "
                f"linking='{self.config.linking}', model={self.model})")


def _relations_of_version_1(vocabularies: Dict[str, Any],
                            names: List[str]) -> Dict[str, Any]:
    r"""The :class:`RelationVocabulary` of a format-1 teacher, which kept
    global names (``"kg:name"`` when namespaced) and one offset per KG."""
    relations, offsets = (vocabularies.pop('relations'),
                          vocabularies.pop('relation_offset'))
    kg_names, kg_index = {}, {}
    for name in names:
        start = offsets[name]
        end = min([o for o in offsets.values() if o > start],
                  default=len(relations))
        prefix = f'{name}:' if any(offsets.values()) else ''
        kg_names[name] = [r[len(prefix):] for r in relations[start:end]]
        kg_index[name] = list(range(start, end))
    return RelationVocabulary(relations, kg_names, kg_index).to_dict()
